"""The README's screenshot of "The Price is Right": the page after one offline scan, in headless Chromium.

    .venv/bin/python benchmarks/ui_screenshot.py [--out docs/screenshot.png] [--feeds DIR]

Scans the DealNews snapshots in the shared data (served on 127.0.0.1) with the trained default pricer,
into a scratch deal memory (the real one is left alone) with no alert channels, waits for the product
map, then saves the page as Debian's Chromium renders it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def main() -> None:
    from pricewise.cli.deals import snapshot_settings
    from pricewise.config import get_settings

    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshot.png"))
    parser.add_argument("--feeds", type=Path, default=settings.data_dir / "feeds" / "dealnews")
    args = parser.parse_args()

    from playwright.sync_api import expect, sync_playwright

    from pricewise.ui.app import launch

    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        settings = snapshot_settings(stack, settings, args.feeds)
        settings.deals.memory_path = scratch / "memory.sqlite"
        settings.notify.urls = []
        settings.ui.port = 7869
        blocks, state = launch(settings, block=False)
        stack.callback(blocks.close)
        stack.callback(state.scheduler.stop)
        state.product_map.wait()
        while state.scheduler.scans_done < 1:
            time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(f"http://127.0.0.1:{settings.ui.port}")
            expect(page).to_have_title("The Price is Right", timeout=60_000)
            page.locator("#price-input textarea").fill(
                "Cordless drill driver kit\n20V max, 2 batteries, charger and bag"
            )
            page.locator("#price-button").click()
            page.locator("#price-answer").get_by_text("Estimate").wait_for(timeout=60_000)
            page.locator("#product-map .js-plotly-plot").wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
