"""The course's OpenAI fine-tuning files: chat JSONL, one conversation per line (system, user,
assistant "Price is $X.XX"), made with the same prompt the frontier pricer asks with.

Every line is validated before the file is kept, because OpenAI rejects a whole upload for one bad
line, and only after the upload.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from pathlib import Path

from pricewise.config import Settings, get_settings
from pricewise.data.item import Item
from pricewise.data.sources import EXTRA_FILES, dev_items, extra_items, is_test250
from pricewise.errors import DataError
from pricewise.pricers.chat_prompts import messages_for

#: OpenAI refuses fine-tuning files with fewer examples than this.
MIN_EXAMPLES = 10
_ANSWER = re.compile(r"^Price is \$\d+\.\d{2}$")
_ROLES = ("system", "user", "assistant")


def finetune_line(item: Item) -> str:
    return json.dumps({"messages": messages_for(item, answer=item.price)}, ensure_ascii=False)


def validate_line(line: str) -> None:
    """Raise ``DataError`` unless ``line`` is one chat example in the course's shape."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise DataError(f"not JSON: {exc}") from exc
    messages = record.get("messages") if isinstance(record, dict) else None
    if not isinstance(messages, list) or [m.get("role") for m in messages if isinstance(m, dict)] != list(
        _ROLES
    ):
        raise DataError("expected messages with roles system, user, assistant")
    for message in messages:
        if (
            set(message) != {"role", "content"}
            or not isinstance(message["content"], str)
            or not message["content"].strip()
        ):
            raise DataError(
                f"the {message.get('role')} message needs non-empty text content and nothing else"
            )
    if not _ANSWER.match(messages[-1]["content"]):
        raise DataError(f"the assistant answer {messages[-1]['content']!r} is not 'Price is $X.XX'")


def write_jsonl(items: Sequence[Item], path: Path) -> int:
    """Write and validate ``items`` as fine-tuning lines; returns the line count."""
    lines = [finetune_line(item) for item in items]
    for number, line in enumerate(lines, 1):
        try:
            validate_line(line)
        except DataError as exc:
            raise DataError(f"{path}:{number}: {exc}") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def source_items(source: str, settings: Settings) -> list[Item]:
    """``dev``: the dev items outside test250 (never the evaluation set); else an extra file's items."""
    if source == "dev":
        return [item for item in dev_items(settings) if not is_test250(item.id)]
    if source not in EXTRA_FILES:
        raise DataError(f"unknown source {source!r}: use 'dev' or one of {sorted(EXTRA_FILES)}")
    return extra_items([source], settings)


def export_openai_finetune(
    out: Path,
    n: int = 200,
    validation: int = 50,
    source: str = "dev",
    seed: int | None = None,
    settings: Settings | None = None,
) -> dict[str, int]:
    """Write ``out/train.jsonl`` (n lines) and ``out/validation.jsonl`` from a seeded shuffle of ``source``."""
    settings = settings or get_settings()
    if n < MIN_EXAMPLES or validation < 0:
        raise DataError(
            f"OpenAI needs at least {MIN_EXAMPLES} training examples (got --n {n}); --validation >= 0"
        )
    items = [item for item in source_items(source, settings) if item.has_price and item.summary.strip()]
    if n + validation > len(items):
        raise DataError(
            f"{source} has {len(items)} usable items, fewer than --n {n} + --validation {validation}"
        )
    random.Random(settings.seed if seed is None else seed).shuffle(items)
    counts = {"train": write_jsonl(items[:n], Path(out) / "train.jsonl")}
    if validation:
        counts["validation"] = write_jsonl(items[n : n + validation], Path(out) / "validation.jsonl")
    return counts
