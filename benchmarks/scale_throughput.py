"""Throughput and peak memory of batch pricing: local engine vs Ray with 1 and 2 workers.

    .venv/bin/python benchmarks/scale_throughput.py [--rows 1000000] [--pricer NAME] [--prefix N]

Builds a synthetic catalog of ``--rows`` rows under the artifacts dir (titles and description lines
of the shared data, shuffled and recombined; never committed), trains the pricer if it is not
trained yet (default: ``pricers.default``), then prices the catalog (or its first ``--prefix`` rows)
once per engine, each run in its own process so its peak memory can be measured: the proportional
set size (PSS) of the process and all its descendants (Ray's GCS, raylet and workers), sampled every
0.25 s. Writes ``benchmarks/results/scale/<pricer>-<rows>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "scale"
RUNS = {"local": ("local", None), "ray-1": ("ray", 1), "ray-2": ("ray", 2)}


def build_catalog(path: Path, rows: int, seed: int, chunk: int = 50_000) -> None:
    """``rows`` products made of a random title and 1-4 random description lines from the shared data."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    from rich.progress import track

    from pricewise.data.sources import EXTRA_FILES, dev_items, extra_items

    items = dev_items() + extra_items(list(EXTRA_FILES))
    titles = [i.title for i in items if i.title]
    lines = [line for i in items for line in i.summary.split("\n")[1:] if line.strip()]
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    with pq.ParquetWriter(
        tmp, pa.schema([("id", pa.string()), ("title", pa.string()), ("description", pa.string())])
    ) as out:
        for start in track(range(0, rows, chunk), description=f"building {rows:,}-row catalog"):
            n = min(chunk, rows - start)
            title_idx = rng.integers(0, len(titles), n)
            counts = rng.integers(1, 5, n)
            line_idx = rng.integers(0, len(lines), counts.sum())
            bounds = np.concatenate([[0], np.cumsum(counts)])
            out.write_table(
                pa.table(
                    {
                        "id": [f"synth-{start + i}" for i in range(n)],
                        "title": [titles[j] for j in title_idx],
                        "description": [
                            " ".join(lines[j] for j in line_idx[bounds[i] : bounds[i + 1]]) for i in range(n)
                        ],
                    }
                )
            )
    tmp.rename(path)


def prefix_of(source: Path, rows: int) -> Path:
    """The first ``rows`` rows of ``source`` as their own file (built once)."""
    import pyarrow.parquet as pq

    path = source.with_name(f"{source.stem}-first{rows}.parquet")
    if not path.exists():
        pq.write_table(pq.ParquetFile(source).read().slice(0, rows), path)
    return path


def tree_pss(pid: int) -> int:
    """PSS bytes of ``pid`` and its descendants (shared pages such as Ray's object store counted once)."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def measure(run: str, source: Path, output: Path, pricer: str, batch_size: int) -> dict:
    """One engine run in a child process; its report plus the peak PSS of its process tree."""
    engine, workers = RUNS[run]
    load = os.getloadavg()[0]
    command = [
        sys.executable,
        __file__,
        "--child",
        str(source),
        str(output),
        pricer,
        engine,
        str(workers or 0),
        str(batch_size),
    ]
    # A fresh embedding cache per run: a catalog's new products are never cached, and no run may
    # profit from the vectors an earlier run wrote.
    env = os.environ | {"PRICEWISE_PRICERS__CACHE_DIR": tempfile.mkdtemp(prefix="pw-scale-cache-")}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_pss(child.pid))
        time.sleep(0.25)
    stdout = child.stdout.read()
    if child.returncode != 0:
        raise SystemExit(f"{run} failed with exit code {child.returncode}")
    report = json.loads(stdout.strip().splitlines()[-1])
    return {
        "run": run,
        **report,
        "peak_pss_mib": round(peak / 1024**2, 1),
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }


def child(source: str, output: str, pricer: str, engine: str, workers: str, batch_size: str) -> None:
    from pricewise.scale.batch import price_file

    report = price_file(
        source,
        output,
        pricer_name=pricer,
        engine=engine,
        workers=int(workers) or None,
        batch_size=int(batch_size),
        progress=False,
    )
    print(json.dumps(report.to_dict()))


def steady(run: dict) -> float:
    """Rows/s once running: all rows over the time after the first chunk (start-up excluded)."""
    busy = run["seconds"] - run["startup_seconds"]
    return run["rows"] / busy if busy > 0 else 0.0


def projection(runs: list[dict]) -> dict:
    """The per-worker figure (Ray, 1 worker, after start-up) and how 2 workers on this box compare."""
    by_run = {r["run"]: r for r in runs}
    per_worker = steady(by_run["ray-1"]) if "ray-1" in by_run else 0.0
    two = steady(by_run["ray-2"]) if "ray-2" in by_run else 0.0
    return {
        "per_worker_rows_per_second": per_worker,
        "scaling_1_to_2": two / per_worker if per_worker else 0.0,
    }


def io_ceiling() -> float | None:
    """Rows/s of the constant pricer on Ray after start-up: pricing is free there, so this is what the
    single read task and the driver's writer allow (None until that run exists)."""
    runs = [json.loads(f.read_text(encoding="utf-8")) for f in sorted(RESULTS.glob("constant-*.json"))]
    rates = [steady(r) for result in runs for r in result["runs"] if r["run"].startswith("ray")]
    return max(rates) if rates else None


