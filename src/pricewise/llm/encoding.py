"""Token ids for the course's prompts, with the loss on the price only.

The prompt (question, summary, ``Price is $``) and the completion (``123.00`` and end of sequence) are
tokenized apart and joined, so the boundary is exact for every tokenizer and the labels of every
prompt token are -100: the model learns to price, not to write product descriptions. Training and
inference build the prompt with the same function, so both see identical ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pricewise.data.item import PRICE_PREFIX, QUESTION

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedTokenizerBase

IGNORE_INDEX = -100
#: Characters kept of a text before tokenizing: far more than any token budget needs, and it keeps
#: a pasted megabyte from costing seconds of tokenization.
CHARS_PER_TOKEN_CAP = 12


def prompt_ids(tokenizer: PreTrainedTokenizerBase, summary: str, max_prompt_tokens: int) -> list[int]:
    """``QUESTION + summary`` cut to fit, then ``\\n\\nPrice is $``: at most ``max_prompt_tokens`` ids."""
    tail = tokenizer(f"\n\n{PRICE_PREFIX}", add_special_tokens=False)["input_ids"]
    text = f"{QUESTION}\n\n{summary.strip()[: max_prompt_tokens * CHARS_PER_TOKEN_CAP]}"
    head = tokenizer(text, add_special_tokens=True)["input_ids"]
    return head[: max(1, max_prompt_tokens - len(tail))] + tail


def completion_ids(tokenizer: PreTrainedTokenizerBase, price: float) -> list[int]:
    """The answer the course trains on, ``123.00``, closed by end of sequence."""
    ids = tokenizer(f"{round(price)}.00", add_special_tokens=False)["input_ids"]
    return ids + [tokenizer.eos_token_id]


def training_example(
    tokenizer: PreTrainedTokenizerBase, summary: str, price: float, max_prompt_tokens: int
) -> dict[str, list[int]]:
    """One training row: ``input_ids`` and ``labels`` (-100 on every prompt token)."""
    prompt = prompt_ids(tokenizer, summary, max_prompt_tokens)
    answer = completion_ids(tokenizer, price)
    return {"input_ids": prompt + answer, "labels": [IGNORE_INDEX] * len(prompt) + answer}


def collate(
    rows: Sequence[dict[str, Any]], pad_token_id: int, padding_side: str = "right"
) -> dict[str, torch.Tensor]:
    """Pad a batch: ``input_ids``, ``attention_mask`` and (when rows have them) ``labels``.

    Training pads on the right; inference pads on the left so the last position of every row is
    the token right after ``Price is $``.
    """
    import torch

    width = max(len(r["input_ids"]) for r in rows)
    has_labels = all("labels" in r for r in rows)
    ids, mask, labels = [], [], []
    for row in rows:
        pad = width - len(row["input_ids"])

        def padded(seq: list[int], value: int, pad: int = pad) -> list[int]:
            return [value] * pad + list(seq) if padding_side == "left" else list(seq) + [value] * pad

        ids.append(padded(row["input_ids"], pad_token_id))
        mask.append(padded([1] * len(row["input_ids"]), 0))
        if has_labels:
            labels.append(padded(row["labels"], IGNORE_INDEX))
    batch = {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask)}
    if has_labels:
        batch["labels"] = torch.tensor(labels)
    return batch


class CompletionOnlyCollator:
    """The Trainer's data collator: pads on the right and keeps the price-only labels."""

    def __init__(self, pad_token_id: int) -> None:
        self.pad_token_id = pad_token_id

    def __call__(self, rows: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        return collate(rows, self.pad_token_id, padding_side="right")
