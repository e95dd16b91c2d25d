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
