"""The page "The Price is Right": the deals found so far, the agents' live log, the 3-D product map,
a "price this" box, and a click on a deal re-sends its alert.

Nothing slow happens on a request: scans run on a timer in a background thread (``ScanScheduler``),
the map is built in another (``ProductMap``), and the page polls both with a ``gr.Timer``.

No ``from __future__ import annotations`` here: Gradio reads the ``gr.SelectData`` annotation of the
click handler at run time to know it must pass the click event.
"""

import logging
from dataclasses import dataclass
from typing import Any

from pricewise.config import Settings, get_settings
from pricewise.errors import PricewiseError
from pricewise.pricers.base import Pricer
from pricewise.ui.live_log import LiveLog
from pricewise.ui.product_map import ProductMap
from pricewise.ui.scheduler import ScanScheduler

log = logging.getLogger(__name__)

TITLE = "The Price is Right"
COLUMNS = ["Deal", "Price", "Estimate", "Discount", "Link"]


def _money(value: float | None) -> str:
    return "?" if value is None else f"${value:,.2f}"


def deal_rows(opportunities: list[dict[str, Any]]) -> list[list[str]]:
    """Table rows: description, price, estimate with its interval, discount, link."""
    rows = []
    for o in opportunities:
        estimate = _money(o.get("estimate"))
        if o.get("low") is not None and o.get("high") is not None:
            estimate += f" ({_money(o['low'])} to {_money(o['high'])})"
        discount = _money(o.get("discount_usd"))
        if o.get("discount_pct") is not None:
            discount += f" ({o['discount_pct']:.0f}%)"
        link = f"[open]({o['url']})" if o.get("url") else ""
        rows.append([o.get("title", ""), _money(o.get("price")), estimate, discount, link])
    return rows


@dataclass
class PageState:
    """What the page's callbacks share: the settings, the pricer, the scan timer, the map, the log."""

    settings: Settings
    pricer: Pricer
    scheduler: ScanScheduler
    product_map: ProductMap
    live_log: LiveLog

    def opportunities(self) -> list[dict[str, Any]]:
        from pricewise.agents.planner import open_memory

        with open_memory(self.settings) as memory:
            return memory.opportunities(limit=self.settings.service.list_limit)

    def price_text(self, text: str) -> str:
        """The answer of the "price this" box, as one line of Markdown."""
        text = (text or "").strip()
        if not text:
            return "Type a product description first."
        size = len(text.encode("utf-8"))
        if size > self.settings.service.max_text_bytes:
            return f"That text is {size:,} bytes; the limit is {self.settings.service.max_text_bytes:,}."
        row = self.pricer.predict([text]).row(0)
        if row["estimate"] is None:
            return f"The {self.pricer.name} pricer could not price that text."
        answer = f"**Estimate: {_money(row['estimate'])}**"
        if row["low"] is not None:
            answer += f" (likely {_money(row['low'])} to {_money(row['high'])})"
        return answer + f" by the {self.pricer.name} pricer"

    def resend(self, opportunity_id: str) -> str:
        from pricewise.agents.messenger import resend

        try:
            counts = resend(opportunity_id, settings=self.settings)
        except PricewiseError as exc:
            self.live_log.note(f"alert not re-sent: {exc}")
            return f"Not re-sent: {exc}"
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to send"
        self.live_log.note(f"alert for {opportunity_id} re-sent: {summary}")
        return f"Alert re-sent: {summary}"


def describe_scan(report: Any) -> str:
    """The log lines of a scan report: the totals, each feed, each opportunity, each error."""
    totals = (
        f"{report.new_deals} new deals, {report.priced} priced, {len(report.opportunities)} opportunities "
        f"in {report.seconds:.1f}s"
    )
    lines = [totals]
    lines += [
        f"feed {f['url']}: {f['entries']} entries" + (f", error: {f['error']}" if f.get("error") else "")
        for f in report.feeds
    ]
    lines += [
        f"opportunity: {_money(o['price'])} vs estimate {_money(o['estimate'])}: {o['title'][:80]}"
        for o in report.opportunities
    ]
    lines += [f"error: {e}" for e in report.errors]
    return "\n".join(lines)


