"""A Chroma vector store of priced products: the retrieval half of the course's RAG pricer.

``build(items)`` embeds the items (through the embedding cache) and indexes them by cosine
similarity; ``query(texts, k)`` returns each text's nearest products with their prices. The kNN
pricer prices from the neighbours; the RAG pricer puts them in a prompt.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pricewise.data.item import Item
from pricewise.pricers.embeddings import embed_texts

_COLLECTION = "products"
_QUERY_CHUNK = 32


@dataclass(frozen=True)
class Neighbour:
    id: str
    title: str
    text: str
    price: float
    similarity: float
    source: str = ""
    category: str = ""


class VectorStore:
    """Products indexed by embedding. ``path=None`` keeps the index in memory (benchmarks, tests)."""

    def __init__(self, path: Path | None = None, model: str | None = None):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.path = path
        self.model = model
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if path is None:
            self._client = chromadb.EphemeralClient(settings=chroma_settings)
            name = f"{_COLLECTION}-{uuid.uuid4().hex}"
        else:
            Path(path).mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            name = _COLLECTION
        self._collection = self._client.get_or_create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )

    def __len__(self) -> int:
        return self._collection.count()

    def build(self, items: Sequence[Item]) -> VectorStore:
        """Index the priced items (embedding them once, through the cache)."""
        items = [i for i in items if i.has_price and i.text.strip()]
        self.add(items, embed_texts([i.text for i in items], self.model))
        return self

    def add(self, items: Sequence[Item], vectors: np.ndarray) -> None:
        """Index items whose vectors are already known (keeps ids unique with a running number)."""
        offset = len(self)
        step = self._client.get_max_batch_size()
        for start in range(0, len(items), step):
            chunk = items[start : start + step]
            self._collection.add(
                ids=[str(offset + start + j) for j in range(len(chunk))],
                embeddings=np.asarray(vectors[start : start + step], dtype=np.float32),
                documents=[i.text for i in chunk],
                metadatas=[
                    {"item_id": i.id, "title": i.title, "price": float(i.price), "source": i.source, "category": i.category}
                    for i in chunk
                ],
            )

    def query(self, texts: Sequence[str], k: int = 5, exclude_ids: Collection[str] | None = None) -> list[list[Neighbour]]:
        """The ``k`` most similar products to each text, best first, never one of ``exclude_ids``."""
        vectors = embed_texts(list(texts), self.model)
        exclude = [set(exclude_ids or ())] * len(texts)
        return self.query_vectors(vectors, k, exclude)

    def query_vectors(self, vectors: np.ndarray, k: int, exclude: Sequence[Collection[str]] | None = None) -> list[list[Neighbour]]:
        """As ``query`` for known vectors; ``exclude[i]`` are item ids not to return for row i."""
        if len(vectors) == 0 or len(self) == 0:
            return [[] for _ in range(len(vectors))]
        exclude = exclude or [()] * len(vectors)
        n_results = min(len(self), k + max((len(e) for e in exclude), default=0))
        neighbours: list[list[Neighbour]] = []
        # Chroma turns a query into SQL with a variable per result: large batches go in chunks.
        for start in range(0, len(vectors), _QUERY_CHUNK):
            result = self._collection.query(
                query_embeddings=np.asarray(vectors[start : start + _QUERY_CHUNK], dtype=np.float32),
                n_results=n_results,
                include=["metadatas", "distances", "documents"],
            )
            neighbours.extend(self._neighbours(result, exclude[start : start + _QUERY_CHUNK], k))
        return neighbours

    @staticmethod
    def _neighbours(result: dict[str, Any], exclude: Sequence[Collection[str]], k: int) -> list[list[Neighbour]]:
        neighbours = []
        for row, (metas, distances, documents) in enumerate(zip(result["metadatas"], result["distances"], result["documents"])):
            found = [
                Neighbour(
                    id=m["item_id"],
                    title=m["title"],
                    text=doc,
                    price=float(m["price"]),
                    similarity=1.0 - float(d),
                    source=m.get("source", ""),
                    category=m.get("category", ""),
                )
                for m, d, doc in zip(metas, distances, documents)
                if m["item_id"] not in exclude[row] or not m["item_id"]
            ]
            neighbours.append(found[:k])
        return neighbours

    def export(self, path: Path) -> VectorStore:
        """A persistent copy of this store at ``path`` (no re-embedding)."""
        data = self._collection.get(include=["embeddings", "metadatas", "documents"])
        copy = VectorStore(path, self.model)
        items = [
            Item(title=m["title"], summary=doc, price=m["price"], id=m["item_id"], source=m.get("source", ""), category=m.get("category", ""))
            for m, doc in zip(data["metadatas"], data["documents"])
        ]
        order = np.argsort([int(i) for i in data["ids"]])
        copy.add([items[i] for i in order], np.asarray(data["embeddings"])[order])
        return copy

    def vectors(self) -> dict[str, Any]:
        """Every indexed vector with its metadata (for plots of the store)."""
        return self._collection.get(include=["embeddings", "metadatas"])
