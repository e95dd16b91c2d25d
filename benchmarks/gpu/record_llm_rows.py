"""Turns what the GPU procedure brought back into leaderboard rows (``record_predictions``).

    python benchmarks/gpu/record_llm_rows.py /work/.device/<call>/   # the folder(s) holding oof_*.csv
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from pricewise.evaluation.benchmark import record_predictions
from pricewise.pricers.base import Estimates

RESULTS = Path("benchmarks/results/llm_gpu.json")
ROWS = {
    "zero_greedy": ("llm-zero-shot-greedy", "llm-zero-shot", "zero_shot_greedy_items_per_second"),
    "zero_expected": ("llm-zero-shot-expected", "llm-zero-shot", "zero_shot_expected_items_per_second"),
    "finetuned_greedy": ("llm-gemma270m-lora-greedy", "llm", "greedy"),
    "finetuned_expected": ("llm-gemma270m-lora-expected", "llm", "expected"),
}


def main(folders: list[str]) -> None:
    report = json.loads(RESULTS.read_text())
    fit_seconds = sum(f["train_seconds"] for f in report["folds"].values())
    for key, (label, pricer, rate_key) in ROWS.items():
        path = next((Path(f) / f"oof_{key}.csv" for f in folders if (Path(f) / f"oof_{key}.csv").is_file()), None)
        if path is None:
            raise SystemExit(f"oof_{key}.csv is in none of {folders}")
        frame = pd.read_csv(path)
        tuned = pricer == "llm"
        rate = report["pricing_items_per_second"][rate_key] if tuned else report[rate_key]
        decoding = "greedy" if "greedy" in key else "expected value over the pruned digit tree"
        record_predictions(
            label,
            frame["id"].tolist(),
            Estimates(frame["estimate"].to_numpy(), frame["low"].to_numpy(), frame["high"].to_numpy(), 0.8),
            fit_seconds=fit_seconds if tuned else 0.0,
            items_per_second=rate,
            machine=report["machine"],
            notes=f"Gemma 3 270M {'LoRA, 5 fold runs, ' if tuned else 'base, '}decoding: {decoding}",
            extras=report["extras"] if tuned else (),
            pricer=pricer,
            params={"decoding": "greedy" if "greedy" in key else "expected", **({"learning_rate": report["learning_rate"]} if tuned else {})},
        )
        print(label, "recorded")


if __name__ == "__main__":
    main(sys.argv[1:])
