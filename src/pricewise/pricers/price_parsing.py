"""Reading a price out of a chat model's reply.

The course took the first number and returned 0 when there was none, which scores a failure as a
(very wrong) guess. Here an unparseable reply is NaN, so callers count it as a failure.

Rules, in order:

1. A JSON object with a ``price`` field (structured output) gives that field.
2. A range ("45-50", "$45 to $50", "between 45 and 50") gives its midpoint.
3. Otherwise the first number, with thousands separators removed ("$1,299.99" -> 1299.99).

Negative numbers, zero, and non-finite values are not prices (NaN).
"""

from __future__ import annotations

import json
import math
import re

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_RANGE = re.compile(
    rf"(?:between\s+)?\$?\s*({_NUMBER})\s*(?:-|–|—|to|and)\s*\$?\s*({_NUMBER})",
    re.IGNORECASE,
)
_FIRST = re.compile(rf"-?\$?\s*({_NUMBER})")


def _to_float(text: str) -> float:
    return float(text.replace(",", ""))


def _valid(value: float) -> float:
    return value if math.isfinite(value) and value > 0 else math.nan


def _from_json(reply: str) -> float | None:
    """The ``price`` of a JSON object reply, or None when the reply is not such an object."""
    stripped = reply.strip()
    if not stripped.startswith("{"):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(value, dict) or "price" not in value:
        return None
    price = value["price"]
    if isinstance(price, str):
        return parse_price(price)
    if isinstance(price, (int, float)) and not isinstance(price, bool):
        return _valid(float(price))
    return math.nan


def parse_price(reply: str | None) -> float:
    """The price in ``reply`` under the module's rules; NaN when there is none."""
    if not reply:
        return math.nan
    from_json = _from_json(reply)
    if from_json is not None:
        return from_json
    text = reply.replace("\u00a0", " ")
    match = _RANGE.search(text)
    if match:
        low, high = _to_float(match.group(1)), _to_float(match.group(2))
        if 0 < low <= high:
            return _valid((low + high) / 2)
    match = _FIRST.search(text)
    if not match or match.group(0).startswith("-"):
        return math.nan
    return _valid(_to_float(match.group(1)))
