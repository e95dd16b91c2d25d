"""The course's two trivial pricers: a floor that any real pricer must beat."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pricewise.data.item import Item
from pricewise.pricers.base import Estimates, Pricer


class RandomPricer(Pricer):
    """A uniform random whole-dollar price in [low, high], reproducible per seed (the course: 1..1000)."""

    name = "random"

    def __init__(self, low: int = 1, high: int = 999, seed: int = 42):
        self.low = low
        self.high = high
        self.seed = seed

    def fit(self, items: Sequence[Item]) -> RandomPricer:
        return self

    def predict(self, items: Sequence[Item | str]) -> Estimates:
        rng = np.random.default_rng(self.seed)
        return Estimates(rng.integers(self.low, self.high + 1, size=len(items)).astype(float))


class ConstantPricer(Pricer):
    """Always the mean training price (the course's "constant" baseline)."""

    name = "constant"

    def __init__(self) -> None:
        pass

    def fit(self, items: Sequence[Item]) -> ConstantPricer:
        prices = np.array([i.price for i in items if i.has_price], dtype=float)
        if prices.size == 0:
            raise ValueError("ConstantPricer needs at least one priced item")
        self.mean_ = float(prices.mean())
        return self

    def predict(self, items: Sequence[Item | str]) -> Estimates:
        return Estimates(np.full(len(items), self.mean_))
