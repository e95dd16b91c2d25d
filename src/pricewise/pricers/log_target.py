"""The shared shape of the strong pricers: features -> regressor on log price -> conformal interval.

Errors are scored in dollars and in log space and prices span three orders of magnitude, so the
regressor learns ``log1p(price)``. Items outside the target distribution (the extra training files)
can be down-weighted with ``extra_weight``; the interval is calibrated on out-of-fold residuals of
the in-distribution items only, because that is where it will be used.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from pricewise.config import get_settings
from pricewise.data.item import Item
from pricewise.pricers.base import Estimates, Pricer, as_items
from pricewise.pricers.intervals import LogConformal, out_of_fold

#: Fewer in-distribution items than this and the interval is calibrated on all items.
_MIN_CALIBRATION_ITEMS = 30


def priced(items: Sequence[Item]) -> list[Item]:
    """The items a pricer can learn from: a finite positive price and some text."""
    kept = [i for i in items if i.has_price and i.price > 0 and i.text.strip()]
    if len(kept) < 2:
        raise ValueError(f"need at least two priced items with text to fit, got {len(kept)}")
    return kept


def sample_weights(items: Sequence[Item], extra_weight: float) -> np.ndarray:
    """1 for in-distribution items, ``extra_weight`` for items from other sources."""
    sources = set(get_settings().pricers.in_domain_sources)
    return np.array([1.0 if i.source in sources else extra_weight for i in items])


def calibration_index(items: Sequence[Item]) -> np.ndarray:
    """Indices of the in-distribution items (all items when there are too few of them)."""
    sources = set(get_settings().pricers.in_domain_sources)
    index = np.flatnonzero([i.source in sources for i in items])
    return index if index.size >= _MIN_CALIBRATION_ITEMS else np.arange(len(items))


class LogTargetPricer(Pricer):
    """Base for pricers that regress log price on a feature matrix and give conformal intervals.

    Subclasses implement ``_fit_features`` (learns any vocabulary, returns the training matrix),
    ``_features`` (transforms new items) and ``_regressor`` (a fresh unfitted estimator).
    """

    gives_intervals = True

    def __init__(self, extra_weight: float = 1.0, coverage: float | None = None, calibration_folds: int | None = None):
        self.extra_weight = extra_weight
        self.coverage = coverage
        self.calibration_folds = calibration_folds

    @abstractmethod
    def _fit_features(self, items: Sequence[Item]) -> Any: ...

    @abstractmethod
    def _features(self, items: Sequence[Item]) -> Any: ...

    @abstractmethod
    def _regressor(self) -> Any: ...

    def _fit_regressor(self, X: Any, y: np.ndarray, weight: np.ndarray) -> Any:
        return self._regressor().fit(X, y, sample_weight=weight)

    def fit(self, items: Sequence[Item]) -> LogTargetPricer:
        settings = get_settings().pricers
        items = priced(items)
        y = np.log1p(np.array([i.price for i in items], dtype=float))
        weight = sample_weights(items, self.extra_weight)
        X = self._fit_features(items)
        held_out = calibration_index(items)

        def fit_predict(train: np.ndarray, test: np.ndarray) -> np.ndarray:
            return self._fit_regressor(X[train], y[train], weight[train]).predict(X[test])

        oof = out_of_fold(fit_predict, len(items), held_out, self.calibration_folds or settings.calibration_folds)
        self.conformal_ = LogConformal(self.coverage or settings.interval_coverage).fit(
            np.expm1(y[held_out]), np.expm1(oof)
        )
        self.model_ = self._fit_regressor(X, y, weight)
        return self

    def predict(self, items: Sequence[Item | str]) -> Estimates:
        items = as_items(items)
        estimate = np.full(len(items), np.nan)
        valid = np.flatnonzero([bool(i.text.strip()) for i in items])
        if valid.size:
            X = self._features([items[i] for i in valid])
            estimate[valid] = np.expm1(self.model_.predict(X)).clip(0)
        low, high = self.conformal_.interval(estimate)
        return Estimates(estimate, low, high, self.conformal_.coverage)