def _projection_text(p: dict) -> str:
    """The per-node projection, and why 2 workers on this box scaled as they did."""
    rate, ceiling = p["per_worker_rows_per_second"], io_ceiling()
    text = f"Projected gain per added node of N cores: about N x {rate:,.0f} rows/s"
    if ceiling is None:
        return text + ", until the single read task and the driver's writer become the ceiling."
    text += f", until the single read task and the driver's writer (about {ceiling:,.0f} rows/s here) set the ceiling."
    if p["scaling_1_to_2"] < 1.3:
        text += (
            " Here that ceiling is why a second worker barely helped."
            if rate >= ceiling / 2
            else " The poor 1 -> 2 scaling is not that ceiling: two workers, the driver and Ray's services share "
            "2 cores (see the load average)."
        )
    return text


def markdown(result: dict) -> str:
    lines = [
        f"# Batch pricing throughput: `{result['pricer']}` over {result['rows_priced']:,} synthetic rows",
        "",
        (
            f"Machine: {result['machine']}. Input: Parquet, batch size {result['batch_size']}. "
            "Peak memory: PSS of the whole process tree (driver, and Ray's GCS, raylet and workers). "
            "The box is shared: the 1-minute load average is shown, and figures are only as steady as it."
        ),
        "",
        (
            "| run | rows/s (all) | rows/s (after start-up) | seconds | of which start-up | peak memory (MiB) "
            "| failed rows | load avg before/after |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["runs"]:
        lines.append(
            f"| {r['run']} | {r['rows_per_second']:,.0f} | {steady(r):,.0f} | {r['seconds']:.1f} "
            f"| {r['startup_seconds']:.1f} "
            f"| {r['peak_pss_mib']:,.0f} | {r['failed']} | {r['load_before']:.1f} / {r['load_after']:.1f} |"
        )
    p = projection(result["runs"])
    lines += [
        "",
        f"Per Ray worker: {p['per_worker_rows_per_second']:,.0f} rows/s after start-up (1 worker); 2 workers on "
        "2 cores reach "
        f"{p['scaling_1_to_2']:.2f}x of 1 worker. " + _projection_text(p),
        "",
        f"Regenerate: `{result['command']}`",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--render":  # rewrite a results .json's projection and .md
        path = Path(sys.argv[2])
        result = json.loads(path.read_text(encoding="utf-8"))
        result["projection"] = projection(result["runs"])
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        path.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the synthetic catalog")
    parser.add_argument("--prefix", type=int, default=None, help="price only the first N rows")
    parser.add_argument("--pricer", default=None, help="trained pricer (default: pricers.default)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--runs", nargs="+", default=list(RUNS), choices=list(RUNS))
    parser.add_argument("--machine", default="2-core CPU box")
    args = parser.parse_args()

    from pricewise.config import get_settings
    from pricewise.errors import ModelError
    from pricewise.pricers.store import load_trained
    from pricewise.pricers.training import train

    settings = get_settings()
    pricer = args.pricer or settings.pricers.default
    batch_size = args.batch_size or settings.scale.batch_size
    catalog = settings.artifacts_dir / "scale" / f"synthetic-{args.rows}.parquet"
    if not catalog.exists():
        build_catalog(catalog, args.rows, settings.seed)
    source = prefix_of(catalog, args.prefix) if args.prefix else catalog
    try:
        load_trained(pricer, settings)
    except ModelError:
        train(pricer, settings=settings)
    runs = []
    for run in args.runs:
        runs.append(
            measure(
                run, source, settings.artifacts_dir / "scale" / f"priced-{run}.parquet", pricer, batch_size
            )
        )
        print(json.dumps(runs[-1]))
    result = {
        "pricer": pricer,
        "rows_in_catalog": args.rows,
        "rows_priced": runs[0]["rows"],
        "batch_size": batch_size,
        "machine": f"{args.machine} ({platform.processor() or platform.machine()}, Python {platform.python_version()})",
        "runs": runs,
        "projection": projection(runs),
        "command": "benchmarks/scale_throughput.py " + " ".join(sys.argv[1:]),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{pricer}-{result['rows_priced']}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"{stem}.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))


if __name__ == "__main__":
    main()
