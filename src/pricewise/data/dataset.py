"""Data sets on disk: Items as Parquet files, and the manifest JSON that says what a build holds
(rows and price statistics per split and category, rows skipped by reason, a content hash)."""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pricewise.config import Settings
from pricewise.data.item import Item
from pricewise.errors import DataError

COLUMNS = ("id", "title", "category", "price", "summary", "details", "source")
MANIFEST = "manifest.json"


def built_dir(settings: Settings) -> Path:
    """Where ``pricewise data build`` writes: ``<artifacts>/data``."""
    return settings.artifacts_dir / "data"


def write_items(
    items: Sequence[Item], path: Path, columns: Mapping[str, Sequence[Any]] | None = None
) -> Path:
    """Write items (plus optional per-row ``columns``, e.g. the fold) as one Parquet file."""
    import pandas as pd

    frame = pd.DataFrame(
        [{name: getattr(item, name) for name in COLUMNS} for item in items], columns=list(COLUMNS)
    )
    for name, values in (columns or {}).items():
        frame[name] = list(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return path


def read_items(path: Path) -> list[Item]:
    """Items from a Parquet file written by a build or an import."""
    import pandas as pd

    if not path.is_file():
        raise DataError(f"{path} not found: run `pricewise data build` or `pricewise data import` first")
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a file that is not Parquet
        raise DataError(f"{path} is not a readable Parquet file ({exc})") from exc
    missing = [c for c in ("title", "summary", "price") if c not in frame.columns]
    if missing:
        raise DataError(f"{path} is not a pricewise data set: missing column(s) {', '.join(missing)}")
    items = []
    for row in frame.to_dict("records"):
        price = row.get("price")
        items.append(
            Item(
                **{k: str(row.get(k) or "") for k in COLUMNS if k != "price"},
                price=None if price is None or price != price else float(price),
            )
        )
    return items


def describe(items: Sequence[Item]) -> dict[str, Any]:
    """Rows, rows per category and price statistics (what a manifest and ``data stats`` show)."""
    prices = [item.price for item in items if item.has_price]
    summary: dict[str, Any] = {
        "rows": len(items),
        "categories": dict(sorted(Counter(item.category or "(none)" for item in items).items())),
    }
    if prices:
        summary["price"] = {
            "min": round(min(prices), 2),
            "median": round(statistics.median(prices), 2),
            "mean": round(statistics.fmean(prices), 2),
            "max": round(max(prices), 2),
        }
    return summary


def content_hash(splits: Mapping[str, Sequence[Item]]) -> str:
    """SHA-256 over every row's content in order: equal hashes mean equal data, whatever the file bytes."""
    digest = hashlib.sha256()
    for name in sorted(splits):
        digest.update(name.encode())
        for item in splits[name]:
            row = [getattr(item, column) for column in COLUMNS]
            digest.update(json.dumps(row, ensure_ascii=False).encode())
            digest.update(b"\n")
    return "sha256:" + digest.hexdigest()


def write_manifest(
    path: Path,
    kind: str,
    splits: Mapping[str, Sequence[Item]],
    skipped: Mapping[str, int],
    inputs: Sequence[str],
    rows_read: int,
    settings: Settings,
    **more: Any,
) -> dict[str, Any]:
    """Write the manifest JSON for a build or an import and return it."""
    manifest = {
        "kind": kind,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": list(inputs),
        "rows_read": rows_read,
        "rows_kept": sum(len(items) for items in splits.values()),
        "skipped": dict(skipped),
        "splits": {name: describe(items) for name, items in splits.items()},
        "content_hash": content_hash(splits),
        "rules": settings.data.model_dump(exclude={"currency_rates", "detail_removals"}),
        "seed": settings.seed,
        **more,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path``, or None when there is none (or it is not valid JSON)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
