"""The pricer interface every pricer implements, in scikit-learn's spirit.

``__init__`` stores parameters only; ``fit(items)`` learns; ``predict(items)`` returns
:class:`Estimates` for a whole batch (never one item at a time); ``save``/``load`` round-trip through
:mod:`pricewise.pricers.persistence`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from pricewise.data.item import Item


@dataclass(frozen=True)
class Estimates:
    """Point estimates in dollars for a batch, with an optional interval of stated ``coverage``.

    ``estimate[i]`` is NaN where the pricer could not price item i (e.g. an API answered garbage);
    callers count those as failures instead of reading a silent zero.
    """

    estimate: np.ndarray
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    coverage: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "estimate", np.asarray(self.estimate, dtype=float))
        for name in ("low", "high"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, np.asarray(value, dtype=float))
        if (self.low is None) != (self.high is None):
            raise ValueError("low and high come together")
        if self.low is not None and not (len(self.low) == len(self.high) == len(self.estimate)):
            raise ValueError("low, high and estimate must have the same length")

    def __len__(self) -> int:
        return len(self.estimate)

    @property
    def has_intervals(self) -> bool:
        return self.low is not None

    def row(self, i: int) -> dict[str, float | None]:
        """Item i as a plain dict (NaN becomes None)."""

        def clean(x: Any) -> float | None:
            return None if x is None or not np.isfinite(x) else float(x)

        return {
            "estimate": clean(self.estimate[i]),
            "low": clean(self.low[i]) if self.low is not None else None,
            "high": clean(self.high[i]) if self.high is not None else None,
        }

    def take(self, index: Sequence[int] | np.ndarray) -> Estimates:
        index = np.asarray(index, dtype=int)
        return Estimates(
            self.estimate[index],
            None if self.low is None else self.low[index],
            None if self.high is None else self.high[index],
            self.coverage,
        )


def as_items(inputs: Sequence[Item | str]) -> list[Item]:
    """Accept items or raw texts (the first line of a text is its title)."""
    return [x if isinstance(x, Item) else Item.from_text(str(x)) for x in inputs]


class Pricer(ABC):
    """Base of every pricer. Subclasses set ``name`` and implement ``fit`` and ``predict``."""

    name: ClassVar[str] = "pricer"
    #: Whether ``predict`` fills ``low``/``high``.
    gives_intervals: ClassVar[bool] = False

    @abstractmethod
    def fit(self, items: Sequence[Item]) -> Pricer:
        """Learn from priced items; returns self."""

    @abstractmethod
    def predict(self, items: Sequence[Item | str]) -> Estimates:
        """Estimate prices for a batch of items or texts."""

    def get_params(self) -> dict[str, Any]:
        """Constructor parameters (the attributes named like ``__init__``'s arguments)."""
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names if hasattr(self, n)}

    def save(self, directory: Path, metadata: dict[str, Any] | None = None) -> Path:
        from pricewise.pricers.persistence import save_pricer

        return save_pricer(self, directory, metadata or {})

    @classmethod
    def load(cls, directory: Path, trusted_root: Path | None = None) -> Pricer:
        from pricewise.pricers.persistence import load_pricer

        return load_pricer(directory, trusted_root=trusted_root)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"
