"""Fixtures for the deal-hunting tests: the local servers of :mod:`.servers`, a tiny trained pricer, and
settings pointing the scanner and messenger at them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from pricewise.config import Settings, get_settings
from pricewise.data.item import Item
from pricewise.pricers.store import fit_and_save

from .servers import C39, FEEDS, ChatServer, FeedServer, PushServer

__all__ = ["C39", "FEEDS"]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def push_server() -> Iterator[PushServer]:
    server = PushServer()
    yield server
    server.close()


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer()
    yield server
    server.close()


@pytest.fixture
def trained(settings: Settings) -> Settings:
    """A tiny trained default pricer (constant = mean of three prices: $400) in the tmp artifacts dir."""
    items = [
        Item(title=f"thing {p}", summary=f"thing {p}", price=p, id=f"t{p}") for p in (100.0, 400.0, 700.0)
    ]
    fit_and_save("constant", items, {"purpose": "tests"}, settings=settings)
    return settings


@pytest.fixture
def deal_settings(trained: Settings, feed_server: FeedServer, push_server: PushServer) -> Settings:
    """Settings for scans against the local servers: private addresses allowed, no politeness delay,
    short timeouts and backoff, the C39 snapshot as the only feed, the push server as the only channel."""
    settings = get_settings().model_copy(deep=True)
    d = settings.deals
    d.feeds = [feed_server.snap(C39)]
    d.allow_private_addresses = True
    d.politeness_delay_s = 0.0
    d.read_timeout_s = 1.0
    d.connect_timeout_s = 1.0
    d.backoff_s = 0.01
    d.max_bytes = 1_000_000
    d.fetch_pages = False
    settings.notify.urls = [SecretStr(push_server.apprise_url)]
    settings.notify.backoff_s = 0.01
    settings.notify.retry_after_s = 0.0
    return settings
