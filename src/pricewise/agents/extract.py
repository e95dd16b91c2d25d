"""Deal price extraction without an LLM.

Structured feed fields win (DealNews ``dealnews:price`` / ``dealType``); otherwise the title is parsed.
A dollar amount is a price only when nothing around it says it is something else: "$350 off",
"save $40", "up to $100", "w/ $35", "+ $5 gift card", "$14.99 shipping" are discounts, thresholds or
extras. Entries without one confident price are dropped with a reason the scan report counts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pricewise.agents.feeds import FeedEntry

_AMOUNT = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?")
_NOT_A_PRICE_AFTER = re.compile(
    r"^\s*(?:off\b|discount|rebate|credit|gift|gc\b|in\s|back\b|cash\s?back|shipping|s&h|s/h|coupon|bonus|"
    r"reward|savings|less than|or more|minimum|min\b|purchase|order|spend)",
    re.IGNORECASE,
)
_NOT_A_PRICE_BEFORE = re.compile(
    r"(?:\b(?:save|saving|savings of|up to|reduced by|with|over|spend|orders? of|extra|get|plus|under|"
    r"additional|minimum of)|\+|\bw/)\s*$",
    re.IGNORECASE,
)
_LOWER_BOUND_BEFORE = re.compile(r"\b(?:from|starting at|as low as)\s*$", re.IGNORECASE)
_RECURRING = re.compile(
    r"(?:\b(?:per|a)\s|/\s?)(?:month|mo|year|yr|week)\b|\bmonthly\b|\bannually\b", re.IGNORECASE
)
_ROUNDUP = re.compile(r"(?:&|\band)\s+more\b|\bup to\b|\bdeals on\b|\bsale:|\bdeals at\b", re.IGNORECASE)


@dataclass(frozen=True)
class ExtractedDeal:
    """A deal with one confident price, ready to be priced by a pricer."""

    title: str
    url: str
    price: float
    description: str
    feed: str
    retailer: str = ""
    deal_type: str = ""
    category: str = ""
    price_source: str = "title"

    @property
    def text(self) -> str:
        """What the pricer reads: the title, then the description."""
        return f"{self.title}\n{self.description}".strip()


def _as_price(whole: str, cents: str | None) -> float:
    return float(whole.replace(",", "") + (cents or ""))


def _amounts(title: str) -> list[tuple[float, str]]:
    """Every dollar amount in a title with what it is: ``price``, ``explicit`` ("for $X"), ``discount``, ``from``."""
    found = []
    for match in _AMOUNT.finditer(title):
        before, after = title[: match.start()], title[match.end() :]
        value = _as_price(match.group(1), match.group(2))
        if _NOT_A_PRICE_AFTER.match(after) or _NOT_A_PRICE_BEFORE.search(before):
            kind = "discount"
        elif _LOWER_BOUND_BEFORE.search(before):
            kind = "from"
        elif re.search(r"\bfor\s*$", before, re.IGNORECASE):
            kind = "explicit"
        else:
            kind = "price"
        found.append((value, kind))
    return found


def discount_amounts(title: str) -> set[float]:
    """Amounts a title states as discounts or thresholds: never a deal's price, whoever extracts it."""
    return {value for value, kind in _amounts(title) if kind == "discount"}


def title_price(title: str) -> tuple[float | None, str]:
    """The one price a title states, or ``(None, why not)``."""
    amounts = _amounts(title)
    explicit = {value for value, kind in amounts if kind == "explicit"}
    prices = {value for value, kind in amounts if kind in {"explicit", "price"}}
    kinds = {kind for _, kind in amounts}
    if len(explicit) == 1:
        return explicit.pop(), ""
    if len(prices) == 1:
        return prices.pop(), ""
    if len(prices) > 1:
        return None, "several prices in title"
    if "from" in kinds:
        return None, "only a lower-bound price ('from $X')"
    if "discount" in kinds:
        return None, "only a discount or threshold amount ('$X off')"
    return None, "no price in title"


def extract(entry: FeedEntry) -> tuple[ExtractedDeal | None, str]:
    """The deal in ``entry``, or ``(None, reason)`` when it has no confident price."""
    title = entry.title.strip()
    if not entry.link:
        return None, "no link"
    if not title:
        return None, "no title"
    deal_type = entry.fields.get("dealtype", "").lower()
    if deal_type == "sale":
        return None, "roundup (dealType sale)"
    if _RECURRING.search(title):
        return None, "recurring price (per month/year)"
    price: float | None = None
    source = "title"
    raw = entry.fields.get("price", "")
    if raw:
        try:
            price, source = float(raw.replace(",", "").replace("$", "")), "feed field"
        except ValueError:
            price = None
    if price is None:
        if _ROUNDUP.search(title):
            return None, "roundup (several products)"
        price, reason = title_price(title)
        if price is None:
            return None, reason
    if not math.isfinite(price) or price <= 0:
        return None, "free or zero price"
    return (
        ExtractedDeal(
            title=title,
            url=entry.link,
            price=price,
            description=entry.description,
            feed=entry.feed,
            retailer=entry.fields.get("retailer", ""),
            deal_type=deal_type,
            category=entry.fields.get("category", ""),
            price_source=source,
        ),
        "",
    )
