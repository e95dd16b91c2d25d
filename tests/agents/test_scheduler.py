"""The watch loop: intervals, failing scans survived, one scan at a time, graceful SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from pricewise.agents.planner import ScanBusyError, run_scan, scan_session
from pricewise.agents.scheduler import Watcher, parse_every
from pricewise.errors import ConfigError

from .conftest import C39


@pytest.mark.parametrize(
    "text,seconds", [("90", 90), ("30s", 30), ("5m", 300), ("1.5h", 5400), ("1d", 86400)]
)
def test_parse_every(text, seconds):
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "five minutes", "0s", "-5m", "5y"])
def test_parse_every_rejects(text):
    with pytest.raises(ConfigError):
        parse_every(text)


def test_failing_scans_never_stop_the_watcher():
    calls = []

    def scan_once():
        calls.append(time.monotonic())
        if len(calls) % 2:
            raise RuntimeError("feed server on fire")
        return "ok"

    watcher = Watcher(scan_once, every_s=0.01)
    watcher.run(max_scans=4)
    assert watcher.scans == 4 and watcher.failures == 2


def test_stop_ends_the_wait_at_once():
    watcher = Watcher(lambda: None, every_s=60)
    thread = threading.Thread(target=watcher.run)
    thread.start()
    time.sleep(0.2)
    watcher.stop()
    thread.join(timeout=2)
    assert not thread.is_alive() and watcher.scans == 1


def test_one_scan_at_a_time_across_processes(deal_settings):
    with scan_session(deal_settings), pytest.raises(ScanBusyError):
        run_scan(deal_settings)
    assert run_scan(deal_settings).ok


def test_sigterm_stops_the_cli_watcher_gracefully(deal_settings, feed_server, push_server):
    env = {
        **os.environ,
        "PRICEWISE_DEALS__FEEDS": json.dumps([feed_server.snap(C39)]),
        "PRICEWISE_DEALS__ALLOW_PRIVATE_ADDRESSES": "true",
        "PRICEWISE_DEALS__POLITENESS_DELAY_S": "0",
        "PRICEWISE_DEALS__FETCH_PAGES": "false",
        "PRICEWISE_NOTIFY__URLS": json.dumps([push_server.apprise_url]),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pricewise.cli", "deals", "watch", "--every", "1s"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while feed_server.hits[f"snap/{C39}"] < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "18 new deals" in out and "0 new deals" in out
    assert "stopped after" in out and "(0 failed)" in out
    assert len(push_server.received) == 12
