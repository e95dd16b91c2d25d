"""Why a row was left out of a data set. Bad rows are skipped and counted, never fatal, so a build
reports exactly what it dropped instead of crashing on the one odd line in a million."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum


class Reason(StrEnum):
    """Every reason a row can be skipped; the values are what manifests and reports show."""

    MALFORMED_JSON = "malformed_json"
    NOT_UTF8 = "not_utf8"
    TOO_LARGE = "too_large"
    MISSING_PRICE = "missing_price"
    UNPARSEABLE_PRICE = "unparseable_price"
    PRICE_OUT_OF_RANGE = "price_out_of_range"
    MISSING_TITLE = "missing_title"
    MISSING_TEXT = "missing_text"
    TOO_SHORT = "too_short"
    TOO_FEW_TOKENS = "too_few_tokens"
    DUPLICATE = "duplicate"


class Skip(Exception):
    """Raised by row-level code for a row that cannot be used; carries the reason."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason


class SkipCounts(Counter):
    """Counts of skipped rows by reason value, in a stable order for reports."""

    def add(self, reason: Reason, count: int = 1) -> None:
        self[reason.value] += count

    def as_dict(self) -> dict[str, int]:
        return {key: self[key] for key in sorted(self) if self[key]}
