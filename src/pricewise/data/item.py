"""The product record every part of pricewise passes around, and the course's two prompts."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

QUESTION = "How much does this cost to the nearest dollar?"
PRICE_PREFIX = "Price is $"


def training_prompt(summary: str, price: float) -> str:
    """The course's training text: question, summary, and the price rounded to whole dollars."""
    return f"{QUESTION}\n\n{summary}\n\n{PRICE_PREFIX}{round(price)}.00"


def test_prompt(summary: str) -> str:
    """The training text cut right after ``Price is $``: what a causal LM completes."""
    return f"{QUESTION}\n\n{summary}\n\n{PRICE_PREFIX}"


@dataclass(frozen=True)
class Item:
    """One product. ``summary`` is the curated text (title on the first line, then the description).

    ``price`` is None for products we are asked to price; ``details`` is the raw Amazon details
    dict, kept as a JSON string so items stay hashable and serialise as they came.
    """

    title: str
    summary: str
    price: float | None = None
    category: str = ""
    details: str = ""
    id: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_text(cls, text: str, **fields: Any) -> Item:
        """An item to price from free text: the first line is taken as the title."""
        title = text.strip().split("\n", 1)[0][:300]
        return cls(title=title, summary=text.strip(), **fields)

    @property
    def text(self) -> str:
        """What text pricers read: the curated summary, which starts with the title."""
        return self.summary or self.title

    @property
    def details_dict(self) -> dict[str, Any]:
        """``details`` parsed; an unparseable or non-object value gives an empty dict."""
        if not self.details:
            return {}
        try:
            value = json.loads(self.details)
        except (TypeError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def has_price(self) -> bool:
        return self.price is not None and math.isfinite(self.price)

    def training_prompt(self) -> str:
        if not self.has_price:
            raise ValueError(f"item {self.id or self.title!r} has no price to train on")
        return training_prompt(self.summary, self.price)  # type: ignore[arg-type]

    def test_prompt(self) -> str:
        return test_prompt(self.summary)

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        if not row["extra"]:
            row.pop("extra")
        return row
