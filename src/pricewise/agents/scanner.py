"""One pass over the configured feeds: fetch, parse, extract, de-duplicate against memory, and fetch
deal pages for deals whose feed text is too thin. Any feed can fail; the others still scan."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace

from pricewise.agents.extract import ExtractedDeal, extract
from pricewise.agents.feeds import FeedEntry, parse_feed
from pricewise.agents.fetch import Fetcher, Validators
from pricewise.agents.html_text import page_text
from pricewise.agents.memory import Memory
from pricewise.agents.urls import deal_id
from pricewise.config import Settings
from pricewise.errors import PricewiseError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedOutcome:
    """How one feed went: ``ok``, ``not-modified`` or ``error`` (with the reason)."""

    url: str
    status: str
    entries: int = 0
    error: str = ""
    validators: Validators = field(default_factory=Validators)


@dataclass
class ScanResult:
    deals: list[ExtractedDeal] = field(default_factory=list)
    feeds: list[FeedOutcome] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)
    already_seen: int = 0
    pages_fetched: int = 0
    page_errors: int = 0

    @property
    def entries(self) -> int:
        return sum(f.entries for f in self.feeds)


def read_feed(
    url: str, fetcher: Fetcher, memory: Memory, settings: Settings
) -> tuple[FeedOutcome, list[FeedEntry]]:
    """Fetch and parse one feed; every failure becomes an ``error`` outcome instead of an exception."""
    try:
        response = fetcher.get(url, memory.feed_validators(url))
        if response.not_modified:
            return FeedOutcome(url, "not-modified", validators=response.validators), []
        entries = parse_feed(
            response.content,
            url,
            response.content_type,
            settings.deals.max_entries_per_feed,
            settings.deals.max_text_chars,
        )
        return FeedOutcome(url, "ok", len(entries), validators=response.validators), entries
    except PricewiseError as exc:
        log.warning("feed skipped: %s", exc)
        return FeedOutcome(url, "error", error=str(exc)), []
    except Exception as exc:  # a feed must never stop the scan, whatever it sends
        log.exception("feed skipped after an unexpected error: %s", url)
        return FeedOutcome(url, "error", error=f"{type(exc).__name__}: {exc}"), []


def _enrich_from_page(
    deal: ExtractedDeal, fetcher: Fetcher, result: ScanResult, max_chars: int
) -> ExtractedDeal:
    try:
        response = fetcher.get(deal.url)
        text = page_text(response.content.decode("utf-8", errors="replace"), max_chars)
    except PricewiseError as exc:
        log.info("deal page not used: %s", exc)
        result.page_errors += 1
        return deal
    result.pages_fetched += 1
    return replace(deal, description=f"{deal.description}\n{text}".strip()) if text else deal


def scan(settings: Settings, memory: Memory, fetcher: Fetcher) -> ScanResult:
    """New deals with a confident price from every configured feed (nothing is written to memory)."""
    result = ScanResult()
    entries: list[FeedEntry] = []
    for url in settings.deals.feeds:
        outcome, found = read_feed(url, fetcher, memory, settings)
        result.feeds.append(outcome)
        entries.extend(found)
    if settings.deals.extractor == "llm":
        from pricewise.agents.llm_extract import select_deals

        extracted = select_deals(entries, settings.deals, result.dropped)
    else:
        extracted = []
        for entry in entries:
            deal, reason = extract(entry)
            if deal is None:
                result.dropped[reason] += 1
            else:
                extracted.append(deal)
    unique: dict[str, ExtractedDeal] = {}
    for deal in extracted:
        if deal_id(deal.url) in unique:
            result.dropped["duplicate in this scan"] += 1
        else:
            unique[deal_id(deal.url)] = deal
    seen = memory.seen(unique)
    result.already_seen = len(seen)
    for key, deal in unique.items():
        if key in seen:
            continue
        if settings.deals.fetch_pages and len(deal.description) < settings.deals.min_description_chars:
            deal = _enrich_from_page(deal, fetcher, result, settings.deals.max_text_chars)
        result.deals.append(deal)
    return result
