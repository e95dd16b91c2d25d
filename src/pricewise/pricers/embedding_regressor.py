"""Sentence embeddings (all-MiniLM-L6-v2 by default) with a regressor on log price."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pricewise.data.item import Item
from pricewise.pricers.embeddings import embed_texts
from pricewise.pricers.log_target import LogTargetPricer

REGRESSORS = ("svr", "ridge")


class EmbeddingPricer(LogTargetPricer):
    """``regressor``: ``svr`` (RBF support vectors) or ``ridge``. Vectors come from the disk cache."""

    name = "embed"

    def __init__(
        self,
        model: str | None = None,
        regressor: str = "svr",
        C: float = 3.0,
        extra_weight: float = 1.0,
        coverage: float | None = None,
        calibration_folds: int | None = None,
    ):
        if regressor not in REGRESSORS:
            raise ValueError(f"regressor must be one of {REGRESSORS}, got {regressor!r}")
        super().__init__(extra_weight, coverage, calibration_folds)
        self.model = model
        self.regressor = regressor
        self.C = C

    def _fit_features(self, items: Sequence[Item]) -> Any:
        return self._features(items)

    def _features(self, items: Sequence[Item]) -> Any:
        return embed_texts([i.text for i in items], self.model)

    def _regressor(self) -> Any:
        from sklearn.linear_model import Ridge
        from sklearn.svm import SVR

        return SVR(C=self.C, epsilon=0.1, cache_size=1000) if self.regressor == "svr" else Ridge(alpha=1.0 / self.C)
