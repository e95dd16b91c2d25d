"""The course's traditional-ML baselines, kept faithful so their figures can be compared.

Like the course they regress the raw dollar price (not log price) on the test prompt's text:
feature-engineered linear regression, bag-of-words (1,000 words, English stop words) linear
regression, and word2vec (400-d document means, trained on the training texts) with linear
regression, linear SVR or a 100-tree random forest. Negative estimates are clipped to zero.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from pricewise.data.item import Item
from pricewise.pricers.base import Estimates, Pricer, as_items
from pricewise.pricers.features import course_features
from pricewise.pricers.log_target import priced


class _CoursePricer(Pricer):
    """Fit ``_regressor()`` on ``_fit_features(items)`` against the raw price."""

    @abstractmethod
    def _fit_features(self, items: Sequence[Item]) -> Any: ...

    @abstractmethod
    def _features(self, items: Sequence[Item]) -> Any: ...

    def _regressor(self) -> Any:
        from sklearn.linear_model import LinearRegression

        return LinearRegression()

    def fit(self, items: Sequence[Item]) -> _CoursePricer:
        items = priced(items)
        self.model_ = self._regressor().fit(self._fit_features(items), np.array([i.price for i in items]))
        return self

    def predict(self, items: Sequence[Item | str]) -> Estimates:
        items = as_items(items)
        if not items:
            return Estimates(np.array([]))
        return Estimates(np.clip(self.model_.predict(self._features(items)), 0, None))


class FeatureLinearPricer(_CoursePricer):
    """Weight, best-sellers rank, prompt length, top-brand flag; missing values get the training mean."""

    name = "features-lr"

    def __init__(self) -> None:
        pass

    def _fit_features(self, items: Sequence[Item]) -> Any:
        X = course_features(items)
        self.fill_ = np.nan_to_num(np.nanmean(X, axis=0))
        return self._features(items)

    def _features(self, items: Sequence[Item]) -> Any:
        X = course_features(items)
        return np.where(np.isnan(X), self.fill_, X)


class BagOfWordsPricer(_CoursePricer):
    """Counts of the 1,000 most frequent words of the test prompts, English stop words removed."""

    name = "bow-lr"

    def __init__(self, max_features: int = 1000) -> None:
        self.max_features = max_features

    def _fit_features(self, items: Sequence[Item]) -> Any:
        from sklearn.feature_extraction.text import CountVectorizer

        self.vectorizer_ = CountVectorizer(max_features=self.max_features, stop_words="english")
        return self.vectorizer_.fit_transform([i.test_prompt() for i in items])

    def _features(self, items: Sequence[Item]) -> Any:
        return self.vectorizer_.transform([i.test_prompt() for i in items])


class Word2VecPricer(_CoursePricer):
    """Mean gensim word2vec vector of the test prompt's words, then ``regressor``."""

    name = "word2vec-lr"
    default_regressor: ClassVar[str] = "linear"

    def __init__(self, regressor: str | None = None, vector_size: int = 400, workers: int = 2, seed: int = 42) -> None:
        self.regressor = regressor or self.default_regressor
        if self.regressor not in ("linear", "svr", "forest"):
            raise ValueError(f"regressor must be linear, svr or forest, got {self.regressor!r}")
        self.vector_size = vector_size
        self.workers = workers
        self.seed = seed

    def _fit_features(self, items: Sequence[Item]) -> Any:
        from gensim.models import Word2Vec

        documents = [self._words(i) for i in items]
        model = Word2Vec(
            sentences=documents, vector_size=self.vector_size, window=5, min_count=1, workers=self.workers, seed=self.seed
        )
        self.vectors_ = model.wv
        return np.stack([self._document_vector(d) for d in documents])

    def _features(self, items: Sequence[Item]) -> Any:
        return np.stack([self._document_vector(self._words(i)) for i in items])

    @staticmethod
    def _words(item: Item) -> list[str]:
        from gensim.utils import simple_preprocess

        return simple_preprocess(item.test_prompt())

    def _document_vector(self, words: list[str]) -> np.ndarray:
        known = [w for w in words if w in self.vectors_]
        return np.mean(self.vectors_[known], axis=0) if known else np.zeros(self.vector_size, dtype=np.float32)

    def _regressor(self) -> Any:
        from sklearn.ensemble import RandomForestRegressor
        from sklearn.svm import LinearSVR

        if self.regressor == "svr":
            return LinearSVR(random_state=self.seed)
        if self.regressor == "forest":
            return RandomForestRegressor(n_estimators=100, random_state=self.seed, n_jobs=self.workers)
        return super()._regressor()


class Word2VecSVRPricer(Word2VecPricer):
    name = "word2vec-svr"
    default_regressor = "svr"


class Word2VecForestPricer(Word2VecPricer):
    name = "word2vec-rf"
    default_regressor = "forest"
