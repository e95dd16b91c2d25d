import json
import subprocess
import sys

import pytest

from pricewise.data.item import Item
from pricewise.errors import DataError
from pricewise.pricers.chat_prompts import SYSTEM_PROMPT
from pricewise.pricers.finetune_export import export_openai_finetune, finetune_line, validate_line


def test_cli_writes_the_courses_chat_jsonl(tmp_path, settings):
    out = tmp_path / "ft"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pricewise.cli",
            "export",
            "openai-finetune",
            "--n",
            "200",
            "--validation",
            "50",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "200 examples" in done.stdout and "50 examples" in done.stdout
    train = (out / "train.jsonl").read_text(encoding="utf-8").splitlines()
    validation = (out / "validation.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(train) == 200 and len(validation) == 50
    records = [json.loads(line) for line in train + validation]
    for line in train + validation:
        validate_line(line)
    first = records[0]["messages"]
    assert first[0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert (
        first[1]["content"].startswith("How much does this cost?\n\n")
        and "Price is $" not in first[1]["content"]
    )
    assert first[2]["content"].startswith("Price is $")
    # the evaluation set never leaks into fine-tuning data, and train and validation do not overlap
    from pricewise.data.sources import dev_items

    by_user = {
        item.test_prompt().replace(" to the nearest dollar", "").removesuffix("\n\nPrice is $"): item
        for item in dev_items(settings)
    }
    ids = [by_user[r["messages"][1]["content"]].id for r in records]
    assert len(set(ids)) == 250 and all(int(i.rsplit("-", 1)[1]) >= 250 for i in ids)
    price = by_user[first[1]["content"]].price
    assert first[2]["content"] == f"Price is ${price:.2f}"


def test_export_is_reproducible_per_seed(tmp_path):
    export_openai_finetune(tmp_path / "a", n=20, validation=5, seed=1)
    export_openai_finetune(tmp_path / "b", n=20, validation=5, seed=1)
    export_openai_finetune(tmp_path / "c", n=20, validation=5, seed=2)
    read = lambda d: (d / "train.jsonl").read_text(encoding="utf-8")
    assert read(tmp_path / "a") == read(tmp_path / "b") != read(tmp_path / "c")


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        json.dumps({"messages": [{"role": "user", "content": "hi"}]}),
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "s"},
                    {"role": "user", "content": " "},
                    {"role": "assistant", "content": "Price is $1.00"},
                ]
            }
        ),
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "s"},
                    {"role": "user", "content": "u"},
                    {"role": "assistant", "content": "about 5"},
                ]
            }
        ),
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "s"},
                    {"role": "user", "content": "u"},
                    {"role": "assistant", "content": "Price is $1.00", "name": "x"},
                ]
            }
        ),
    ],
)
def test_validation_rejects_bad_lines(line):
    with pytest.raises(DataError):
        validate_line(line)


def test_answer_keeps_cents():
    line = finetune_line(Item(title="Lamp", summary="Lamp\nbright", price=1299.5))
    validate_line(line)
    assert json.loads(line)["messages"][2]["content"] == "Price is $1299.50"


def test_too_few_examples_or_items_is_a_user_error(tmp_path):
    with pytest.raises(DataError, match="at least 10"):
        export_openai_finetune(tmp_path, n=5, validation=0)
    with pytest.raises(DataError, match="usable items"):
        export_openai_finetune(tmp_path, n=1200, validation=100)
    with pytest.raises(DataError, match="unknown source"):
        export_openai_finetune(tmp_path, source="nope")


def test_cli_user_error_is_one_line(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pricewise.cli",
            "export",
            "openai-finetune",
            "--n",
            "3",
            "--out",
            str(tmp_path),
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stderr.strip().startswith("error: OpenAI needs at least 10")
