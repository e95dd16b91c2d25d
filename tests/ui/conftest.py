"""UI fixtures: a trained pricer, the feed snapshots served on 127.0.0.1, a fake push service, Chromium."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from live_server import free_port
from pydantic import SecretStr

from pricewise.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


class PushService:
    """A local HTTP server that records every notification posted to it (Apprise ``json://`` target)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                received.append({"path": self.path, "json": json.loads(body or b"{}")})
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/push"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.close()


@pytest.fixture
def page_settings(settings, shared_data, push_service) -> Iterator[Settings]:
    """Settings of an offline page: the DealNews snapshots served locally, a trained constant pricer,
    alerts to the fake push service, the TF-IDF product map over 300 products."""
    from pricewise.cli.deals import snapshot_settings
    from pricewise.data.sources import dev_items
    from pricewise.pricers.store import fit_and_save

    fit_and_save("constant", dev_items(settings))
    with ExitStack() as stack:
        configured = snapshot_settings(stack, settings, shared_data / "feeds" / "dealnews")
        configured.notify.urls = [SecretStr(push_service.url)]
        configured.ui.map_method = "tfidf"
        configured.ui.plot_points = 300
        configured.ui.refresh_seconds = 0.5
        configured.ui.port = free_port()
        yield configured


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "browser tests need Debian's chromium: apt-get install chromium (.ci/run does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
