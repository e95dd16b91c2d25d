"""One scan end to end: retry due alerts, scan the feeds, price the new deals in ONE batch, pick the
opportunities by the user's thresholds, remember everything in one transaction, then alert."""

from __future__ import annotations

import json
import logging
import math
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pricewise.agents.extract import ExtractedDeal
from pricewise.agents.fetch import Fetcher
from pricewise.agents.memory import Memory, PricedDeal, utcnow
from pricewise.agents.messenger import Messenger
from pricewise.agents.scanner import ScanResult, scan
from pricewise.agents.urls import deal_id
from pricewise.config import DealSettings, Settings, get_settings
from pricewise.errors import PricewiseError
from pricewise.pricers.base import Pricer

log = logging.getLogger(__name__)


@dataclass
class ScanReport:
    """What one scan did, for the CLI, the service's live log and the benchmarks."""

    started_at: str
    seconds: float = 0.0
    feeds: list[dict[str, Any]] = field(default_factory=list)
    entries: int = 0
    already_seen: int = 0
    new_deals: int = 0
    priced: int = 0
    unpriced: int = 0
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    pages_fetched: int = 0
    alerts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    pricer: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def ok(self) -> bool:
        return not self.errors


def memory_path(settings: Settings) -> Path:
    path = settings.deals.memory_path
    return path if path.is_absolute() else settings.artifacts_dir / path


@contextmanager
def open_memory(settings: Settings | None = None) -> Iterator[Memory]:
    memory = Memory(memory_path(settings or get_settings()))
    try:
        yield memory
    finally:
        memory.close()


class ScanBusyError(PricewiseError):
    """Another process is scanning the same memory right now."""


@contextmanager
def scan_session(settings: Settings) -> Iterator[tuple[Memory, Fetcher, Messenger]]:
    """Memory, fetcher and messenger for one scan, holding the memory's scan lock: one scan at a time,
    across processes (the watcher, ``deals scan --once``, the service)."""
    import fcntl

    path = memory_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScanBusyError(f"another scan is running on {path}") from None
        with open_memory(settings) as memory, Fetcher(settings.deals) as fetcher:
            yield memory, fetcher, Messenger(memory, settings)


def resolve_pricer(pricer: Pricer | str | None, settings: Settings) -> Pricer:
    """A pricer instance, a trained pricer's name, or None for ``deals.pricer`` / ``pricers.default``."""
    if isinstance(pricer, Pricer):
        return pricer
    from pricewise.pricers.store import load_trained

    return load_trained(pricer or settings.deals.pricer, settings)


def price_deals(deals: Sequence[ExtractedDeal], pricer: Pricer, settings: DealSettings) -> list[PricedDeal]:
    """Estimates for all deals in one ``predict`` call, and which of them are opportunities."""
    if not deals:
        return []
    from pricewise.data.item import Item

    items = [Item.from_text(d.text, id=deal_id(d.url), source="deal") for d in deals]
    estimates = pricer.predict(items)
    priced = []
    for i, deal in enumerate(deals):
        row = estimates.row(i)
        candidate = PricedDeal(
            id=deal_id(deal.url),
            url=deal.url,
            title=deal.title,
            description=deal.description,
            price=deal.price,
            retailer=deal.retailer,
            feed=deal.feed,
            estimate=row["estimate"],
            low=row["low"],
            high=row["high"],
        )
        priced.append(replace(candidate, is_opportunity=is_opportunity(candidate, settings)))
    return priced


def is_opportunity(deal: PricedDeal, settings: DealSettings) -> bool:
    """The user's thresholds: dollars and percent off the estimate, optionally below the interval."""
    if deal.estimate is None or not math.isfinite(deal.estimate):
        return False
    if (
        deal.discount_usd < settings.min_discount_usd
        or (deal.discount_pct or 0.0) < settings.min_discount_pct
    ):
        return False
    if settings.require_below_interval:
        return deal.low is not None and deal.price < deal.low
    return True


def fill_report(result: ScanResult, report: ScanReport) -> None:
    report.feeds = [
        {"url": f.url, "status": f.status, "entries": f.entries, "error": f.error} for f in result.feeds
    ]
    report.entries = result.entries
    report.already_seen = result.already_seen
    report.new_deals = len(result.deals)
    report.dropped = dict(result.dropped)
    report.pages_fetched = result.pages_fetched


def run_scan(settings: Settings | None = None, pricer: Pricer | str | None = None) -> ScanReport:
    """Scan once. A missing trained pricer is a clear error up front; any later failure (a feed, the
    pricer, a channel) is logged into the report and never raised, so a watcher keeps going."""
    settings = settings or get_settings()
    model = resolve_pricer(pricer, settings)
    started, clock = utcnow(), time.perf_counter()
    report = ScanReport(started_at=started.isoformat(timespec="seconds"), pricer=type(model).__name__)
    with scan_session(settings) as (memory, fetcher, messenger):
        alerts = Counter(messenger.deliver_due())
        try:
            result = scan(settings, memory, fetcher)
            fill_report(result, report)
            priced = price_deals(result.deals, model, settings.deals)
        except Exception as exc:
            log.exception("scan failed: nothing recorded, the deals will be scanned again")
            report.errors.append(f"{type(exc).__name__}: {exc}")
            report.alerts = dict(alerts)
            report.seconds = time.perf_counter() - clock
            return report
        report.priced = sum(d.estimate is not None for d in priced)
        report.unpriced = len(priced) - report.priced
        report.opportunities = [d.summary() for d in priced if d.is_opportunity]
        feeds = [
            (f.url, f.validators, f.status if not f.error else f"error: {f.error[:200]}")
            for f in result.feeds
        ]
        memory.record_scan(priced, messenger.channels, json.dumps(report.to_dict()), started, feeds)
        alerts.update(messenger.deliver_due())
        report.alerts = dict(alerts)
        memory.prune(settings.deals.retention_days)
    report.seconds = time.perf_counter() - clock
    return report
