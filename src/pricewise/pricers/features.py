"""Structured features parsed from an item's Amazon ``details`` and text.

The first four are the course's feature-engineering baseline, kept faithful (weight in pounds,
mean best-sellers rank, length of the test prompt, top-electronics-brand flag); the rest feed the
gradient-boosting pricer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from pricewise.data.item import Item

#: The course's list of brands that signal a pricier electronics item.
TOP_ELECTRONICS_BRANDS = ("hp", "dell", "lenovo", "samsung", "asus", "sony", "canon", "apple", "intel")
#: Pounds per unit, for the weight strings Amazon writes ("19.3 pounds", "0.352 ounces").
_POUNDS_PER = {
    "pounds": 1.0,
    "pound": 1.0,
    "lbs": 1.0,
    "lb": 1.0,
    "ounces": 1 / 16,
    "ounce": 1 / 16,
    "oz": 1 / 16,
    "grams": 1 / 453.592,
    "gram": 1 / 453.592,
    "g": 1 / 453.592,
    "milligrams": 1 / 453592,
    "kilograms": 1 / 0.453592,
    "kilogram": 1 / 0.453592,
    "kg": 1 / 0.453592,
}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DIMENSION_KEYS = ("Product Dimensions", "Package Dimensions", "Item Dimensions LxWxH", "Item Dimensions")


def weight_pounds(details: dict) -> float | None:
    """The course's ``get_weight``: "Item Weight" in pounds (also "hundredths pounds")."""
    text = details.get("Item Weight")
    if not isinstance(text, str):
        return None
    parts = text.lower().replace(",", "").split()
    try:
        amount = float(parts[0])
    except (IndexError, ValueError):
        return None
    if len(parts) > 2 and parts[1] == "hundredths" and parts[2].startswith("pound"):
        return amount / 100
    factor = _POUNDS_PER.get(parts[1]) if len(parts) > 1 else None
    return amount * factor if factor is not None else None


def mean_rank(details: dict) -> float | None:
    """The course's ``get_rank``: the mean of the best-sellers ranks over the listed categories."""
    ranks = details.get("Best Sellers Rank")
    if not isinstance(ranks, dict):
        return None
    values = [float(v) for v in ranks.values() if isinstance(v, (int, float))]
    return sum(values) / len(values) if values else None


def brand(details: dict) -> str:
    value = details.get("Brand") or details.get("Manufacturer") or ""
    return value.strip().lower() if isinstance(value, str) else ""


def is_top_electronics_brand(details: dict) -> bool:
    return brand(details) in TOP_ELECTRONICS_BRANDS


def dimensions_inches(details: dict) -> list[float]:
    """The three sides of the first dimensions string, in inches (centimetres converted)."""
    for key in _DIMENSION_KEYS:
        text = details.get(key)
        if isinstance(text, str):
            numbers = [float(x) for x in _NUMBER.findall(text.split(";")[0])][:3]
            if numbers:
                scale = 1 / 2.54 if "centimet" in text.lower() or " cm" in text.lower() else 1.0
                return [x * scale for x in numbers]
    return []


def course_features(items: Sequence[Item]) -> np.ndarray:
    """The course's four features (NaN where missing: the caller fills with training means)."""
    rows = []
    for item in items:
        details = item.details_dict
        weight, rank = weight_pounds(details), mean_rank(details)
        rows.append(
            [
                np.nan if weight is None else weight,
                np.nan if rank is None else rank,
                len(item.test_prompt()),
                float(is_top_electronics_brand(details)),
            ]
        )
    return np.array(rows, dtype=float).reshape(len(items), 4)


STRUCTURED_NAMES = (
    "log_weight_lb",
    "log_mean_rank",
    "log_min_rank",
    "log_volume_in3",
    "log_longest_side_in",
    "top_brand",
    "n_details",
    "text_chars",
    "text_digits_share",
    "max_number_in_text",
    "has_warranty",
)


def structured_features(items: Sequence[Item]) -> np.ndarray:
    """Dense numeric features for tree models; NaN marks a missing value (LightGBM handles it)."""
    rows = []
    for item in items:
        details = item.details_dict
        weight, rank = weight_pounds(details), mean_rank(details)
        ranks = details.get("Best Sellers Rank")
        rank_values = [float(v) for v in ranks.values() if isinstance(v, (int, float))] if isinstance(ranks, dict) else []
        sides = dimensions_inches(details)
        text = item.text
        numbers = [float(x) for x in _NUMBER.findall(text)[:200]]
        rows.append(
            [
                _log(weight),
                _log(rank),
                _log(min(rank_values)) if rank_values else math.nan,
                _log(float(np.prod(sides))) if len(sides) == 3 else math.nan,
                _log(max(sides)) if sides else math.nan,
                float(is_top_electronics_brand(details)),
                float(len(details)),
                float(len(text)),
                sum(c.isdigit() for c in text) / max(1, len(text)),
                _log(max(numbers)) if numbers else math.nan,
                float("warranty" in text.lower()),
            ]
        )
    return np.array(rows, dtype=float).reshape(len(items), len(STRUCTURED_NAMES))


def _log(value: float | None) -> float:
    return math.log1p(value) if value is not None and value >= 0 and math.isfinite(value) else math.nan
