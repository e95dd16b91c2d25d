"""Second-level models that combine member pricers' predictions into one price.

``nnls-log``: non-negative weights on log1p(prediction) plus a free intercept. Prices are skewed,
so errors are multiplicative and a weighted geometric mean fits them; non-negative weights keep a
weak or correlated member from getting the large opposite-sign weights the course's regression gave
(random forest -0.59), which make the blend swing when a member is off.

``linear``: the course's configuration, ordinary least squares in dollars on the members'
predictions plus their row-wise min and max.

Both take a matrix of member predictions in dollars (rows = items) and return dollars.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STACKERS = ("nnls-log", "linear")


@dataclass(frozen=True)
class Stacker:
    kind: str
    weights: np.ndarray
    intercept: float

    def predict(self, predictions: np.ndarray) -> np.ndarray:
        features = _features(self.kind, np.asarray(predictions, dtype=float))
        combined = features @ self.weights + self.intercept
        if self.kind == "nnls-log":
            combined = np.expm1(combined)
        return np.maximum(combined, 0.0)


def _features(kind: str, predictions: np.ndarray) -> np.ndarray:
    if kind == "nnls-log":
        return np.log1p(np.maximum(predictions, 0.0))
    return np.column_stack([predictions, predictions.min(axis=1), predictions.max(axis=1)])


def fit_stacker(kind: str, predictions: np.ndarray, truth: np.ndarray) -> Stacker:
    """Fit ``kind`` on member predictions (n x m, dollars) against true prices (dollars)."""
    if kind not in STACKERS:
        raise ValueError(f"unknown stacker {kind!r}; known: {', '.join(STACKERS)}")
    predictions = np.asarray(predictions, dtype=float)
    truth = np.asarray(truth, dtype=float)
    features = _features(kind, predictions)
    if kind == "nnls-log":
        from scipy.optimize import nnls

        target = np.log1p(truth)
        mean_x, mean_y = features.mean(axis=0), target.mean()
        weights, _ = nnls(features - mean_x, target - mean_y)
        return Stacker(kind, weights, float(mean_y - mean_x @ weights))
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit(features, truth)
    return Stacker(kind, np.asarray(model.coef_, dtype=float), float(model.intercept_))


def fit_subset_stackers(
    columns: dict[str, np.ndarray], truth: np.ndarray, kind: str
) -> dict[tuple[str, ...], Stacker]:
    """One stacker per non-empty subset of members (in ``columns`` order), each fitted on the rows
    where all of that subset's predictions are finite. These are what fallback predictions use."""
    names = list(columns)
    stackers: dict[tuple[str, ...], Stacker] = {}
    for size in range(1, len(names) + 1):
        for subset in itertools.combinations(names, size):
            matrix = np.column_stack([columns[n] for n in subset])
            rows = np.isfinite(matrix).all(axis=1)
            if rows.sum() >= 2:
                stackers[subset] = fit_stacker(kind, matrix[rows], truth[rows])
    return stackers


def combine(
    matrix: np.ndarray, names: Sequence[str], stackers: dict[tuple[str, ...], Stacker]
) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Each row priced by the stacker of the members with a finite prediction in it; also returns
    which members each row used (empty, and a NaN estimate, where none could price it)."""
    names = tuple(names)
    available = np.isfinite(matrix)
    estimate = np.full(len(matrix), np.nan)
    used: list[tuple[str, ...]] = [()] * len(matrix)
    for pattern in {tuple(row) for row in available.tolist()}:
        subset = tuple(n for n, ok in zip(names, pattern) if ok)
        stacker = stackers.get(subset)
        if stacker is None:
            continue
        rows = np.flatnonzero((available == np.array(pattern, dtype=bool)).all(axis=1))
        estimate[rows] = stacker.predict(matrix[np.ix_(rows, [names.index(n) for n in subset])])
        for row in rows:
            used[row] = subset
    return estimate, used
