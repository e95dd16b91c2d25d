"""``pricewise data build``: a training data set as Parquet splits plus a manifest, from

- the curated files in the data dir (default): ``dev`` (the 1,500 benchmark items, with their fold)
  and ``train`` (the extra training files, de-duplicated by title against dev and each other);
- local raw Amazon-Reviews-2023 files: curated, balanced and split into train/validation/test;
- the same raw files fetched from the Hugging Face hub.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pricewise.config import DataSettings, Settings, get_settings
from pricewise.data import sources
from pricewise.data.balance import balance, split
from pricewise.data.curate import Chunk, Curated, curate_chunks
from pricewise.data.dataset import MANIFEST, built_dir, write_items, write_manifest
from pricewise.data.item import Item
from pricewise.data.prices import checked_price
from pricewise.data.progress import progress_bar
from pricewise.data.raw import category_from_name, fetch_hub_file, read_raw_chunks
from pricewise.data.skips import Reason, Skip, SkipCounts
from pricewise.errors import DataError


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote: the Parquet file of each split, and the manifest (counts, skips, hash)."""

    out_dir: Path
    files: dict[str, Path]
    manifest_path: Path
    manifest: dict[str, Any]
    seconds: float


def check_curated(item: Item, rules: DataSettings) -> None:
    """An already curated item must still meet the rules: a price in range, text, a sane size."""
    checked_price(item.price, rules)
    if not item.text.strip():
        raise Skip(Reason.MISSING_TEXT)
    if len(item.text.encode("utf-8", "replace")) > rules.max_text_bytes:
        raise Skip(Reason.TOO_LARGE)


def _title_key(title: str) -> str:
    return " ".join(title.lower().split())


def build_curated(
    extras: Sequence[str] | None = None, settings: Settings | None = None, out_dir: Path | None = None
) -> BuildReport:
    """The default build from the data dir: ``dev`` with folds, ``train`` from the extra files."""
    settings = settings or get_settings()
    started = time.perf_counter()
    names = list(sources.EXTRA_FILES) if extras is None else list(extras)
    unknown = sorted(set(names) - set(sources.EXTRA_FILES))
    if unknown:
        raise DataError(f"unknown extra training file(s) {unknown}; known: {sorted(sources.EXTRA_FILES)}")
    unreadable = SkipCounts()  # lines the reader could not use; they are rows read too
    skipped = SkipCounts()
    rows_read = 0

    def checked(items: list[Item], seen: set[str] | None) -> list[Item]:
        """The items that still meet the rules, unseen titles only when ``seen`` is given."""
        kept = []
        for item in items:
            key = _title_key(item.title)
            try:
                check_curated(item, settings.data)
                if seen is not None and key in seen:
                    raise Skip(Reason.DUPLICATE)
            except Skip as skip:
                skipped.add(skip.reason)
                continue
            if seen is not None:
                seen.add(key)
            kept.append(item)
        return kept

    with progress_bar() as progress:
        task = progress.add_task("reading curated files", total=len(names) + 1)
        loaded = sources.read_curated(settings.amazon_dir / sources.DEV_FILE, unreadable)
        rows_read += len(loaded)
        dev = checked(loaded, None)
        progress.advance(task)
        seen = {_title_key(item.title) for item in dev}
        train: list[Item] = []
        for name in names:
            loaded = sources.read_curated(settings.amazon_dir / sources.EXTRA_FILES[name], unreadable)
            rows_read += len(loaded)
            train.extend(checked(loaded, seen))
            progress.advance(task)
    rows_read += sum(unreadable.values())
    skipped.update(unreadable)
    folds = settings.bench.folds
    out_dir = out_dir or built_dir(settings)
    files = {
        "dev": write_items(
            dev,
            out_dir / "dev.parquet",
            {
                "fold": [sources.fold_of(i.id, folds) for i in dev],
                "test250": [sources.is_test250(i.id) for i in dev],
            },
        ),
        "train": write_items(train, out_dir / "train.parquet"),
    }
    inputs = [sources.DEV_FILE] + [sources.EXTRA_FILES[n] for n in names]
    manifest = write_manifest(
        out_dir / MANIFEST,
        "curated",
        {"dev": dev, "train": train},
        skipped.as_dict(),
        inputs,
        rows_read,
        settings,
    )
    return BuildReport(out_dir, files, out_dir / MANIFEST, manifest, time.perf_counter() - started)


def build_raw(
    paths: Sequence[Path],
    settings: Settings | None = None,
    category: str | None = None,
    out_dir: Path | None = None,
    kind: str = "raw",
) -> BuildReport:
    """Curate raw 2023 files (category from ``category``, else the file name ``meta_<Category>``,
    else each row's ``main_category``), then balance and split them as the course did."""
    settings = settings or get_settings()
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise DataError(f"raw file(s) not found: {', '.join(missing)}")
    rules = settings.data
    curated = Curated()
    rows_read = 0
    with progress_bar() as progress:
        task = progress.add_task("curating raw metadata (bytes)", total=sum(p.stat().st_size for p in paths))
        done_before = 0
        for path in paths:

            def on_chunk(chunk: Chunk, _: Curated, base: int = done_before) -> None:
                progress.update(task, completed=base + chunk.position)

            result = curate_chunks(
                _chunks(path, category or category_from_name(path), rules), rules, on_chunk
            )
            rows_read += len(result.items) + sum(result.skipped.values())
            curated.merge(result)
            done_before += path.stat().st_size
    balanced = balance(curated.items, rules, settings.seed)
    parts = split(balanced, rules, settings.seed).named()
    out_dir = out_dir or built_dir(settings)
    files = {name: write_items(items, out_dir / f"{name}.parquet") for name, items in parts.items()}
    manifest = write_manifest(
        out_dir / MANIFEST,
        kind,
        parts,
        curated.skipped.as_dict(),
        [str(p) for p in paths],
        rows_read,
        settings,
        curated=len(curated.items),
        balanced=len(balanced),
    )
    return BuildReport(out_dir, files, out_dir / MANIFEST, manifest, time.perf_counter() - started)


def _chunks(path: Path, category: str | None, rules: DataSettings) -> Iterator[Chunk]:
    start = 0
    for lines, position in read_raw_chunks(path, rules.chunk_size):
        yield Chunk(lines, path.name.split(".")[0], category, start, position)
        start += len(lines)


def build_hub(
    categories: Sequence[str], settings: Settings | None = None, out_dir: Path | None = None
) -> BuildReport:
    """Fetch each ``raw_meta_<Category>`` file from the hub (or its cache), then ``build_raw`` them."""
    settings = settings or get_settings()
    if not categories:
        raise DataError("name at least one category, e.g. --hub Appliances")
    paths = [fetch_hub_file(category, settings.data) for category in categories]
    return build_raw(paths, settings, out_dir=out_dir, kind="hub")
