"""The SQLite memory: all-or-nothing scans, retention, and a scan killed with SIGKILL then restarted."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from pricewise.agents.memory import Memory, PricedDeal
from pricewise.agents.planner import memory_path

from .conftest import C39

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _deal(n: int) -> PricedDeal:
    return PricedDeal(
        id=f"d{n}",
        url=f"https://shop.example/{n}",
        title=f"Gadget {n}",
        description="",
        price=10.0,
        retailer="",
        feed="f",
        estimate=100.0,
        low=None,
        high=None,
        is_opportunity=True,
    )


def test_a_failed_scan_write_leaves_nothing(tmp_path):
    with Memory(tmp_path / "m.sqlite") as memory:
        memory.record_scan([_deal(1)], ["json#1"], "{}", NOW, now=NOW)
        with pytest.raises(sqlite3.IntegrityError):
            # the second deal's opportunity breaks a NOT NULL constraint after the deal row went in
            bad = PricedDeal(**{**_deal(2).__dict__, "estimate": None})
            memory.record_scan([_deal(3), bad], ["json#1"], "{}", NOW, now=NOW)
        assert memory.seen(["d1", "d2", "d3"]) == {"d1"}
        assert len(memory.alerts()) == 1 and len(memory.scans()) == 1
        assert memory._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_retention_prunes_old_deals_with_their_alerts(tmp_path):
    with Memory(tmp_path / "m.sqlite") as memory:
        memory.record_scan([_deal(1)], ["c"], "{}", NOW - timedelta(days=100), now=NOW - timedelta(days=100))
        memory.record_scan([_deal(2)], ["c"], "{}", NOW, now=NOW)
        assert memory.prune(90, now=NOW) == 1
        assert memory.seen(["d1", "d2"]) == {"d2"}
        assert [a["opportunity_id"] for a in memory.alerts()] == ["d2"]
        assert memory.price_history("gadget 1") == []


def _scan_process(
    feeds: list[str], push_url: str, extra_env: dict[str, str] | None = None
) -> subprocess.Popen:
    env = {
        **os.environ,
        **(extra_env or {}),
        "PRICEWISE_DEALS__FEEDS": json.dumps(feeds),
        "PRICEWISE_DEALS__ALLOW_PRIVATE_ADDRESSES": "true",
        "PRICEWISE_DEALS__POLITENESS_DELAY_S": "0",
        "PRICEWISE_DEALS__FETCH_PAGES": "false",
        "PRICEWISE_NOTIFY__URLS": json.dumps([push_url]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "pricewise.cli", "deals", "scan", "--once"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_kill_9_mid_scan_then_restart_keeps_memory_consistent(deal_settings, feed_server, push_server):
    push_server.delay_s = 0.4
    process = _scan_process([feed_server.snap(C39)], push_server.apprise_url)
    deadline = time.monotonic() + 60
    while len(push_server.received) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    before = len(push_server.received)
    assert 3 <= before < 12  # killed in the middle of alerting

    path = memory_path(deal_settings)
    with Memory(path) as memory:
        assert memory._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(memory.deals(100)) == 18  # the scan's transaction committed before alerting
        statuses = [a["status"] for a in memory.alerts(100)]
        assert len(statuses) == 12 and statuses.count("sent") >= before - 1

    push_server.delay_s = 0.0
    restarted = _scan_process([feed_server.snap(C39)], push_server.apprise_url)
    out, err = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, err.decode()
    assert b"0 new deals" in out
    with Memory(path) as memory:
        assert len(memory.deals(100)) == 18
        assert [a["status"] for a in memory.alerts(100)] == ["sent"] * 12
    urls = [m["message"].splitlines()[-1] for m in push_server.received]
    assert len(set(urls)) == 12  # nothing lost
    # At most the one alert in flight at the kill is delivered twice (the push service got it, we never
    # heard back): at-least-once is the only promise possible without the receiver's help.
    assert len(urls) - len(set(urls)) <= 1


def test_kill_9_before_the_commit_leaves_nothing_and_the_restart_does_it_all(
    deal_settings, feed_server, push_server
):
    feed_server.slow_s = 30.0
    feeds = [feed_server.snap(C39), f"{feed_server.url}/slow"]
    process = _scan_process(feeds, push_server.apprise_url, {"PRICEWISE_DEALS__READ_TIMEOUT_S": "60"})
    deadline = time.monotonic() + 60
    while feed_server.hits["slow"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # C39 read and parsed, the slow feed still loading: nothing committed
    process.wait(timeout=10)
    with Memory(memory_path(deal_settings)) as memory:
        assert memory.deals() == [] and memory.alerts() == [] and memory.scans() == []
    restarted = _scan_process(feeds[:1], push_server.apprise_url)
    out, err = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, err.decode()
    assert b"18 new deals" in out
    assert len(push_server.received) == 12
