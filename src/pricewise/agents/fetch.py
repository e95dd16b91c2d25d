"""Polite, bounded HTTP for untrusted feeds and deal pages.

Every request: the SSRF guard on each redirect hop (the name's addresses before connecting, and the
address actually connected to before any of the response is read, which defeats DNS rebinding), connect/read timeouts, a bounded number of retries
with exponential backoff (connection errors, timeouts, 429 and 5xx only), a response size cap enforced
while streaming, conditional GET (ETag / Last-Modified), a per-host delay between requests and a
descriptive User-Agent.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Self
from urllib.parse import urljoin, urlsplit

from pricewise.agents.urls import UnsafeURLError, check_url, is_public_address
from pricewise.config import DealSettings
from pricewise.errors import PricewiseError

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(PricewiseError):
    """A URL could not be fetched within the limits (after retries where retrying made sense)."""


@dataclass(frozen=True)
class Validators:
    """What the server told us last time, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    content: bytes
    content_type: str
    validators: Validators
    attempts: int

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """One HTTP client for a scan. Use as a context manager so the connection pool is closed."""

    def __init__(self, settings: DealSettings, sleep=time.sleep, clock=time.monotonic) -> None:
        import httpx

        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._last_request: dict[str, float] = {}
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            follow_redirects=False,
            trust_env=False,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _wait_politely(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            wait = self.settings.politeness_delay_s - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = self._clock()

    def get(self, url: str, validators: Validators | None = None) -> FetchResult:
        """GET ``url``; raises :class:`FetchError` (or UnsafeURLError) when it cannot within the limits."""
        import httpx

        attempts = 0
        while True:
            attempts += 1
            try:
                return self._get_following_redirects(url, validators or Validators(), attempts)
            except _Retryable as exc:
                if attempts > self.settings.retries:
                    raise FetchError(f"{url}: {exc} (after {attempts} attempts)") from None
                delay = self.settings.backoff_s * 2 ** (attempts - 1)
                log.info("retrying %s in %.1fs: %s", url, delay, exc)
                self._sleep(delay)
            except httpx.HTTPError as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None

    def _get_following_redirects(self, url: str, validators: Validators, attempts: int) -> FetchResult:
        import httpx

        headers = {}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        current = url
        for _ in range(self.settings.max_redirects + 1):
            check_url(current, self.settings.allow_private_addresses)
            self._wait_politely(current)
            try:
                with self._client.stream("GET", current, headers=headers) as response:
                    self._check_peer(response, current)
                    if response.status_code == 304:
                        return FetchResult(current, 304, b"", "", validators, attempts)
                    if response.is_redirect:
                        current = urljoin(current, response.headers.get("location", ""))
                        continue
                    if response.status_code in RETRYABLE_STATUS:
                        raise _Retryable(f"HTTP {response.status_code}")
                    if response.status_code >= 400:
                        raise FetchError(f"{current}: HTTP {response.status_code}")
                    content = self._read_capped(response, current)
                    return FetchResult(
                        url=current,
                        status=response.status_code,
                        content=content,
                        content_type=response.headers.get("content-type", ""),
                        validators=Validators(
                            response.headers.get("etag"), response.headers.get("last-modified")
                        ),
                        attempts=attempts,
                    )
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                raise _Retryable(f"{type(exc).__name__}: {exc}") from None
        raise FetchError(f"{url}: more than {self.settings.max_redirects} redirects")

    def _check_peer(self, response, url: str) -> None:
        """A name can resolve to a public address for :func:`check_url` and to a private one when the
        connection is made (DNS rebinding); the peer actually connected to is checked before any of the
        response is read or followed."""
        if self.settings.allow_private_addresses:
            return
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if not peer:
            raise UnsafeURLError(f"refusing {url!r}: the connected address cannot be verified")
        address = str(peer[0]).split("%", 1)[0]
        if not is_public_address(address):
            raise UnsafeURLError(f"refusing {url!r}: connected to non-public address {address}")

    def _read_capped(self, response, url: str) -> bytes:
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError(f"{url}: response of {declared} bytes exceeds the {cap}-byte cap")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(f"{url}: response exceeds the {cap}-byte cap")
            chunks.append(chunk)
        return b"".join(chunks)


class _Retryable(Exception):
    """A failure worth another try: timeout, connection error, 429 or 5xx."""
