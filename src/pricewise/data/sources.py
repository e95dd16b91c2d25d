"""The curated data sets in ``<data_dir>/amazon``: the dev/test items, the extra training files and
the human baseline. Everything is read from the data dir, never copied into the project."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from pricewise.config import Settings, get_settings
from pricewise.data.item import Item
from pricewise.data.skips import Reason, SkipCounts
from pricewise.errors import DataError

DEV_FILE = "pricer_test_dev.jsonl"
HUMAN_FILE = "human_baseline_250.csv"
EXTRA_FILES = {
    "six_categories": "extra_six_categories.jsonl",
    "lite_appliances": "extra_lite_appliances.jsonl",
    "lite_musical_appliances": "extra_lite_musical_appliances.jsonl",
    "software": "extra_software.jsonl",
    "five_other_categories": "extra_five_other_categories.jsonl",
    "finetune_pool": "finetune_pool.jsonl",
}


def _item_from_row(row: dict, source: str) -> Item:
    """A curated row (``summary`` schema) or a fine-tune pool row (``text`` schema) as an Item."""
    summary = row.get("summary") or row.get("text") or ""
    price = row.get("price")
    details = row.get("details") or ""
    if isinstance(details, dict):
        details = json.dumps(details)
    return Item(
        id=str(row.get("id", "")),
        title=str(row.get("title") or summary.split("\n", 1)[0]),
        category=str(row.get("category") or ""),
        price=float(price) if price is not None else None,
        summary=summary,
        details=details,
        source=str(row.get("source") or source),
    )


def read_curated(path: Path, skipped: SkipCounts | None = None) -> list[Item]:
    """Read a curated JSONL file of priced items. A file that is not there is a clear error.

    Without ``skipped`` an unreadable line is an error too; with it (a data build), unreadable lines
    and rows without a usable price or text are counted there by reason and the read goes on.
    """
    if not path.is_file():
        raise DataError(f"{path} not found: set PRICEWISE_DATA_DIR to the folder holding amazon/")
    items = []
    with path.open("rb") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = _item_from_row(json.loads(line.decode("utf-8")), source=path.stem)
            except (ValueError, TypeError, AttributeError) as exc:
                if skipped is None:
                    raise DataError(f"{path}:{line_no}: not a curated item row ({exc})") from exc
                skipped.add(Reason.NOT_UTF8 if isinstance(exc, UnicodeDecodeError) else Reason.MALFORMED_JSON)
                continue
            if item.has_price and item.price > 0 and item.text:
                items.append(item)
            elif skipped is not None:
                skipped.add(
                    Reason.MISSING_PRICE
                    if not item.has_price
                    else Reason.PRICE_OUT_OF_RANGE
                    if item.price <= 0
                    else Reason.MISSING_TEXT
                )
    return items


def fold_of(item_id: str, folds: int = 5) -> int:
    """The BENCHMARK.md fold of ``pricer-test-N``: N mod ``folds``."""
    try:
        return int(item_id.rsplit("-", 1)[1]) % folds
    except (IndexError, ValueError) as exc:
        raise DataError(f"{item_id!r} is not a pricer-test-N id") from exc


def dev_items(settings: Settings | None = None) -> list[Item]:
    """The 1,500 dev items (``pricer-test-0..1499``); the first 250 are test250."""
    settings = settings or get_settings()
    return read_curated(settings.amazon_dir / DEV_FILE)


def is_test250(item_id: str) -> bool:
    return item_id.startswith("pricer-test-") and int(item_id.rsplit("-", 1)[1]) < 250


def extra_items(names: list[str], settings: Settings | None = None) -> list[Item]:
    """Items of the named extra training files (keys of ``EXTRA_FILES``)."""
    settings = settings or get_settings()
    unknown = sorted(set(names) - set(EXTRA_FILES))
    if unknown:
        raise DataError(f"unknown extra training file(s) {unknown}; known: {sorted(EXTRA_FILES)}")
    items: list[Item] = []
    for name in names:
        items.extend(read_curated(settings.amazon_dir / EXTRA_FILES[name]))
    return items


def human_baseline(settings: Settings | None = None) -> dict[str, float]:
    """The person's guesses for test250, by item id."""
    settings = settings or get_settings()
    path = settings.amazon_dir / HUMAN_FILE
    if not path.is_file():
        raise DataError(f"{path} not found")
    with path.open(encoding="utf-8") as handle:
        guesses = {row["id"]: float(row["human_guess"]) for row in csv.DictReader(handle)}
    return {k: v for k, v in guesses.items() if math.isfinite(v)}
