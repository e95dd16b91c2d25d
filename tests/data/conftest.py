"""Fixture rows in the raw Amazon-Reviews-2023 metadata schema, and files of them, written by the tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

SENTENCE = (
    "This replacement water filter fits most side-by-side refrigerators and removes chlorine taste and odor "
    "while keeping the flow rate high, so every glass of water tastes clean and fresh for six months. "
)


def make_row(n: int = 0, price: Any = 49.99, **fields: Any) -> dict[str, Any]:
    """A valid 2023 row: long enough to pass the character and token minimums."""
    row = {
        "main_category": "Appliances",
        "title": f"Acme Fridge Filter {n} Model WF2CB12345X",
        "features": ["Certified to reduce lead", "Easy twist-in installation, no tools needed"],
        "description": [SENTENCE * 6],
        "details": {"Brand": "Acme", "Batteries Included?": "No", "Date First Available": "May 1, 2020"},
        "price": price,
        "parent_asin": f"B{n:09d}",
    }
    row.update(fields)
    return row


def write_lines(path: Path, rows: list[dict | bytes | str]) -> Path:
    """Write rows (dicts as JSON; bytes and str verbatim) one a line; ``.gz`` names are gzipped."""
    lines = []
    for row in rows:
        if isinstance(row, dict):
            lines.append(json.dumps(row).encode())
        elif isinstance(row, str):
            lines.append(row.encode())
        else:
            lines.append(row)
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


@pytest.fixture
def raw_row():
    return make_row


@pytest.fixture
def write_jsonl():
    return write_lines
