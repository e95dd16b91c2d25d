"""Turning whatever a source calls a price into US dollars, or a counted skip."""

from __future__ import annotations

import math
import re
from typing import Any

from pricewise.config import DataSettings
from pricewise.data.skips import Reason, Skip

_MISSING = {"", "none", "null", "nan", "n/a", "na", "-"}
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
#: A leading currency sign ("$", "US $", "Rs.", "₹", "€") or a trailing ISO code ("12.50 USD").
_CURRENCY = re.compile(r"(?i)^(?:us\s*\$|rs\.?|[$€£¥₹])\s*|\s*(?:[a-z]{3}|[$€£¥₹])$")


def parse_price(value: Any) -> float:
    """A price as a float: numbers as they are, strings like ``"$1,299.99"``, ``"₹1,499"`` or
    ``"12.5 USD"`` parsed (the currency is the caller's business: the sign is only stripped).

    Raises ``Skip`` for a missing value (None, "", "None", NaN) or text that is not one number (a
    range such as ``"$10 - $20"`` is ambiguous, so it is not guessed).
    """
    if value is None:
        raise Skip(Reason.MISSING_PRICE)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        price = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.lower() in _MISSING:
            raise Skip(Reason.MISSING_PRICE)
        cleaned = _CURRENCY.sub("", text)
        if _THOUSANDS.match(cleaned):
            cleaned = cleaned.replace(",", "")
        if not _NUMBER.match(cleaned):
            raise Skip(Reason.UNPARSEABLE_PRICE, repr(value[:40]))
        price = float(cleaned)
    else:
        raise Skip(Reason.UNPARSEABLE_PRICE, type(value).__name__)
    if math.isnan(price):
        raise Skip(Reason.MISSING_PRICE)
    return price


def checked_price(value: Any, rules: DataSettings) -> float:
    """``parse_price`` then the course's range, inclusive at both ends (0.5 and 999.49 by default)."""
    price = parse_price(value)
    if not rules.min_price <= price <= rules.max_price:
        raise Skip(Reason.PRICE_OUT_OF_RANGE, f"{price}")
    return price
