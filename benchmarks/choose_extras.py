"""Which extra training files help? Cross-validated on the dev items OUTSIDE test250 only.

The extras are cheaper and differently mixed than the test set, so each candidate set (and a
down-weighting of the extras) is scored out of fold, under the BENCHMARK.md folds, on the 1,250 dev
items that are not test250: test250 never takes part in the choice. Fast proxy pricers only
(cached embeddings), so the whole search takes minutes on the 2-core box.

    nice -n 10 .venv/bin/python benchmarks/choose_extras.py
writes benchmarks/results/extras_selection.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from pricewise.data.sources import dev_items, extra_items, is_test250
from pricewise.evaluation.benchmark import fold_splits
from pricewise.evaluation.metrics import hit_rate, mean_absolute_error, rmsle
from pricewise.pricers import registry

CANDIDATES: list[tuple[str, list[str], float]] = [
    ("none", [], 1.0),
    ("six_categories", ["six_categories"], 1.0),
    ("five_other_categories", ["five_other_categories"], 1.0),
    ("lite_appliances", ["lite_appliances"], 1.0),
    ("lite_musical_appliances", ["lite_musical_appliances"], 1.0),
    ("finetune_pool", ["finetune_pool"], 1.0),
    ("software", ["software"], 1.0),
    ("six+five", ["six_categories", "five_other_categories"], 1.0),
    ("all but software", ["six_categories", "five_other_categories", "lite_appliances", "lite_musical_appliances", "finetune_pool"], 1.0),
    ("six+five, weight 0.3", ["six_categories", "five_other_categories"], 0.3),
]
PROXIES = {
    "embed-wordllama-ridge": ("embed", {"model": "wordllama", "regressor": "ridge", "C": 1.0, "calibration_folds": 2}),
    "knn-wordllama": ("knn", {"model": "wordllama"}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proxy", action="append", choices=sorted(PROXIES), help="run only these (default: all)")
    chosen = parser.parse_args().proxy or list(PROXIES)
    out = Path("benchmarks/results")
    saved = out / "extras_selection.json"
    # Rows of proxies not re-run now are kept from the last run.
    results = [r for r in json.loads(saved.read_text()) if r["proxy"] not in chosen] if saved.is_file() else []
    dev = dev_items()
    outside = np.array([not is_test250(i.id) for i in dev])
    truth = np.array([i.price for i in dev])
    for proxy in chosen:
        name, params = PROXIES[proxy]
        for label, extras, weight in CANDIDATES:
            extra = extra_items(extras)
            estimate = np.full(len(dev), np.nan)
            started = time.perf_counter()
            for test_index in fold_splits(dev, 5):
                held = set(test_index.tolist())
                train = [item for i, item in enumerate(dev) if i not in held] + extra
                model = registry.create(name, **params, extra_weight=weight).fit(train)
                estimate[test_index] = model.predict([dev[i] for i in test_index]).estimate
            t, e = truth[outside], estimate[outside]
            row = {
                "proxy": proxy,
                "extras": label,
                "files": extras,
                "extra_weight": weight,
                "mae": mean_absolute_error(t, e),
                "rmsle": rmsle(t, e),
                "hits": hit_rate(t, e),
                "seconds": time.perf_counter() - started,
            }
            results.append(row)
            print(json.dumps(row), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "extras_selection.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    lines = [
        "# Which extra files help (out of fold, dev items outside test250, n=1,250)",
        "",
        "| proxy pricer | extras | extra weight | error $ | RMSLE | hits % |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['proxy']} | {r['extras']} | {r['extra_weight']} | {r['mae']:.2f} | {r['rmsle']:.3f} | {r['hits']:.1f} |"
        for r in results
    ]
    (out / "extras_selection.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
