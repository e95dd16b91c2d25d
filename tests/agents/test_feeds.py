"""Feed parsing: namespaced DealNews fields, and every malformed snapshot either refused or yielding no deal."""

from __future__ import annotations

import pytest

from pricewise.agents.extract import extract
from pricewise.agents.feeds import MalformedFeedError, parse_feed

from .conftest import C39, FEEDS

MALFORMED = sorted((FEEDS / "malformed").iterdir())


def test_dealnews_namespaced_fields_survive_parsing():
    entries = parse_feed((FEEDS / C39).read_bytes(), "c39")
    first = entries[0]
    assert first.fields["price"] == "59.99"
    assert first.fields["retailer"] == "Amazon"
    assert first.fields["dealtype"] == "product"
    assert first.fields["category"] == "Monitors"
    assert "<" not in first.description and "Buy Now at Amazon" in first.description


def test_max_entries_keeps_the_newest():
    assert len(parse_feed((FEEDS / C39).read_bytes(), "c39", max_entries=10)) == 10


@pytest.mark.parametrize("path", MALFORMED, ids=[p.name for p in MALFORMED])
def test_malformed_feed_is_refused_or_yields_no_deal(path):
    """Decision: unrecoverable bytes raise MalformedFeedError (logged, skipped); what feedparser recovers is
    scanned, but none of these files holds an entry with a link and a price, so none becomes a deal."""
    try:
        entries = parse_feed(path.read_bytes(), path.name)
    except MalformedFeedError as exc:
        assert path.name in str(exc)
        return
    assert all(extract(e)[0] is None for e in entries)


def test_unrecoverable_files_are_refused():
    with pytest.raises(MalformedFeedError):
        parse_feed((FEEDS / "malformed" / "encoding__bozo_invalid-bytes-with-bom.xml").read_bytes(), "bom")
    with pytest.raises(MalformedFeedError):
        parse_feed(b"\x00\x01 definitely <not> a feed", "garbage")


def test_truncated_feed_keeps_only_what_was_recovered():
    recovered = parse_feed((FEEDS / C39).read_bytes()[:3000], "truncated")
    assert 1 <= len(recovered) < 25
    assert recovered[0].title.startswith("Yxk 16")
