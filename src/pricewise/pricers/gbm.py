"""Gradient boosting (LightGBM) on log price over dense features: sentence embeddings plus the
structured features parsed from ``details`` (weight, dimensions, rank, brand, category, text stats)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pricewise.data.item import Item
from pricewise.pricers.embeddings import embed_texts
from pricewise.pricers.features import structured_features
from pricewise.pricers.log_target import LogTargetPricer


class LightGBMPricer(LogTargetPricer):
    """One thread by default: LightGBM's OpenMP threads spin-wait, and on a shared two-core box two
    threads ran 18x slower than one (measured); raise ``threads`` on an idle machine."""

    name = "lgbm"

    def __init__(
        self,
        model: str | None = None,
        n_estimators: int = 600,
        learning_rate: float = 0.03,
        num_leaves: int = 31,
        colsample: float = 0.5,
        threads: int = 1,
        extra_weight: float = 1.0,
        coverage: float | None = None,
        calibration_folds: int | None = None,
    ):
        super().__init__(extra_weight, coverage, calibration_folds)
        self.model = model
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.colsample = colsample
        self.threads = threads

    def _fit_features(self, items: Sequence[Item]) -> Any:
        self.categories_ = sorted({i.category for i in items if i.category})
        return self._features(items)

    def _features(self, items: Sequence[Item]) -> Any:
        code = {c: float(n) for n, c in enumerate(self.categories_)}
        category = np.array([[code.get(i.category, np.nan)] for i in items])
        vectors = embed_texts([i.text for i in items], self.model)
        return np.hstack([vectors, structured_features(items), category])

    def _regressor(self) -> Any:
        from lightgbm import LGBMRegressor

        return LGBMRegressor(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            colsample_bytree=self.colsample,
            subsample=0.8,
            subsample_freq=1,
            min_child_samples=10,
            n_jobs=self.threads,
            verbose=-1,
        )

    def _fit_regressor(self, X: Any, y: np.ndarray, weight: np.ndarray) -> Any:
        # The last column is the category code: a LightGBM categorical feature.
        return self._regressor().fit(X, y, sample_weight=weight, categorical_feature=[X.shape[1] - 1])
