"""Canonical URLs for de-duplication, and the SSRF guard on untrusted deal URLs."""

from __future__ import annotations

import pytest

from pricewise.agents.urls import UnsafeURLError, canonical_url, check_url, deal_id


def test_canonical_url_drops_tracking_and_normalises():
    a = "HTTPS://www.DealNews.com:443/products/X/537005.html?iref=rss-c39&utm_source=feed&b=2&a=1#top"
    b = "https://www.dealnews.com/products/X/537005.html?a=1&b=2&iref=rss-c142"
    assert canonical_url(a) == "https://www.dealnews.com/products/X/537005.html?a=1&b=2"
    assert deal_id(a) == deal_id(b)
    assert deal_id("https://www.dealnews.com/products/X/537006.html") != deal_id(b)
    assert canonical_url("http://example.com:8080") == "http://example.com:8080/"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin",
        "http://localhost:8080/",
        "http://10.0.0.5/",
        "http://192.168.1.1/router",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "file:///etc/passwd",
        "ftp://example.com/deal",
        "gopher://example.com/",
        "javascript:alert(1)",
        "http:///no-host",
    ],
)
def test_ssrf_guard_refuses_private_and_non_http(url):
    with pytest.raises(UnsafeURLError):
        check_url(url)


def test_ssrf_guard_allows_public_addresses_and_private_only_when_configured():
    check_url("https://93.184.215.14/deal")  # a public literal: no DNS needed
    check_url("http://127.0.0.1:8000/feed.xml", allow_private=True)
    with pytest.raises(UnsafeURLError):
        check_url("file:///etc/passwd", allow_private=True)
