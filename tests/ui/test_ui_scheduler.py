"""Scans on a timer against the served feed snapshots: the live log, no leaked handlers, failures survived."""

from __future__ import annotations

import logging
import threading

from pricewise.agents.planner import run_scan
from pricewise.ui.app import describe_scan
from pricewise.ui.live_log import LiveLog
from pricewise.ui.scheduler import ScanScheduler


def test_repeated_real_scans_log_to_the_page_and_leave_no_handlers(page_settings):
    logger = logging.getLogger("pricewise")
    handlers_before, level_before = list(logger.handlers), logger.level
    live = LiveLog(max_lines=500)
    scheduler = ScanScheduler(
        lambda: run_scan(settings=page_settings), 3600, live, run_first=False, describe=describe_scan
    )
    first = scheduler.run_once()
    second = scheduler.run_once()
    assert logger.handlers == handlers_before and logger.level == level_before
    assert first.new_deals >= 20 and second.new_deals == 0  # the memory remembers what was seen
    text = live.text()
    assert text.count("scan started") == 2
    assert f"scan finished: {first.new_deals} new deals" in text
    assert "scan finished: 0 new deals" in text
    assert text.count("opportunity: ") == len(first.opportunities) > 0
    logging.getLogger("pricewise.agents.scanner").info("after the scans")
    assert "after the scans" not in live.text()  # the handler is really gone


def test_a_failing_scan_is_logged_and_the_timer_goes_on(page_settings):
    live = LiveLog()
    broken = page_settings.model_copy(
        update={"deals": page_settings.deals.model_copy(update={"pricer": "missing"})}
    )
    calls = []
    done = threading.Event()

    def scan():
        calls.append(len(calls))
        if len(calls) >= 2:
            done.set()
        return run_scan(settings=broken)

    scheduler = ScanScheduler(scan, interval_s=0.05, live_log=live).start()
    try:
        assert done.wait(30)
    finally:
        scheduler.stop()
    assert scheduler.scans_done >= 2
    assert "no trained pricer 'missing'" in scheduler.last_error
    assert "scan finished: failed: ModelError: no trained pricer 'missing'" in live.text()


def test_live_log_keeps_the_last_lines():
    live = LiveLog(max_lines=3)
    for n in range(5):
        live.note(f"line {n}")
    assert [line.split(" ", 2)[2] for line in live.text().splitlines()] == ["line 2", "line 3", "line 4"]
