"""The 3-D map of the product vector store, coloured by category.

Computed once in a background thread and cached on disk (keyed by the items and the method), so the
page loads instantly and shows the map when it is ready. The vectors are the sentence embeddings the
kNN/RAG pricers use (``pricewise.pricers.embeddings``) projected to 3-D by PCA, a linear projection
that takes a second where t-SNE would block for minutes; ``method="tfidf"`` projects TF-IDF with SVD
instead, for machines without the embedding model.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from pricewise.config import Settings
from pricewise.data.item import Item

log = logging.getLogger(__name__)


def map_items(settings: Settings) -> list[Item]:
    """The products in the store: the dev items and the default pricer's extra files, sampled to ``plot_points``."""
    from pricewise.data.sources import dev_items, extra_items

    items = dev_items(settings) + extra_items(settings.pricers.extras, settings)
    if len(items) > settings.ui.plot_points:
        keep = np.random.default_rng(settings.seed).choice(len(items), settings.ui.plot_points, replace=False)
        items = [items[i] for i in sorted(keep)]
    return items


def project(texts: list[str], method: str) -> np.ndarray:
    """(n, 3) coordinates of ``texts``."""
    if method == "embeddings":
        from sklearn.decomposition import PCA

        from pricewise.pricers.embeddings import embed_texts

        return PCA(n_components=3, random_state=0).fit_transform(embed_texts(texts)).astype(np.float32)
    if method == "tfidf":
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        matrix = TfidfVectorizer(max_features=20_000, sublinear_tf=True, stop_words="english").fit_transform(
            texts
        )
        return TruncatedSVD(n_components=3, random_state=0).fit_transform(matrix).astype(np.float32)
    raise ValueError(f"unknown map method {method!r}; use 'embeddings' or 'tfidf'")


def cached_coordinates(items: list[Item], method: str, cache_dir: Path) -> np.ndarray:
    """``project`` of the items' texts, read from ``cache_dir`` when this exact set was projected before."""
    key = hashlib.sha256("\x00".join([method, *(i.id or i.text for i in items)]).encode()).hexdigest()[:16]
    path = cache_dir / f"product_map-{method}-{key}.npy"
    if path.is_file():
        return np.load(path)
    coords = project([i.text for i in items], method)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, coords)
    return coords


def figure(items: list[Item], coords: np.ndarray) -> Any:
    """A plotly 3-D scatter, one trace per category, titles and prices on hover."""
    import plotly.graph_objects as go

    fig = go.Figure()
    categories = np.array([i.category or "unknown" for i in items])
    for category in sorted(set(categories)):
        mask = categories == category
        chosen = [item for item, m in zip(items, mask) if m]
        fig.add_trace(
            go.Scatter3d(
                x=coords[mask, 0],
                y=coords[mask, 1],
                z=coords[mask, 2],
                mode="markers",
                name=category.replace("_", " "),
                marker={"size": 2.5, "opacity": 0.75},
                text=[f"{i.title[:80]}<br>${i.price:,.2f}" if i.has_price else i.title[:80] for i in chosen],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        height=520,
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        title="Products in the vector store",
        scene={"xaxis": {"visible": False}, "yaxis": {"visible": False}, "zaxis": {"visible": False}},
        scene_camera={"eye": {"x": 0.9, "y": 0.9, "z": 0.7}},
        legend={"itemsizing": "constant", "orientation": "h", "y": 0.0},
    )
    return fig


class ProductMap:
    """Builds the figure in a background thread; ``figure()`` is None until it is ready."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._figure: Any = None
        self.error: str | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ProductMap:
        if self._thread is None:
            self._thread = threading.Thread(target=self._build, name="pricewise-product-map", daemon=True)
            self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self._figure is not None

    def figure(self) -> Any:
        return self._figure

    def _build(self) -> None:
        try:
            items = map_items(self.settings)
            coords = cached_coordinates(
                items, self.settings.ui.map_method, self.settings.artifacts_dir / "cache"
            )
            self._figure = figure(items, coords)
            log.info("product map ready: %d products", len(items))
        except Exception as exc:  # the page works without its map
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("product map failed")
