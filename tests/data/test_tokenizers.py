"""The token budget's tokenizer is pluggable: any tokenizer.json works, a wrong path is a clear error."""

import pytest

from pricewise.config import DataSettings
from pricewise.data.curate import curate_row
from pricewise.data.tokens import load_tokenizer
from pricewise.errors import ConfigError


@pytest.fixture
def word_tokenizer(tmp_path, raw_row):
    """A whitespace word-level tokenizer trained on the fixture text, saved as tokenizer.json."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.decoder = decoders.WordPiece(prefix="##")  # joins words with spaces
    row = raw_row()
    tokenizer.train_from_iterator(
        [row["title"], *row["description"]], trainers.WordLevelTrainer(special_tokens=["[UNK]"])
    )
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    return str(path)


def test_a_tokenizer_json_sets_the_budget_in_its_own_tokens(raw_row, word_tokenizer):
    rules = DataSettings(tokenizer=word_tokenizer, min_tokens=20, max_tokens=30)
    item = curate_row(raw_row(), rules, load_tokenizer(rules.tokenizer))
    assert len(load_tokenizer(word_tokenizer).encode(item.summary)) == 30
    expected = "Acme Fridge Filter 0 Model " + raw_row()["description"][0]  # the part number scrubbed
    assert item.summary.split() == expected.split()[:30]


def test_a_missing_tokenizer_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_tokenizer(str(tmp_path / "missing" / "tokenizer.json"))
