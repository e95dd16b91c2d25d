"""Throughput of the data pipeline: raw Amazon-2023 curation with 1 and 2 workers, and the default build.

    nice -n 10 .venv/bin/python benchmarks/data_curation.py [--rows 30000]

The raw input is made from the shared curated data put back into the raw 2023 shape (title,
description lines, details dict, price, main_category), repeated up to ``--rows`` rows and gzipped
under the artifacts dir (never committed), so the tokenizer sees real product text. Each run is
timed end to end (read, parse, scrub, tokenize, balance, split, write Parquet). Writes
``benchmarks/results/data/curation.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "data"


def build_raw_file(path: Path, rows: int) -> int:
    """Write ``rows`` raw-schema rows made from the shared items; returns the bytes written."""
    from pricewise.data.sources import EXTRA_FILES, dev_items, extra_items

    items = [
        i for i in dev_items() + extra_items([n for n in EXTRA_FILES if n != "finetune_pool"]) if i.summary
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for n in range(rows):
            item = items[n % len(items)]
            row = {
                "main_category": item.category,
                "title": item.title,
                "features": [],
                "description": item.summary.split("\n")[1:],
                "details": item.details_dict,
                "price": item.price,
                "parent_asin": f"{item.id}-{n}",
            }
            out.write(json.dumps(row) + "\n")
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=30_000)
    args = parser.parse_args()

    from pricewise.config import get_settings
    from pricewise.data.build import build_curated, build_raw
    from pricewise.evaluation.machine import describe_machine

    settings = get_settings()
    load_before = os.getloadavg()[0]
    raw = settings.artifacts_dir / "bench" / f"meta_Synthetic_{args.rows}.jsonl.gz"
    size = build_raw_file(raw, args.rows)
    runs = []
    for workers in (1, 2):
        run_settings = settings.model_copy(
            update={"data": settings.data.model_copy(update={"workers": workers})}
        )
        started = time.perf_counter()
        report = build_raw([raw], run_settings, out_dir=settings.artifacts_dir / "bench" / f"out-{workers}")
        seconds = time.perf_counter() - started
        runs.append(
            {
                "mode": f"raw curation, {workers} worker{'s' if workers > 1 else ''}",
                "rows": report.manifest["rows_read"],
                "kept": report.manifest["curated"],
                "seconds": round(seconds, 2),
                "rows_per_second": round(report.manifest["rows_read"] / seconds, 1),
                "content_hash": report.manifest["content_hash"],
            }
        )
    started = time.perf_counter()
    report = build_curated(settings=settings, out_dir=settings.artifacts_dir / "bench" / "curated")
    seconds = time.perf_counter() - started
    runs.append(
        {
            "mode": "default build (curated files)",
            "rows": report.manifest["rows_read"],
            "kept": report.manifest["rows_kept"],
            "seconds": round(seconds, 2),
            "rows_per_second": round(report.manifest["rows_read"] / seconds, 1),
            "content_hash": report.manifest["content_hash"],
        }
    )
    # The box is shared: the 1-minute load average says how much other work ran beside these timings.
    load = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    result = {"machine": describe_machine(), "load_average_1min": load, "raw_file_bytes": size, "runs": runs}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "curation.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# Data pipeline throughput ({result['machine']})",
        "",
        f"Raw input: {args.rows:,} rows in the 2023 schema, {size / 2**20:.1f} MiB gzipped. "
        f"1-minute load average {load[0]} before, {load[1]} after (shared box).",
        "",
        "| mode | rows | kept | seconds | rows/s |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {r['mode']} | {r['rows']:,} | {r['kept']:,} | {r['seconds']} | {r['rows_per_second']:,} |"
            for r in runs
        ],
        "",
    ]
    (RESULTS / "curation.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