def build_state(settings: Settings, pricer: Pricer | None = None) -> PageState:
    """Load the pricer once and prepare (not start) the scan timer and the product map."""
    from pricewise.agents.planner import run_scan
    from pricewise.pricers.store import load_trained

    if pricer is None:
        pricer = load_trained(settings.deals.pricer, settings=settings)
    live_log = LiveLog(settings.ui.log_lines)
    scheduler = ScanScheduler(
        lambda: run_scan(settings=settings, pricer=pricer),
        interval_s=settings.ui.scan_interval_minutes * 60,
        live_log=live_log,
        run_first=settings.ui.scan_on_start,
        describe=describe_scan,
    )
    return PageState(settings, pricer, scheduler, ProductMap(settings), live_log)


def build_blocks(state: PageState) -> Any:
    """The Gradio page over ``state`` (started by :func:`launch`, or by a test)."""
    import gradio as gr

    def refresh() -> tuple[Any, ...]:
        opportunities = state.opportunities()
        status = "scanning…" if state.scheduler.running else f"{state.scheduler.scans_done} scan(s) done"
        figure = state.product_map.figure()
        return (
            deal_rows(opportunities),
            [o["id"] for o in opportunities],
            state.live_log.text(),
            status,
            gr.update(value=figure) if figure is not None else gr.update(),
        )

    def scan_now() -> str:
        state.scheduler.trigger()
        return "scan requested"

    def on_select(ids: list[str], event: gr.SelectData) -> str:
        row, column = event.index if isinstance(event.index, (list, tuple)) else (event.index, None)
        if column == COLUMNS.index("Link"):
            return ""  # opening the deal's page is not a request to alert again
        if row is None or row >= len(ids):
            return "That row is gone; the table was refreshed."
        return state.resend(ids[row])

    with gr.Blocks(title=TITLE, analytics_enabled=False) as blocks:
        gr.Markdown(
            f"# {TITLE}\nDeals priced well below what pricewise estimates they are worth. "
            "Click a deal to re-send its alert."
        )
        with gr.Row():
            status = gr.Markdown("starting…", elem_id="scan-status")
            scan_button = gr.Button("Scan now", elem_id="scan-now", scale=0)
        table = gr.Dataframe(
            headers=COLUMNS,
            datatype=["str", "str", "str", "str", "markdown"],
            interactive=False,
            wrap=True,
            elem_id="deals",
            column_widths=["46%", "10%", "20%", "14%", "10%"],
        )
        ids = gr.State([])
        alert_status = gr.Markdown(elem_id="alert-status")
        with gr.Row():
            with gr.Column(scale=1):
                price_box = gr.Textbox(
                    label="Price this",
                    lines=4,
                    placeholder="Title on the first line, then any description",
                    elem_id="price-input",
                )
                price_button = gr.Button("Estimate", variant="primary", elem_id="price-button")
                price_answer = gr.Markdown(elem_id="price-answer")
                live = gr.Textbox(
                    label="Agents' log",
                    lines=14,
                    max_lines=14,
                    interactive=False,
                    autoscroll=True,
                    elem_id="live-log",
                )
            with gr.Column(scale=2):
                product_plot = gr.Plot(label="Product vector store", elem_id="product-map")
        timer = gr.Timer(state.settings.ui.refresh_seconds)
        outputs = [table, ids, live, status, product_plot]
        blocks.load(refresh, outputs=outputs)
        timer.tick(refresh, outputs=outputs)
        scan_button.click(scan_now, outputs=status)
        price_button.click(state.price_text, inputs=price_box, outputs=price_answer)
        price_box.submit(state.price_text, inputs=price_box, outputs=price_answer)
        table.select(on_select, inputs=ids, outputs=alert_status)
    return blocks


def launch(
    settings: Settings | None = None, block: bool = True, pricer: Pricer | None = None
) -> tuple[Any, PageState]:
    """Start the map, the scan timer and the page; ``block=False`` returns once it is serving (tests)."""
    settings = settings or get_settings()
    state = build_state(settings, pricer)
    state.product_map.start()
    state.scheduler.start()
    blocks = build_blocks(state)
    try:
        blocks.launch(
            server_name=settings.ui.host,
            server_port=settings.ui.port,
            prevent_thread_lock=not block,
            quiet=not block,
            show_error=True,
        )
    except BaseException:
        state.scheduler.stop()
        raise
    if block:
        state.scheduler.stop()
    return blocks, state
