"""The loss mask: prompt tokens are -100, the price tokens (and end of sequence) are learned."""

from __future__ import annotations

import pytest

from pricewise.llm.encoding import IGNORE_INDEX, collate, prompt_ids, training_example

from .conftest import build_tokenizer


@pytest.mark.parametrize("kind,price_tokens", [("digit", ["1", "2", "3", ".", "0", "0"]), ("integer", ["123", ".", "00"])])
def test_only_the_price_is_labelled(kind, price_tokens):
    tokenizer = build_tokenizer(kind)
    row = training_example(tokenizer, "blue widget steel", 123.4, max_prompt_tokens=64)
    learned = [t for t, label in zip(row["input_ids"], row["labels"]) if label != IGNORE_INDEX]
    assert tokenizer.convert_ids_to_tokens(learned) == price_tokens + ["<eos>"]
    masked = [t for t, label in zip(row["input_ids"], row["labels"]) if label == IGNORE_INDEX]
    assert masked == prompt_ids(tokenizer, "blue widget steel", 64)
    assert tokenizer.convert_ids_to_tokens(masked[-3:]) == ["Price", "is", "$"]


def test_long_texts_are_cut_but_keep_the_price_question():
    tokenizer = build_tokenizer("digit")
    ids = prompt_ids(tokenizer, "blue " * 100_000, max_prompt_tokens=40)
    assert len(ids) == 40
    assert tokenizer.convert_ids_to_tokens(ids[-3:]) == ["Price", "is", "$"]
    assert ids[0] == tokenizer.bos_token_id


def test_collate_pads_right_for_training_and_left_for_inference():
    rows = [{"input_ids": [5, 6, 7], "labels": [-100, -100, 7]}, {"input_ids": [8], "labels": [8]}]
    right = collate(rows, pad_token_id=0)
    assert right["input_ids"].tolist() == [[5, 6, 7], [8, 0, 0]]
    assert right["labels"].tolist() == [[-100, -100, 7], [8, -100, -100]]
    assert right["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]
    left = collate([{"input_ids": r["input_ids"]} for r in rows], pad_token_id=0, padding_side="left")
    assert left["input_ids"].tolist() == [[5, 6, 7], [0, 0, 8]] and "labels" not in left
