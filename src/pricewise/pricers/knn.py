"""k-nearest-neighbour pricing: similar products cost similar amounts.

The estimate is the similarity-weighted geometric mean of the ``k`` nearest training products'
prices (softmax of cosine similarity over ``temperature``), with extra-file neighbours down-weighted
by ``extra_weight``. The interval is calibrated leave-one-out on the in-distribution training items.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pricewise.config import get_settings
from pricewise.data.item import Item
from pricewise.pricers.base import Estimates, Pricer, as_items
from pricewise.pricers.embeddings import embed_texts
from pricewise.pricers.intervals import LogConformal
from pricewise.pricers.log_target import calibration_index, priced
from pricewise.pricers.vector_store import Neighbour, VectorStore

_STATE_FILE = "knn.json"
_STORE_DIR = "vector_store"


class KnnPricer(Pricer):
    name = "knn"
    gives_intervals = True

    def __init__(
        self,
        k: int = 10,
        temperature: float = 0.05,
        model: str | None = None,
        extra_weight: float = 1.0,
        coverage: float | None = None,
    ):
        self.k = k
        self.temperature = temperature
        self.model = model
        self.extra_weight = extra_weight
        self.coverage = coverage

    def _price(self, neighbours: Sequence[Neighbour]) -> float:
        if not neighbours:
            return float("nan")
        in_domain = set(get_settings().pricers.in_domain_sources)
        similarity = np.array([n.similarity for n in neighbours])
        weight = np.exp((similarity - similarity.max()) / self.temperature)
        weight *= np.array([1.0 if n.source in in_domain else self.extra_weight for n in neighbours])
        log_price = np.log1p(np.array([n.price for n in neighbours]))
        return float(np.expm1(np.sum(weight * log_price) / np.sum(weight)))

    def fit(self, items: Sequence[Item]) -> KnnPricer:
        items = priced(items)
        self.store_ = VectorStore(None, self.model)
        vectors = embed_texts([i.text for i in items], self.model)
        self.store_.add(items, vectors)
        held_out = calibration_index(items)
        # Leave-one-out: each calibration item is priced from the others (its own id excluded).
        neighbours = self.store_.query_vectors(vectors[held_out], self.k, [{items[i].id} for i in held_out])
        oof = np.array([self._price(n) for n in neighbours])
        truth = np.array([items[i].price for i in held_out])
        self.conformal_ = LogConformal(self.coverage or get_settings().pricers.interval_coverage).fit(truth, oof)
        return self

    def predict(self, items: Sequence[Item | str]) -> Estimates:
        items = as_items(items)
        estimate = np.full(len(items), np.nan)
        valid = np.flatnonzero([bool(i.text.strip()) for i in items])
        if valid.size:
            vectors = embed_texts([items[i].text for i in valid], self.model)
            for i, found in zip(valid, self.store_.query_vectors(vectors, self.k)):
                estimate[i] = self._price(found)
        low, high = self.conformal_.interval(estimate)
        return Estimates(estimate, low, high, self.conformal_.coverage)

    def save_state(self, directory: Path) -> None:
        """The Chroma index (persistent copy) and the parameters as JSON: nothing is pickled."""
        self.store_.export(Path(directory) / _STORE_DIR)
        state = {
            "params": self.get_params(),
            "conformal": {"coverage": self.conformal_.coverage, "low": self.conformal_.low_, "high": self.conformal_.high_},
        }
        (Path(directory) / _STATE_FILE).write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load_state(cls, directory: Path) -> KnnPricer:
        state = json.loads((Path(directory) / _STATE_FILE).read_text(encoding="utf-8"))
        pricer = cls(**state["params"])
        pricer.store_ = VectorStore(Path(directory) / _STORE_DIR, pricer.model)
        conformal = LogConformal(state["conformal"]["coverage"])
        conformal.low_, conformal.high_ = state["conformal"]["low"], state["conformal"]["high"]
        pricer.conformal_ = conformal
        return pricer
