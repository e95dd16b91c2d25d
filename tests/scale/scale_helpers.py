"""Catalog files and pricers for the scale tests.

``LengthPricer`` is a real (tiny) fitted model whose estimate depends on each row's text, so an
engine that mixed up, dropped or duplicated rows would produce a different file. ``DiesOncePricer``
kills its own process the first time it meets a marked row, as a crashed worker would.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pricewise.data.item import Item
from pricewise.pricers.base import Estimates, Pricer, as_items

KILL_MARKER = "KILL-THIS-WORKER"


class LengthPricer(Pricer):
    """Least squares of log price on log text length; intervals at +-30%."""

    name = "length"
    gives_intervals = True

    def fit(self, items: Sequence[Item]) -> LengthPricer:
        x = np.log1p([len(i.text) for i in items])
        y = np.log1p([i.price for i in items])
        self.slope_, self.intercept_ = np.polyfit(x, y, 1)
        return self

    def predict(self, items: Sequence[Item | str]) -> Estimates:
        x = np.log1p([len(i.text) for i in as_items(items)])
        estimate = np.expm1(self.slope_ * x + self.intercept_)
        return Estimates(estimate, estimate * 0.7, estimate * 1.3, coverage=0.8)


class FailingPricer(LengthPricer):
    """Raises on any batch that holds the word POISON, like a model that chokes on one input."""

    def predict(self, items: Sequence[Item | str]) -> Estimates:
        if any("POISON" in i.text for i in as_items(items)):
            raise RuntimeError("cannot price POISON")
        return super().predict(items)


class DiesOncePricer(LengthPricer):
    """Exits its process (no exception, no cleanup) on the first batch holding ``KILL_MARKER``."""

    def __init__(self, flag_file: str = "") -> None:
        self.flag_file = flag_file

    def predict(self, items: Sequence[Item | str]) -> Estimates:
        items = as_items(items)
        if any(KILL_MARKER in i.text for i in items) and not Path(self.flag_file).exists():
            Path(self.flag_file).write_text(str(os.getpid()))
            os._exit(1)
        return super().predict(items)


def catalog_frame(items: Sequence[Item], rows: int) -> pd.DataFrame:
    """``rows`` rows cycling over ``items`` with unique ids, in the title/description shape."""
    chosen = [items[i % len(items)] for i in range(rows)]
    return pd.DataFrame(
        {
            "id": [f"sku-{i}" for i in range(rows)],
            "title": [it.title for it in chosen],
            "description": [it.summary.split("\n", 1)[-1] for it in chosen],
        }
    )


def write_catalog(frame: pd.DataFrame, path: Path) -> Path:
    """The frame in the format of ``path``'s suffix (what a catalog team would hand us)."""
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        with path.open("w", encoding="utf-8") as handle:
            for row in frame.to_dict("records"):
                handle.write(json.dumps(row) + "\n")
    return path


def read_output(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(
            path, dtype={"id": str, "pricer": str, "error": str}, keep_default_na=False, na_values=[""]
        )
    return pd.read_json(path, lines=True, dtype={"id": str})
