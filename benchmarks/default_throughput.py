"""Batch throughput of the trained default pricer with a COLD embedding cache (no text seen before).

The benchmark rows' items/s reuse cached embeddings; this measures what a user pricing new products
gets. Needs `pricewise train` first.

    nice -n 10 .venv/bin/python benchmarks/default_throughput.py
writes benchmarks/results/default_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from pricewise.config import get_settings
from pricewise.data.sources import dev_items
from pricewise.evaluation.benchmark import predict_in_batches
from pricewise.evaluation.machine import describe_machine
from pricewise.pricers.store import load_trained


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    settings = get_settings()
    pricer = load_trained(settings=settings)
    items = dev_items(settings)
    with tempfile.TemporaryDirectory() as cold:
        os.environ["PRICEWISE_PRICERS__CACHE_DIR"] = cold
        get_settings.cache_clear()
        started = time.perf_counter()
        predict_in_batches(pricer, items, settings.bench.batch_size)
        seconds = time.perf_counter() - started
    result = {
        "load_average_1m": os.getloadavg()[0],
        "pricer": settings.pricers.default,
        "params": settings.pricers.params.get(settings.pricers.default, {}),
        "items": len(items),
        "seconds": round(seconds, 2),
        "items_per_second": round(len(items) / seconds, 1),
        "cache": "cold",
        "machine": describe_machine(),
    }
    out = Path(settings.bench.results_dir) / "default_throughput.json"
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
