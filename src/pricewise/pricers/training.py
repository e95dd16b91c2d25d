"""``pricewise train``: fit a pricer on all the training data the protocol allows and save it with
the metadata a later reader needs to trust it (data hash, extras, CV figures, library versions)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pricewise.config import Settings, get_settings
from pricewise.data.item import Item
from pricewise.data.sources import dev_items, extra_items
from pricewise.pricers.store import fit_and_save


def data_hash(items: Sequence[Item]) -> str:
    """SHA-256 over every item's id, price and text: two models with the same hash saw the same data."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(f"{item.id}\t{item.price!r}\t{item.text}\n".encode("utf-8", "replace"))
    return digest.hexdigest()


def training_items(extras: Sequence[str] | None = None, settings: Settings | None = None) -> list[Item]:
    """Every dev item plus the extra files (default: ``settings.pricers.extras``)."""
    settings = settings or get_settings()
    return dev_items(settings) + extra_items(list(settings.pricers.extras if extras is None else extras), settings)


def cv_figures(name: str, params: dict[str, Any], extras: Sequence[str], settings: Settings | None = None) -> dict[str, Any]:
    """Out-of-fold figures of the benchmark row that ran exactly this pricer, parameters and extras."""
    settings = settings or get_settings()
    wanted = {k: repr(v) for k, v in params.items()}
    for path in sorted(Path(settings.bench.results_dir).glob("*/row.json")):
        row = json.loads(path.read_text(encoding="utf-8"))
        if row.get("pricer") == name and row.get("params") == wanted and row.get("extras") == list(extras):
            sets = [s for s in ("test250", "dev1500") if s in row]
            return {"label": row["label"], **{s: {m: row[s][m]["value"] for m in ("mae", "rmsle", "hits")} for s in sets}}
    return {}


def train(
    name: str | None = None,
    extras: Sequence[str] | None = None,
    params: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Fit ``name`` (default ``pricers.default``) with its configured parameters and save it."""
    settings = settings or get_settings()
    name = name or settings.pricers.default
    extras = list(settings.pricers.extras if extras is None else extras)
    params = {**settings.pricers.params.get(name, {}), **(params or {})}
    items = training_items(extras, settings)
    metadata = {
        "training_items": len(items),
        "training_data_sha256": data_hash(items),
        "extras": extras,
        "cv": cv_figures(name, params, extras, settings),
    }
    started = time.perf_counter()
    directory = fit_and_save(name, items, metadata, settings=settings, **params)
    metadata["fit_seconds"] = round(time.perf_counter() - started, 1)
    meta_path = directory / "pricer.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["fit_seconds"] = metadata["fit_seconds"]
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return directory, meta
