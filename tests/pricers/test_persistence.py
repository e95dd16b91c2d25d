import json

import pytest

from pricewise.errors import ModelError
from pricewise.pricers import registry
from pricewise.pricers.persistence import load_pricer
from pricewise.pricers.store import load_trained


def test_a_model_outside_the_artifacts_dir_is_never_unpickled(train_items, tmp_path, settings):
    outside = registry.create("features-lr").fit(train_items).save(tmp_path / "elsewhere")
    (outside / "model.joblib").write_bytes(b"not a pickle: loading would fail loudly if it were read")
    with pytest.raises(ModelError, match="refusing to load"):
        load_pricer(outside)


def test_a_model_from_an_incompatible_version_is_refused_with_a_clear_message(train_items, settings):
    directory = registry.create("features-lr").fit(train_items).save(settings.models_dir / "features-lr")
    meta = json.loads((directory / "pricer.json").read_text())
    meta["format_version"] = 999
    (directory / "pricer.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="retrain with `pricewise train`"):
        load_trained("features-lr")


def test_missing_model_names_the_command_that_makes_it(settings):
    with pytest.raises(ModelError, match="pricewise train --pricer tfidf"):
        load_trained("tfidf")
