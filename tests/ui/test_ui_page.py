"""The page in a real browser: Debian's Chromium, headless, driven by Playwright against localhost."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pricewise.agents.planner import open_memory
from pricewise.pricers.store import load_trained


def _wait_for(condition, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def running_page(page_settings):
    from pricewise.ui.app import launch

    blocks, state = launch(page_settings, block=False)
    try:
        _wait_for(lambda: state.scheduler.scans_done >= 1, what="the first scan")
        yield f"http://127.0.0.1:{page_settings.ui.port}", state
    finally:
        state.scheduler.stop()
        blocks.close()


def test_page_shows_scanned_deals_prices_text_and_resends_alerts(
    running_page, page_settings, chromium, push_service, tmp_path
):
    url, state = running_page
    assert state.scheduler.last_error is None
    with open_memory(page_settings) as memory:
        opportunities = memory.opportunities()
    assert len(opportunities) >= 3, "the snapshot feeds hold deals well below the constant estimate"
    automatic = len(push_service.received)  # the scan alerted each opportunity once

    page = chromium.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(url)
    expect(page).to_have_title("The Price is Right", timeout=30_000)

    table = page.locator("#deals")
    first_title = opportunities[0]["title"]
    table.get_by_text(first_title[:40]).first.wait_for(timeout=30_000)
    for o in opportunities[:5]:
        assert table.get_by_text(o["title"][:40]).count() >= 1
    assert "$" in table.inner_text()

    page.locator("#price-input textarea").fill("Cordless drill driver kit\n20V, two batteries, charger")
    page.locator("#price-button").click()
    expected = load_trained("constant", settings=page_settings).predict(["drill"]).estimate[0]
    page.locator("#price-answer").get_by_text(f"Estimate: ${expected:,.2f}").wait_for(timeout=30_000)

    page.locator("#live-log textarea").wait_for()
    _wait_for(lambda: "scan finished" in page.locator("#live-log textarea").input_value(), 30, "the live log")

    table.get_by_text(first_title[:40]).first.click()
    page.locator("#alert-status").get_by_text("Alert re-sent: 1 sent").wait_for(timeout=30_000)
    _wait_for(lambda: len(push_service.received) == automatic + 1, 30, "the re-sent alert")
    resent = push_service.received[-1]["json"]
    assert first_title[:60] in resent["title"] + resent["message"]

    # The artefact: under $TEST_ARTEFACTS_DIR when CI sets it, else the test's tmp dir.
    shot = Path(os.environ.get("TEST_ARTEFACTS_DIR", tmp_path)) / "the-price-is-right.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()
