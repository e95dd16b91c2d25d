"""The fetcher against a real local server misbehaving on purpose."""

from __future__ import annotations

import time

import pytest

from pricewise.agents.fetch import Fetcher, FetchError, Validators
from pricewise.agents.urls import UnsafeURLError

from .conftest import C39, FEEDS


@pytest.fixture
def limits(deal_settings):
    return deal_settings.deals


def test_conditional_get_returns_304_with_validators(feed_server, limits):
    with Fetcher(limits) as fetcher:
        first = fetcher.get(feed_server.snap(C39))
        assert first.status == 200 and first.content == (FEEDS / C39).read_bytes()
        assert first.validators.etag and first.validators.last_modified
        second = fetcher.get(feed_server.snap(C39), first.validators)
    assert second.not_modified and second.content == b""
    assert set(feed_server.user_agents) == {limits.user_agent}


def test_retries_5xx_with_backoff_then_succeeds(feed_server, limits):
    sleeps = []
    with Fetcher(limits, sleep=sleeps.append) as fetcher:
        result = fetcher.get(f"{feed_server.url}/flaky/2/{C39}")
    assert result.status == 200 and result.attempts == 3
    assert sleeps == [limits.backoff_s, 2 * limits.backoff_s]


def test_retries_are_bounded(feed_server, limits):
    with Fetcher(limits) as fetcher, pytest.raises(FetchError, match="HTTP 500.*3 attempts"):
        fetcher.get(f"{feed_server.url}/500")
    assert feed_server.hits["500"] == limits.retries + 1


def test_404_is_not_retried(feed_server, limits):
    with Fetcher(limits) as fetcher, pytest.raises(FetchError, match="404"):
        fetcher.get(f"{feed_server.url}/404")
    assert feed_server.hits["404"] == 1


def test_slow_server_times_out(feed_server, limits):
    limits.retries = 0
    feed_server.slow_s = 3.0
    start = time.monotonic()
    with Fetcher(limits) as fetcher, pytest.raises(FetchError, match="Timeout"):
        fetcher.get(f"{feed_server.url}/slow")
    assert time.monotonic() - start < 2.5


def test_redirects_followed_but_bounded_and_checked(feed_server, limits):
    with Fetcher(limits) as fetcher:
        assert fetcher.get(f"{feed_server.url}/redirect/{C39}").url == feed_server.snap(C39)
        with pytest.raises(FetchError, match="redirects"):
            fetcher.get(f"{feed_server.url}/redirect-loop")
        with pytest.raises(UnsafeURLError, match="non-http"):
            fetcher.get(f"{feed_server.url}/redirect-file")


def test_truncated_and_oversized_responses_fail(feed_server, limits):
    limits.retries = 0
    with Fetcher(limits) as fetcher:
        with pytest.raises(FetchError):
            fetcher.get(f"{feed_server.url}/truncated")
        with pytest.raises(FetchError, match="cap"):
            fetcher.get(f"{feed_server.url}/huge")
        with pytest.raises(FetchError, match="exceeds"):
            fetcher.get(f"{feed_server.url}/huge-declared")


def test_private_addresses_refused_by_default(feed_server, limits):
    limits.allow_private_addresses = False
    with Fetcher(limits) as fetcher, pytest.raises(UnsafeURLError):
        fetcher.get(feed_server.snap(C39))
    assert sum(feed_server.hits.values()) == 0


def test_dns_rebinding_is_caught_at_connect_time(feed_server, limits, monkeypatch):
    # The name looked public when check_url resolved it, then resolved to loopback for the connection.
    monkeypatch.setattr("pricewise.agents.fetch.check_url", lambda url, allow_private=False: None)
    limits.allow_private_addresses = False
    with Fetcher(limits) as fetcher, pytest.raises(UnsafeURLError, match="connected to non-public address 127.0.0.1"):
        fetcher.get(feed_server.snap(C39))
    limits.allow_private_addresses = True
    with Fetcher(limits) as fetcher:
        assert fetcher.get(feed_server.snap(C39)).content.startswith(b"<?xml")


def test_politeness_delay_per_host(feed_server, limits):
    limits.politeness_delay_s = 0.3
    now, waits = [100.0], []

    def sleep(seconds):
        waits.append(round(seconds, 3))
        now[0] += seconds

    with Fetcher(limits, sleep=sleep, clock=lambda: now[0]) as fetcher:
        fetcher.get(feed_server.snap(C39))
        now[0] += 0.1
        fetcher.get(feed_server.snap(C39))  # same host, 0.1 s later: waits the remaining 0.2 s
        fetcher.get(f"http://localhost:{feed_server.url.rsplit(':', 1)[1]}/snap/{C39}")  # another host: no wait
        now[0] += 0.5
        fetcher.get(feed_server.snap(C39))  # long enough ago: no wait
    assert waits == [0.2]
    assert feed_server.hits[f"snap/{C39}"] == 4
