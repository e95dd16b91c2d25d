"""Service fixtures: a real TF-IDF pricer fitted once, and a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pricewise.config import Settings

SHARED_DATA = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """``with LiveServer(app) as url:`` serves ``app`` with uvicorn in a thread until the block ends."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


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
