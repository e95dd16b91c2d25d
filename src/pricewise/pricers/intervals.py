"""Conformal 80% intervals in log space, written once for every pricer that gives intervals.

Prices are right-skewed, so residuals are taken as ``log1p(truth) - log1p(estimate)``: the interval
is multiplicative and never goes below zero. The quantiles come from out-of-fold residuals (CV+ in
spirit), with the finite-sample correction of split conformal prediction.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


class LogConformal:
    """Maps point estimates to a ``coverage`` interval from out-of-fold log residuals."""

    def __init__(self, coverage: float = 0.8):
        if not 0 < coverage < 1:
            raise ValueError(f"coverage must be in (0, 1), got {coverage}")
        self.coverage = coverage

    def fit(self, truth: np.ndarray, estimate: np.ndarray) -> LogConformal:
        """Learn the lower and upper log-residual quantiles from held-out (truth, estimate) pairs."""
        residual = np.log1p(np.asarray(truth, float)) - np.log1p(np.clip(np.asarray(estimate, float), 0, None))
        residual = residual[np.isfinite(residual)]
        if residual.size < 2:
            raise ValueError("conformal calibration needs at least two held-out residuals")
        n = residual.size
        tail = (1 - self.coverage) / 2
        # Finite-sample correction: the ceil((n+1)(1-tail))/n empirical quantile, capped at 1.
        upper = min(1.0, math.ceil((n + 1) * (1 - tail)) / n)
        lower = max(0.0, math.floor((n + 1) * tail) / n - 1 / n)
        self.low_ = float(np.quantile(residual, lower))
        self.high_ = float(np.quantile(residual, upper))
        self.n_ = n
        return self

    def interval(self, estimate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        log_estimate = np.log1p(np.clip(np.asarray(estimate, float), 0, None))
        return np.expm1(log_estimate + self.low_).clip(0), np.expm1(log_estimate + self.high_).clip(0)


def out_of_fold(
    fit_predict: Callable[[np.ndarray, np.ndarray], np.ndarray],
    n: int,
    held_out: np.ndarray,
    folds: int,
    seed: int = 0,
) -> np.ndarray:
    """Predictions for the ``held_out`` indices (of ``n`` rows), each from a fit that did not see it.

    ``fit_predict(train_index, test_index)`` fits on the train rows and returns predictions for the
    test rows. Only the held-out rows are rotated through the folds; the others always train.
    """
    held_out = np.asarray(held_out, dtype=int)
    rng = np.random.default_rng(seed)
    fold = rng.permutation(np.arange(held_out.size) % max(2, folds))
    predictions = np.full(n, np.nan)
    for k in range(max(2, folds)):
        test = held_out[fold == k]
        if test.size == 0:
            continue
        train = np.setdiff1d(np.arange(n), test)
        predictions[test] = fit_predict(train, test)
    return predictions[held_out]
