"""The RAG pricer: the frontier pricer with the k most similar training products and their prices
in the prompt (the course's "frontier agent").

The index holds only the items given to ``fit``, so under the benchmark it never sees the fold being
priced; on top of that an item is never shown itself (its id is excluded from its own retrieval).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pricewise.config import get_settings
from pricewise.data.item import Item
from pricewise.pricers.chat_prompts import rag_context
from pricewise.pricers.frontier import FrontierPricer

_STATE_FILE = "rag.json"
_STORE_DIR = "vector_store"


class RagPricer(FrontierPricer):
    """``k`` defaults to ``settings.frontier.rag_k``; ``embedding_model`` to the pricers' embedding model."""

    name = "rag"

    def __init__(
        self,
        model: str | None = None,
        base_url: str | None = None,
        k: int | None = None,
        embedding_model: str | None = None,
    ):
        super().__init__(model=model, base_url=base_url)
        self.k = k
        self.embedding_model = embedding_model

    def fit(self, items: Sequence[Item]) -> RagPricer:
        from pricewise.pricers.vector_store import VectorStore

        self.store_ = VectorStore(None, self.embedding_model).build(items)
        self.n_train_ = len(self.store_)
        return self

    def contexts(self, items: list[Item]) -> list[str]:
        from pricewise.pricers.embeddings import embed_texts

        k = self.k or get_settings().frontier.rag_k
        vectors = embed_texts([item.text for item in items], self.embedding_model)
        exclude = [{item.id} if item.id else set() for item in items]
        neighbours = self.store_.query_vectors(vectors, k, exclude)
        return [rag_context(found) if found else "" for found in neighbours]

    def save_state(self, directory: Path) -> None:
        """The Chroma index as a persistent copy, parameters as JSON: nothing is pickled."""
        self.store_.export(Path(directory) / _STORE_DIR)
        (Path(directory) / _STATE_FILE).write_text(
            json.dumps({"params": self.get_params()}), encoding="utf-8"
        )

    @classmethod
    def load_state(cls, directory: Path) -> RagPricer:
        from pricewise.pricers.vector_store import VectorStore

        state = json.loads((Path(directory) / _STATE_FILE).read_text(encoding="utf-8"))
        pricer = cls(**state["params"])
        pricer.store_ = VectorStore(Path(directory) / _STORE_DIR, pricer.embedding_model)
        pricer.n_train_ = len(pricer.store_)
        return pricer
