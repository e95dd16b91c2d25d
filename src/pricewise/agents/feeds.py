"""RSS/Atom parsing with feedparser, plus the namespaced deal fields feedparser drops.

feedparser keeps ``<dealnews:price currency="USD">59.99</dealnews:price>`` as its attributes only, so
the text of namespaced item elements is read with a second, stdlib XML pass and joined by link.

Malformed feeds: a feed feedparser cannot recover a single entry from (``bozo`` and no entries) raises
:class:`MalformedFeedError`, which the scanner logs and skips. A feed it recovers (e.g. a wrong declared
encoding) is scanned with a warning; its entries still have to pass extraction (a link and a price).
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from pricewise.agents.html_text import html_to_text
from pricewise.errors import PricewiseError

log = logging.getLogger(__name__)


class MalformedFeedError(PricewiseError):
    """The bytes are not a feed feedparser can recover any entry from."""


@dataclass(frozen=True)
class FeedEntry:
    """One feed item as plain text: title, link, description, and namespaced fields (``price``, ``dealtype``...)."""

    title: str
    link: str
    description: str
    feed: str
    fields: dict[str, str] = field(default_factory=dict)


def _namespaced_fields(content: bytes) -> dict[str, dict[str, str]]:
    """``{item link: {local name: text}}`` for namespaced children of RSS items; empty when not parseable."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        return {}
    found: dict[str, dict[str, str]] = {}
    for item in root.iter("item"):
        link = (item.findtext("link") or "").strip()
        values = {
            child.tag.rsplit("}", 1)[1].lower(): (child.text or "").strip()
            for child in item
            if child.tag.startswith("{") and (child.text or "").strip()
        }
        if link:
            found[link] = values
    return found


def parse_feed(
    content: bytes, feed_url: str, content_type: str = "", max_entries: int = 50, max_chars: int | None = None
) -> list[FeedEntry]:
    """The feed's entries (newest ``max_entries``, texts cut at ``max_chars`` if given); raises
    :class:`MalformedFeedError` when nothing is recoverable."""
    import feedparser

    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(content, response_headers=headers)
    if parsed.bozo and not parsed.entries:
        raise MalformedFeedError(f"{feed_url}: not a readable feed ({parsed.get('bozo_exception')})")
    if parsed.bozo:
        log.warning("%s: feed recovered despite %s", feed_url, parsed.get("bozo_exception"))
    extra = _namespaced_fields(content)
    entries = []
    for raw in parsed.entries[:max_entries]:
        link = (raw.get("link") or "").strip()
        fields = dict(extra.get(link, {}))
        for key, value in raw.items():
            if key.startswith("dealnews_") and isinstance(value, str):
                fields.setdefault(key.removeprefix("dealnews_"), value)
        entries.append(
            FeedEntry(
                title=html_to_text(raw.get("title") or "").replace("\n", " ")[:max_chars],
                link=link,
                description=html_to_text(raw.get("summary") or raw.get("description") or "")[:max_chars],
                feed=feed_url,
                fields=fields,
            )
        )
    return entries
