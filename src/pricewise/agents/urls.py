"""Deal URLs come from untrusted feeds: canonicalise them for de-duplication and refuse to fetch
addresses that would let a feed probe the user's own network (SSRF)."""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pricewise.errors import PricewiseError

#: Query parameters that only track where a click came from; they never change the deal.
TRACKING_PARAMS = frozenset(
    {
        "iref",
        "ref",
        "ref_",
        "tag",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "affid",
        "aff_id",
    }
)


class UnsafeURLError(PricewiseError):
    """A URL we refuse to fetch: not http(s), or resolving to a private, loopback or link-local address."""


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no default port, tracking parameters removed, sorted query."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = (
        host if port is None or (parts.scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    )
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith("utm_")
    ]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(sorted(query)), ""))


def deal_id(url: str) -> str:
    """A short stable id for a deal: hash of its canonical URL."""
    return hashlib.sha256(canonical_url(url).encode()).hexdigest()[:16]


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as its IPv4)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, allow_private: bool = False) -> None:
    """Raise :class:`UnsafeURLError` unless ``url`` is http(s) and every address its host resolves to is public.

    Resolving here (not just parsing) catches hostnames that point at 127.0.0.1 or 169.254.169.254.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise UnsafeURLError(f"refusing non-http(s) URL {url!r}")
    host = parts.hostname
    if not host:
        raise UnsafeURLError(f"refusing URL without a host: {url!r}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURLError(f"cannot resolve {host!r}: {exc}") from exc
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if not is_public_address(address):
            raise UnsafeURLError(f"refusing {url!r}: {host} resolves to non-public address {address}")
