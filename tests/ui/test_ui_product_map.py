"""The 3-D product map: one trace per category, every product plotted, computed once then cached."""

from __future__ import annotations

import numpy as np
import pytest

from pricewise.ui import product_map
from pricewise.ui.product_map import ProductMap, cached_coordinates, figure, map_items


def test_map_plots_every_sampled_product_by_category(settings):
    settings.ui.plot_points = 250
    settings.ui.map_method = "tfidf"
    pm = ProductMap(settings).start()
    assert pm.wait(60) and pm.error is None
    fig = pm.figure()
    items = map_items(settings)
    assert len(items) == 250
    assert sum(len(trace.x) for trace in fig.data) == 250
    assert {trace.name for trace in fig.data} == {i.category.replace("_", " ") for i in items}
    automotive = next(t for t in fig.data if t.name == "Automotive")
    assert len(automotive.x) == sum(i.category == "Automotive" for i in items)
    assert fig.data[0].type == "scatter3d"


def test_coordinates_are_cached_on_disk(settings, tmp_path, monkeypatch):
    settings.ui.plot_points = 120
    items = map_items(settings)
    first = cached_coordinates(items, "tfidf", tmp_path)
    assert first.shape == (120, 3) and np.isfinite(first).all()
    assert len(list(tmp_path.glob("product_map-tfidf-*.npy"))) == 1

    def no_projection(*args, **kwargs):
        raise AssertionError("projected again instead of reading the cache")

    monkeypatch.setattr(product_map, "project", no_projection)
    np.testing.assert_array_equal(cached_coordinates(items, "tfidf", tmp_path), first)
    with pytest.raises(AssertionError):
        cached_coordinates(items[:-1], "tfidf", tmp_path)  # another item set is another key


def test_unknown_method_is_reported_not_raised_into_the_page(settings):
    settings.ui.map_method = "tsne"
    pm = ProductMap(settings).start()
    assert not pm.wait(30)
    assert "unknown map method 'tsne'" in pm.error


def test_hover_text_names_title_and_price(settings):
    settings.ui.plot_points = 50
    items = map_items(settings)
    fig = figure(items, np.zeros((50, 3), dtype=np.float32))
    hover = [t for trace in fig.data for t in trace.text]
    assert any(items[0].title[:80] in h and f"${items[0].price:,.2f}" in h for h in hover)
