"""``pricewise data stats``: what the shared data files and the built data sets hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pricewise.config import Settings, get_settings
from pricewise.data import sources
from pricewise.data.dataset import MANIFEST, built_dir, describe, read_manifest
from pricewise.errors import DataError


@dataclass(frozen=True)
class StatsRow:
    """One line of the stats table: a file or a built split, its rows, categories and prices."""

    group: str
    name: str
    rows: int
    categories: dict[str, int]
    price: dict[str, float]


def shared_stats(settings: Settings | None = None) -> list[StatsRow]:
    """A row per curated file in ``<data_dir>/amazon`` that exists (missing ones are left out)."""
    settings = settings or get_settings()
    files = [sources.DEV_FILE, *sources.EXTRA_FILES.values()]
    rows = []
    for name in files:
        path = settings.amazon_dir / name
        if not path.is_file():
            continue
        rows.append(_row("shared", name, describe(sources.read_curated(path))))
    if not rows:
        raise DataError(f"no curated data files in {settings.amazon_dir}: set PRICEWISE_DATA_DIR")
    return rows


def built_stats(settings: Settings | None = None) -> list[StatsRow]:
    """A row per split of the last build and per imported catalog, from their manifests."""
    settings = settings or get_settings()
    root = built_dir(settings)
    manifests = [root / MANIFEST, *sorted((root / "imported").glob("*.manifest.json"))]
    rows = []
    for path in manifests:
        manifest = read_manifest(path)
        if not manifest:
            continue
        if path.name == MANIFEST:
            group = f"built ({manifest.get('kind', '?')})"
        else:
            group = f"imported {path.name.removesuffix('.manifest.json')}"
        for split, summary in manifest.get("splits", {}).items():
            rows.append(_row(group, split, summary))
    return rows


def _row(group: str, name: str, summary: dict[str, Any]) -> StatsRow:
    return StatsRow(group, name, summary["rows"], summary.get("categories", {}), summary.get("price", {}))
