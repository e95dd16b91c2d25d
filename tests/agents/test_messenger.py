"""Alerts through Apprise to a local push service: retries, failures kept and retried later, per-day cap,
debounce, no duplicate after a restart, re-send on request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from pricewise.agents.memory import Memory, PricedDeal, product_key
from pricewise.agents.messenger import Messenger, channel_name, format_alert, resend
from pricewise.agents.planner import memory_path, open_memory, run_scan
from pricewise.errors import ConfigError, PricewiseError

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _deal(n: int, price: float = 100.0, title: str | None = None) -> PricedDeal:
    return PricedDeal(
        id=f"d{n}",
        url=f"https://shop.example/{n}",
        title=title or f"Gadget model {n} for ${price:.0f}",
        description="A gadget.",
        price=price,
        retailer="Shop",
        feed="f",
        estimate=300.0,
        low=250.0,
        high=350.0,
        is_opportunity=True,
    )


@pytest.fixture
def memory(deal_settings):
    with open_memory(deal_settings) as memory:
        yield memory


def _messenger(memory, settings, clock=lambda: NOW):
    return Messenger(memory, settings, sleep=lambda s: None, clock=clock)


def test_message_names_product_price_estimate_interval_discount_link():
    title, body = format_alert(
        {
            "title": "Gadget X",
            "price": 100.0,
            "estimate": 300.0,
            "low": 250.0,
            "high": 350.0,
            "discount_usd": 200.0,
            "discount_pct": 66.7,
            "url": "https://shop.example/x",
        }
    )
    assert title == "Deal: Gadget X"
    assert body.splitlines() == [
        "Gadget X",
        "Deal price: $100.00",
        "Estimated value: $300.00 (likely $250.00 to $350.00)",
        "Discount: $200.00 (67%)",
        "https://shop.example/x",
    ]


def test_channel_name_hides_the_secret():
    name = channel_name("pover://user@secrettoken")
    assert name.startswith("pover#") and "secret" not in name


def test_failures_are_retried_in_the_call_then_kept_and_retried_later(memory, deal_settings, push_server):
    deal_settings.notify.retries = 1
    push_server.fail_first = 3  # both tries of the first delivery fail, then one more failure
    messenger = _messenger(memory, deal_settings)
    memory.record_scan([_deal(1)], messenger.channels, "{}", NOW, now=NOW)
    assert messenger.deliver_due() == {"failed": 1}
    (alert,) = memory.alerts()
    assert alert["status"] == "failed" and alert["attempts"] == 2 and "did not accept" in alert["last_error"]
    assert messenger.deliver_due() == {"sent": 1}  # third call fails, fourth succeeds within the retry
    (alert,) = memory.alerts()
    assert alert["status"] == "sent" and alert["attempts"] == 4
    assert messenger.deliver_due() == {}
    assert len(push_server.received) == 1


def test_failed_alert_waits_for_its_retry_time_and_dies_after_max_attempts(
    memory, deal_settings, push_server
):
    deal_settings.notify.retries = 0
    deal_settings.notify.retry_after_s = 600
    deal_settings.notify.max_attempts = 2
    push_server.fail_first = 10
    clock = [NOW]
    messenger = _messenger(memory, deal_settings, clock=lambda: clock[0])
    memory.record_scan([_deal(1)], messenger.channels, "{}", NOW, now=NOW)
    assert messenger.deliver_due() == {"failed": 1}
    assert messenger.deliver_due() == {}  # not due yet
    clock[0] = NOW + timedelta(minutes=11)
    assert messenger.deliver_due() == {"dead": 1}
    assert memory.alerts()[0]["status"] == "dead"
    assert push_server.calls == 2


def test_per_day_cap_holds(memory, deal_settings, push_server):
    deal_settings.notify.max_per_day = 3
    clock = [NOW]
    messenger = _messenger(memory, deal_settings, clock=lambda: clock[0])
    memory.record_scan([_deal(n) for n in range(5)], messenger.channels, "{}", NOW, now=NOW)
    assert messenger.deliver_due() == {"sent": 3, "capped": 2}
    memory.record_scan([_deal(9)], messenger.channels, "{}", NOW, now=NOW)
    assert messenger.deliver_due() == {"capped": 1}
    clock[0] = NOW + timedelta(days=1)
    memory.record_scan([_deal(10)], messenger.channels, "{}", clock[0], now=clock[0])
    assert messenger.deliver_due() == {"sent": 1}
    assert len(push_server.received) == 4


def test_same_product_is_debounced_unless_cheaper(memory, deal_settings, push_server):
    messenger = _messenger(memory, deal_settings)
    first = _deal(1, 120.0, "Acme Blender 3000 for $120")
    memory.record_scan([first], messenger.channels, "{}", NOW, now=NOW)
    messenger.deliver_due()
    same = _deal(2, 120.0, "Acme Blender 3000 for $120 + free shipping")
    cheaper = _deal(3, 99.0, "Acme Blender 3000 for $99")
    assert product_key(same.title) == product_key(first.title) == product_key(cheaper.title)
    memory.record_scan([same, cheaper], messenger.channels, "{}", NOW, now=NOW)
    assert messenger.deliver_due() == {"debounced": 1, "sent": 1}
    assert [m.splitlines()[1] for m in push_server.messages()] == [
        "Deal price: $120.00",
        "Deal price: $99.00",
    ]
    assert [h["price"] for h in memory.price_history(product_key(first.title))] == [120.0, 120.0, 99.0]


def test_no_duplicate_alert_after_restart(deal_settings, push_server):
    assert run_scan(deal_settings).alerts == {"sent": 12}
    # A new process: fresh memory connection, same file; the feed is served in full again (no ETag kept).
    with Memory(memory_path(deal_settings)) as memory:
        memory._db.execute("DELETE FROM feed_state")
    report = run_scan(deal_settings)
    assert report.new_deals == 0 and report.alerts == {}
    assert len(push_server.received) == 12


def test_resend_sends_again_on_request(deal_settings, push_server):
    run_scan(deal_settings)
    with open_memory(deal_settings) as memory:
        target = memory.opportunities()[0]
    assert resend(target["id"], deal_settings) == {"sent": 1}
    assert len(push_server.received) == 13 and target["url"] in push_server.received[-1]["message"]
    with pytest.raises(PricewiseError, match="no opportunity"):
        resend("unknown", deal_settings)
    deal_settings.notify.urls = []
    with pytest.raises(ConfigError, match="no notification channel"):
        resend(target["id"], deal_settings)


def test_unreachable_channel_is_recorded_not_lost(deal_settings, push_server):
    deal_settings.notify.urls = [SecretStr("json://127.0.0.1:9/nothing-listens")]
    deal_settings.notify.retries = 0
    report = run_scan(deal_settings)
    assert report.alerts == {"failed": 12}
    deal_settings.notify.urls = [
        SecretStr(push_server.apprise_url)
    ]  # a new channel: the old one's rows remain
    with open_memory(deal_settings) as memory:
        assert {a["status"] for a in memory.alerts(100)} == {"failed"}
