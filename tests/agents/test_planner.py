"""End-to-end scans against the local feed and push servers, with a tiny trained constant pricer ($400)."""

from __future__ import annotations

import pytest

from pricewise.agents.planner import open_memory, run_scan
from pricewise.errors import ModelError

from .conftest import C39
from .test_extract import C39_DEALS

CONSTANT = 400.0


def test_scan_prices_c39_deals_and_alerts_opportunities(deal_settings, push_server):
    report = run_scan(deal_settings)
    assert report.ok, report.errors
    assert report.entries == 25 and report.new_deals == 18 and report.priced == 18
    assert sum(report.dropped.values()) == 7
    expected = {t: p for t, p in C39_DEALS.items() if CONSTANT - p >= 50}
    assert len(report.opportunities) == len(expected) == 12
    assert report.alerts == {"sent": 12}
    assert len(push_server.received) == 12
    message = next(m for m in push_server.messages() if m.startswith("Yxk 16"))
    assert "Deal price: $59.99" in message and "Estimated value: $400.00" in message
    assert "Discount: $340.01 (85%)" in message and "https://www.dealnews.com/products/Yxk/" in message
    with open_memory(deal_settings) as memory:
        assert len(memory.deals(100)) == 18
        opportunities = memory.opportunities(100)
        assert {round(o["price"], 2) for o in opportunities} == set(expected.values())
        assert all(o["discount_usd"] == pytest.approx(CONSTANT - o["price"]) for o in opportunities)


def test_second_scan_finds_nothing_new_and_sends_nothing(deal_settings, push_server, feed_server):
    run_scan(deal_settings)
    again = run_scan(deal_settings)
    assert again.new_deals == 0 and again.feeds[0]["status"] == "not-modified"
    deal_settings.deals.feeds = [f"{feed_server.url}/redirect/{C39}"]  # same deals under another feed URL
    third = run_scan(deal_settings)
    assert third.new_deals == 0 and third.already_seen == 18
    assert len(push_server.received) == 12


def test_failing_feeds_are_skipped_and_the_others_scan(deal_settings, feed_server, push_server):
    deal_settings.deals.retries = 1
    deal_settings.deals.read_timeout_s = 0.5
    feed_server.slow_s = 1.0
    deal_settings.deals.feeds = [*feed_server.misbehaving, feed_server.snap(C39)]
    report = run_scan(deal_settings)
    assert report.ok
    statuses = {f["url"].rsplit("/", 1)[-1]: f["status"] for f in report.feeds}
    assert statuses["dealnews_c39_computers_2026-09-26.xml"] == "ok"
    assert sum(s == "error" for s in statuses.values()) >= 8
    assert report.new_deals == 18  # the redirected C39 copy de-duplicates against the direct one


def test_thresholds_percent_and_interval(deal_settings):
    deal_settings.deals.min_discount_pct = 90.0
    report = run_scan(deal_settings)
    assert {round(o["price"], 2) for o in report.opportunities} == {p for p in C39_DEALS.values() if p <= 40}
    deal_settings.deals.min_discount_pct = 0.0
    deal_settings.deals.require_below_interval = (
        True  # the constant pricer gives no interval: nothing qualifies
    )
    deal_settings.deals.memory_path = deal_settings.artifacts_dir / "other.sqlite"
    assert run_scan(deal_settings).opportunities == []


def test_missing_trained_pricer_is_a_clear_error(deal_settings):
    with pytest.raises(ModelError, match="no trained pricer 'nope'"):
        run_scan(deal_settings, pricer="nope")


def test_failing_pricer_records_nothing_and_next_scan_retries(deal_settings):
    from pricewise.pricers.store import load_trained

    class Broken(type(load_trained(settings=deal_settings))):
        def predict(self, items):
            raise RuntimeError("model server down")

    report = run_scan(deal_settings, pricer=Broken())
    assert report.errors and "model server down" in report.errors[0]
    with open_memory(deal_settings) as memory:
        assert memory.deals() == []
    assert run_scan(deal_settings).new_deals == 18  # the ETag was not kept: the feed is read again


def test_thin_deals_fetch_their_page(deal_settings, feed_server):
    page = (
        b"<html><head><meta name='description' content='A 27-inch 4K IPS monitor with USB-C.'></head>"
        b"<body><script>var x=1;</script><p>Full specs: 3840x2160, 60Hz.</p></body></html>"
    )
    feed_server.custom["page.html"] = (page, "text/html")
    link = f"{feed_server.url}/custom/page.html"
    feed = (
        f"<rss version='2.0'><channel><title>t</title><item><title>Dell 27in 4K Monitor $199</title>"
        f"<link>{link}</link><description>Short.</description></item></channel></rss>"
    ).encode()
    feed_server.custom["thin.xml"] = (feed, "application/rss+xml")
    deal_settings.deals.feeds = [f"{feed_server.url}/custom/thin.xml"]
    deal_settings.deals.fetch_pages = True
    report = run_scan(deal_settings)
    assert report.pages_fetched == 1
    with open_memory(deal_settings) as memory:
        (deal,) = memory.deals()
    assert deal["price"] == 199.0
    assert "27-inch 4K IPS monitor" in deal["description"] and "3840x2160" in deal["description"]
    assert "var x" not in deal["description"]


def test_huge_and_non_utf8_entries_are_cut_and_survive(deal_settings, feed_server):
    huge = "x" * 2_000_000
    items = (
        (
            f"<item><title>Big Lamp for $120</title><link>https://shop.example/lamp</link><description>{huge}"
            f"</description></item>"
        ).encode()
        + "<item><title>Caf\u00e9 Espresso Machine for $80</title><link>https://shop.example/cafe</link></item>".encode(
            "latin-1"
        )
    )
    feed = (
        b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
        + items
        + b"</channel></rss>"
    )
    feed_server.custom["odd.xml"] = (feed, "application/rss+xml; charset=utf-8")
    deal_settings.deals.feeds = [f"{feed_server.url}/custom/odd.xml", feed_server.snap(C39)]
    deal_settings.deals.max_bytes = 5_000_000
    report = run_scan(deal_settings)
    assert report.ok and report.feeds[1]["status"] == "ok"
    with open_memory(deal_settings) as memory:
        lamp = next(d for d in memory.deals(100) if d["title"].startswith("Big Lamp"))
    assert lamp["price"] == 120.0 and len(lamp["description"]) == deal_settings.deals.max_text_chars
