"""The benchmark protocol of ../shared/docs/BENCHMARK.md for any registered pricer.

Fold of ``pricer-test-N`` is N mod 5. For each fold k a fresh pricer is fitted on the dev items of
the other folds plus the chosen extra files, and predicts fold k in batches. Every prediction is out
of fold. Results go to ``<results_dir>/<label>/``: ``oof.csv`` and ``row.json``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pricewise.config import Settings, get_settings
from pricewise.data.item import Item
from pricewise.data.sources import dev_items, extra_items, fold_of, is_test250
from pricewise.errors import DataError
from pricewise.evaluation.machine import describe_machine
from pricewise.evaluation.metrics import evaluate
from pricewise.pricers import registry
from pricewise.pricers.base import Estimates, Pricer


def predict_in_batches(pricer: Pricer, items: Sequence[Item], batch_size: int, description: str = "") -> Estimates:
    """``pricer.predict`` over ``items`` in batches of ``batch_size``, with a progress bar."""
    from rich.progress import Progress

    parts: list[Estimates] = []
    with Progress(transient=True) as progress:
        task = progress.add_task(description or f"pricing with {pricer.name}", total=len(items))
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            parts.append(pricer.predict(batch))
            progress.advance(task, len(batch))
    return concat_estimates(parts)


def concat_estimates(parts: Sequence[Estimates]) -> Estimates:
    if not parts:
        return Estimates(np.array([]))
    intervals = all(p.has_intervals for p in parts)
    return Estimates(
        np.concatenate([p.estimate for p in parts]),
        np.concatenate([p.low for p in parts]) if intervals else None,
        np.concatenate([p.high for p in parts]) if intervals else None,
        parts[0].coverage,
    )


def fold_splits(items: Sequence[Item], folds: int) -> list[np.ndarray]:
    """Index arrays of the items in each fold."""
    fold = np.array([fold_of(i.id, folds) for i in items])
    return [np.flatnonzero(fold == k) for k in range(folds)]


def run_benchmark(
    pricer: str,
    params: dict[str, Any] | None = None,
    extras: Iterable[str] = (),
    label: str | None = None,
    settings: Settings | None = None,
    notes: str = "",
) -> dict[str, Any]:
    """Cross-fit ``pricer`` under the protocol and record its row. Returns the row."""
    settings = settings or get_settings()
    extras = list(extras)
    params = params or {}
    dev = dev_items(settings)
    extra = extra_items(extras, settings)
    n_folds = settings.bench.folds
    estimates: list[Estimates | None] = [None] * n_folds
    fit_seconds = predict_seconds = 0.0
    for k, test_index in enumerate(fold_splits(dev, n_folds)):
        test_ids = set(test_index.tolist())
        train = [item for i, item in enumerate(dev) if i not in test_ids] + extra
        model = registry.create(pricer, **params)
        started = time.perf_counter()
        model.fit(train)
        fit_seconds += time.perf_counter() - started
        test = [dev[i] for i in test_index]
        started = time.perf_counter()
        estimates[k] = predict_in_batches(model, test, settings.bench.batch_size, f"{pricer}: fold {k + 1}/{n_folds}")
        predict_seconds += time.perf_counter() - started
    order = np.concatenate(fold_splits(dev, n_folds))
    oof = concat_estimates([e for e in estimates if e is not None]).take(np.argsort(order))
    return record_predictions(
        label or pricer,
        [item.id for item in dev],
        oof,
        fit_seconds=fit_seconds,
        items_per_second=len(dev) / predict_seconds if predict_seconds > 0 else float("inf"),
        machine=describe_machine(),
        notes=notes,
        extras=extras,
        pricer=pricer,
        params=params,
        settings=settings,
    )


def record_predictions(
    label: str,
    ids: Sequence[str],
    estimates: Estimates,
    fit_seconds: float | None,
    items_per_second: float | None,
    machine: str,
    notes: str = "",
    extras: Iterable[str] = (),
    pricer: str | None = None,
    params: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Score out-of-fold predictions made anywhere (here, or on a GPU machine) and write the row.

    ``ids`` must be dev ids (``pricer-test-N``); test250 figures need all of its 250 ids.
    """
    settings = settings or get_settings()
    truth_by_id = {item.id: item.price for item in dev_items(settings)}
    unknown = [i for i in ids if i not in truth_by_id]
    if unknown:
        raise DataError(f"{len(unknown)} ids are not dev items, e.g. {unknown[:3]}")
    if len(ids) != len(estimates):
        raise DataError(f"{len(ids)} ids but {len(estimates)} estimates")
    frame = pd.DataFrame({"id": list(ids), "truth": [truth_by_id[i] for i in ids], "estimate": estimates.estimate})
    if estimates.has_intervals:
        frame["low"], frame["high"] = estimates.low, estimates.high
    test250 = frame[frame["id"].map(is_test250)]
    sets = {"test250": test250} if test250["id"].nunique() == 250 else {}
    if frame["id"].nunique() == len(truth_by_id):
        sets["dev1500"] = frame
    if not sets:
        raise DataError("record all of test250 or all dev items: a partial set has no comparable figures")
    row: dict[str, Any] = {
        "label": label,
        "pricer": pricer or label,
        "params": {k: repr(v) for k, v in (params or {}).items()},
        "extras": list(extras),
        "fit_seconds": fit_seconds,
        "items_per_second": items_per_second,
        "machine": machine,
        "notes": notes,
        "interval_coverage_target": estimates.coverage,
    }
    for name, subset in sets.items():
        figures = evaluate(
            subset["truth"].to_numpy(),
            subset["estimate"].to_numpy(),
            subset["low"].to_numpy() if "low" in subset else None,
            subset["high"].to_numpy() if "high" in subset else None,
            resamples=settings.bench.bootstrap_resamples,
            seed=settings.bench.bootstrap_seed,
        )
        row[name] = figures.to_dict()
    out = Path(settings.bench.results_dir) / label
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "oof.csv", index=False)
    (out / "row.json").write_text(json.dumps(row, indent=2), encoding="utf-8")
    return row
