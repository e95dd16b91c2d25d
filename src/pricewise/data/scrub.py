"""The course's text scrub: noise cut out of the details JSON, punctuation and whitespace folded,
and part numbers (long words containing a digit) dropped, because they cost tokens and say
nothing about the price."""

from __future__ import annotations

import re
from collections.abc import Sequence

_SEPARATORS = re.compile(r'[:\[\]"{}【】\s]+')


def scrub_details(details: str, removals: Sequence[str]) -> str:
    """The details JSON with every ``removals`` string cut out (course: "Batteries Included?"...)."""
    for noise in removals:
        details = details.replace(noise, "")
    return details


def scrub(text: str, part_number_min_chars: int) -> str:
    """Fold JSON punctuation and whitespace runs to one space, tidy commas, drop part numbers."""
    text = _SEPARATORS.sub(" ", text).strip()
    text = text.replace(" ,", ",").replace(",,,", ",").replace(",,", ",")
    words = text.split(" ")
    return " ".join(w for w in words if len(w) < part_number_min_chars or not any(map(str.isdigit, w)))
