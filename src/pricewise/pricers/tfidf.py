"""TF-IDF word 1-2 grams and character 2-5 grams with ridge on log price (Mercari-style)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pricewise.data.item import Item
from pricewise.pricers.log_target import LogTargetPricer


class TfidfPricer(LogTargetPricer):
    """Sparse n-gram features, linear model: fast to fit, hundreds of thousands of items per minute."""

    name = "tfidf"

    def __init__(
        self,
        alpha: float = 1.0,
        max_word_features: int = 100_000,
        max_char_features: int = 200_000,
        extra_weight: float = 1.0,
        coverage: float | None = None,
        calibration_folds: int | None = None,
    ):
        super().__init__(extra_weight, coverage, calibration_folds)
        self.alpha = alpha
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features

    def _fit_features(self, items: Sequence[Item]) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion

        self.vectorizer_ = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=self.max_word_features)),
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=self.max_char_features
                    ),
                ),
            ]
        )
        return self.vectorizer_.fit_transform([i.text for i in items]).tocsr()

    def _features(self, items: Sequence[Item]) -> Any:
        return self.vectorizer_.transform([i.text for i in items]).tocsr()

    def _regressor(self) -> Any:
        from sklearn.linear_model import Ridge

        return Ridge(alpha=self.alpha)
