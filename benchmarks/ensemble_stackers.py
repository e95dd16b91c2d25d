"""Which stacker should the ensemble use by default? Compare them on cached out-of-fold predictions.

Reads ``benchmarks/results/<label>/oof.csv`` of the member rows (each already out of fold under
BENCHMARK.md), then cross-fits each stacker over the same five folds: the stacker for fold k is fitted
on the other folds' rows only and applied to fold k, so every combined estimate stays out of fold.
Writes ``benchmarks/results/ensemble-stackers/comparison.{json,md}``; with ``--record LABEL`` also a
leaderboard row for ``--stacker``'s cross-fitted predictions.

    nice -n 10 .venv/bin/python benchmarks/ensemble_stackers.py tfidf knn lgbm
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from pricewise.config import get_settings
from pricewise.data.sources import fold_of, is_test250
from pricewise.evaluation.benchmark import record_predictions
from pricewise.evaluation.machine import describe_machine
from pricewise.evaluation.metrics import evaluate
from pricewise.pricers.base import Estimates
from pricewise.pricers.stackers import STACKERS, combine, fit_subset_stackers


def load_members(labels: list[str], results_dir: Path) -> pd.DataFrame:
    """One column of out-of-fold estimates per label, rows = dev ids, plus ``truth``."""
    frames = []
    for label in labels:
        oof = pd.read_csv(results_dir / label / "oof.csv").set_index("id")
        frames.append(oof["estimate"].rename(label))
    truth = pd.read_csv(results_dir / labels[0] / "oof.csv").set_index("id")["truth"]
    return pd.concat(frames + [truth], axis=1, join="inner")


def cross_fit(frame: pd.DataFrame, labels: list[str], kind: str, folds: int) -> np.ndarray:
    """Stacked estimates for every row, each from a stacker fitted on the other folds."""
    fold = np.array([fold_of(i, folds) for i in frame.index])
    matrix = frame[labels].to_numpy(dtype=float)
    truth = frame["truth"].to_numpy(dtype=float)
    estimate = np.full(len(frame), np.nan)
    for k in range(folds):
        train, test = fold != k, fold == k
        stackers = fit_subset_stackers(
            {n: matrix[train, j] for j, n in enumerate(labels)}, truth[train], kind
        )
        estimate[test], _ = combine(matrix[test], labels, stackers)
    return estimate


def figures(frame: pd.DataFrame, estimate: np.ndarray) -> dict:
    settings = get_settings().bench
    test250 = frame.index.map(is_test250).to_numpy(dtype=bool)
    out = {}
    for name, rows in {"test250": test250, "dev1500": np.ones(len(frame), dtype=bool)}.items():
        result = evaluate(
            frame["truth"].to_numpy()[rows],
            estimate[rows],
            resamples=settings.bootstrap_resamples,
            seed=settings.bootstrap_seed,
        ).to_dict()
        out[name] = {m: round(result[m]["value"], 3) for m in ("mae", "rmsle", "hits")}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("labels", nargs="+", help="benchmark result labels of the members")
    parser.add_argument(
        "--stacker", default="nnls-log", choices=STACKERS, help="the one recorded with --record"
    )
    parser.add_argument("--record", help="also write a leaderboard row with this label")
    parser.add_argument(
        "--members-dir", type=Path, help="where the members' <label>/oof.csv are (default: the results dir)"
    )
    args = parser.parse_args()
    settings = get_settings()
    results_dir = Path(settings.bench.results_dir)
    members_dir = args.members_dir or results_dir
    frame = load_members(args.labels, members_dir)
    rows = {label: figures(frame, frame[label].to_numpy(dtype=float)) for label in args.labels}
    log_mean = np.expm1(np.log1p(frame[args.labels].clip(lower=0)).mean(axis=1)).to_numpy()
    rows["geometric mean (no fitting)"] = figures(frame, log_mean)
    stacked = {kind: cross_fit(frame, args.labels, kind, settings.bench.folds) for kind in STACKERS}
    for kind, estimate in stacked.items():
        rows[f"stacker {kind}"] = figures(frame, estimate)
    out = results_dir / "ensemble-stackers"
    out.mkdir(parents=True, exist_ok=True)
    report = {"members": args.labels, "machine": describe_machine(), "rows": rows}
    (out / "comparison.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    lines = [
        f"Members: {', '.join(args.labels)} (cached out-of-fold predictions; stackers cross-fitted over the folds)",
        "",
        "| combination | test250 MAE $ | RMSLE | hits % | dev1500 MAE $ | RMSLE | hits % |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in rows.items():
        t, d = row["test250"], row["dev1500"]
        lines.append(
            f"| {name} | {t['mae']:.2f} | {t['rmsle']:.3f} | {t['hits']:.1f} | {d['mae']:.2f} | {d['rmsle']:.3f} | {d['hits']:.1f} |"
        )
    (out / "comparison.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    if args.record:
        member_rows = [json.loads((members_dir / label / "row.json").read_text()) for label in args.labels]
        record_predictions(
            args.record,
            list(frame.index),
            Estimates(stacked[args.stacker]),
            fit_seconds=sum(r.get("fit_seconds") or 0.0 for r in member_rows),
            items_per_second=1
            / sum(1 / r["items_per_second"] for r in member_rows if r.get("items_per_second")),
            machine="; ".join(sorted({r["machine"] for r in member_rows})),
            notes=f"{args.stacker} stacker cross-fitted on the cached out-of-fold predictions of {', '.join(args.labels)}; "
            "fit time and throughput are the members' totals",
            extras=sorted({e for r in member_rows for e in r.get("extras", [])}),
            pricer="ensemble",
            params={"members": args.labels, "stacker": args.stacker},
            settings=settings,
        )


if __name__ == "__main__":
    main()
