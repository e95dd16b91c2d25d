"""Service fixtures: a real TF-IDF pricer fitted once, and a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from live_server import LiveServer, free_port

from pricewise.config import Settings

SHARED_DATA = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


@pytest.fixture
def port() -> int:
    """A free port on 127.0.0.1."""
    return free_port()


@pytest.fixture(scope="session")
def trained_artifacts(tmp_path_factory) -> Path:
    """An artifacts dir holding a real TF-IDF pricer (80% intervals) fitted on 400 dev items, once per session."""
    from pricewise.data.sources import dev_items
    from pricewise.pricers.tfidf import TfidfPricer

    root = tmp_path_factory.mktemp("service-artifacts")
    pricer = TfidfPricer(coverage=0.8, max_word_features=20_000, max_char_features=20_000)
    pricer.fit(dev_items(Settings(data_dir=SHARED_DATA))[:400]).save(root / "models" / "tfidf")
    return root


@pytest.fixture
def make_settings(trained_artifacts, tmp_path) -> Callable[..., Settings]:
    """``make_settings(max_items=3, ...)``: settings serving the trained pricer, with service overrides."""

    def make(**service: Any) -> Settings:
        return Settings(
            artifacts_dir=trained_artifacts,
            data_dir=SHARED_DATA,
            pricers={"default": "tfidf"},
            deals={"memory_path": tmp_path / "memory.sqlite"},
            service=service,
        )

    return make


@pytest.fixture
def serve(make_settings) -> Callable[..., LiveServer]:
    """``with serve(token="x") as url:``: the real app over HTTP (``pricer=`` serves that instance instead)."""
    from pricewise.service.app import create_app

    return lambda pricer=None, **service: LiveServer(create_app(make_settings(**service), pricer=pricer))
