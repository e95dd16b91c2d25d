"""The leaderboard: every recorded row under the results dir, the human row, and the published
figures, as Markdown and JSON, plus the scatter chart of the best pricer on test250."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pricewise.config import Settings, get_settings
from pricewise.data.sources import dev_items, human_baseline, is_test250
from pricewise.errors import DataError
from pricewise.evaluation.metrics import evaluate

#: Published figures on test250 (../shared/README.md): error $, RMSLE, hits %.
PUBLISHED = {
    "human (course)": (126.55, 1.00, 32.0),
    "bag-of-words LR (course, 400k items)": (113.60, 0.99, 24.8),
    "word2vec RF (course, 400k items)": (96.34, 0.88, 39.2),
    "GPT-4o (course)": (75.92, 0.75, 58.0),
    "GPT-4o-mini (course)": (79.58, 0.59, 52.0),
    "GPT-4o-mini + RAG (course)": (49.73, 0.41, 70.4),
    "ensemble (course)": (51.33, 0.50, 66.6),
    "fine-tuned Llama-3.1-8B (course, 400k items)": (47.80, 0.39, 71.2),
}


def human_row(settings: Settings) -> dict[str, Any]:
    truth = {item.id: item.price for item in dev_items(settings) if is_test250(item.id)}
    guesses = human_baseline(settings)
    ids = [i for i in truth if i in guesses]
    figures = evaluate(
        np.array([truth[i] for i in ids]),
        np.array([guesses[i] for i in ids]),
        resamples=settings.bench.bootstrap_resamples,
        seed=settings.bench.bootstrap_seed,
    )
    return {"label": "human", "pricer": "human", "extras": [], "machine": "a person", "test250": figures.to_dict()}


def load_rows(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Recorded rows plus the human row, best test250 error first."""
    settings = settings or get_settings()
    rows = [human_row(settings)]
    for path in sorted(Path(settings.bench.results_dir).glob("*/row.json")):
        rows.append(json.loads(path.read_text(encoding="utf-8")))

    def key(row: dict[str, Any]) -> float:
        return row.get("test250", {}).get("mae", {}).get("value", float("inf"))

    return sorted(rows, key=key)


def _metric(figures: dict | None, name: str, digits: int) -> str:
    if not figures:
        return "–"
    m = figures[name]
    return f"{m['value']:.{digits}f} ({m['low']:.{digits}f}–{m['high']:.{digits}f})"


def _coverage(figures: dict | None) -> str:
    if not figures or figures.get("coverage") is None:
        return "–"
    return f"{figures['coverage']:.1f}% / ${figures['mean_width']:.0f}"


def _number(value: float | None, fmt: str) -> str:
    return "–" if value is None else format(value, fmt)


def format_rate(value: float | None) -> str:
    """Items/s: thousands separated, with one decimal below 10 so a slow model never reads as 0."""
    if value is None:
        return "–"
    return format(value, ".1f") if value < 10 else format(value, ",.0f")


def to_markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "# Leaderboard",
        "",
        "Out-of-fold figures under ../shared/docs/BENCHMARK.md (5 folds by id mod 5), with 95% bootstrap",
        "intervals (1,000 resamples, seed 0). Error is mean absolute error in $, hits are the % of estimates",
        "within $40 or 20%. Coverage is the share of truths inside the stated 80% interval, and its mean",
        "width. Fit time is all five folds; items/s is batch prediction throughput. Regenerate with",
        "`pricewise bench leaderboard` after running the pricers (see README).",
        "",
        "| pricer | extra training data | test250 error $ | test250 RMSLE | test250 hits % | dev1500 error $ "
        "| dev1500 RMSLE | dev1500 hits % | 80% interval coverage / width (dev1500) | fit s | items/s | machine |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        t, d = row.get("test250"), row.get("dev1500")
        failed = sum((s or {}).get("failed", 0) for s in (d or t,))
        label = row["label"] + (f" ({failed} unpriced)" if failed else "")
        lines.append(
            f"| {label} | {', '.join(row.get('extras') or []) or '–'} | {_metric(t, 'mae', 2)} | "
            f"{_metric(t, 'rmsle', 2)} | {_metric(t, 'hits', 1)} | {_metric(d, 'mae', 2)} | {_metric(d, 'rmsle', 2)} | "
            f"{_metric(d, 'hits', 1)} | {_coverage(d or t)} | {_number(row.get('fit_seconds'), '.1f')} | "
            f"{format_rate(row.get('items_per_second'))} | {row.get('machine', '–')} |"
        )
    lines += ["", "## Published figures on test250 (course, trained on 400k items)", "",
              "| pricer | error $ | RMSLE | hits % |", "|---|---|---|---|"]
    lines += [f"| {name} | {e:.2f} | {r:.2f} | {h:.1f} |" for name, (e, r, h) in PUBLISHED.items()]
    notes = [f"- **{row['label']}**: {row['notes']}" for row in rows if row.get("notes")]
    if notes:
        lines += ["", "## Notes", "", *notes]
    return "\n".join(lines) + "\n"


def write_leaderboard(settings: Settings | None = None, out_dir: Path | None = None) -> dict[str, Path]:
    """Write ``leaderboard.md``, ``leaderboard.json`` and the best pricer's scatter chart."""
    from pricewise.evaluation.charts import scatter_chart

    settings = settings or get_settings()
    out_dir = Path(out_dir or Path(settings.bench.results_dir).parent)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = load_rows(settings)
    paths = {"markdown": out_dir / "leaderboard.md", "json": out_dir / "leaderboard.json"}
    paths["markdown"].write_text(to_markdown(rows), encoding="utf-8")
    paths["json"].write_text(json.dumps({"rows": rows, "published_test250": PUBLISHED}, indent=2), encoding="utf-8")
    best = next((r for r in rows if r["label"] != "human" and "test250" in r), None)
    if best is not None:
        oof = Path(settings.bench.results_dir) / best["label"] / "oof.csv"
        if not oof.is_file():
            raise DataError(f"{oof} missing: re-run the benchmark for {best['label']}")
        frame = pd.read_csv(oof)
        frame = frame[frame["id"].map(is_test250)]
        paths["chart"] = scatter_chart(
            frame["truth"].to_numpy(), frame["estimate"].to_numpy(), f"{best['label']} on test250",
            out_dir / "scatter_best.png",
        )
    return paths
