"""The course's balancing and split: fewer cheap items and fewer Automotive ones, reproducibly.

Items are slotted by rounded price. Slots at or above ``keep_all_above`` keep everything; below,
a slot with more than ``slot_cap`` items keeps ``slot_cap`` of them, drawn without replacement with
non-Automotive items ``other_weight / automotive_weight`` times as likely (5 to 1 in the course).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from pricewise.config import DataSettings
from pricewise.data.item import Item

AUTOMOTIVE = "Automotive"


def balance(items: list[Item], rules: DataSettings, seed: int) -> list[Item]:
    """The balanced sample, in slot order; the same items and seed always give the same sample.

    Unlike the course's ``range(1, 1000)``, slot 0 (prices 0.5 round to 0) is kept, not dropped.
    """
    slots: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        slots[round(item.price)].append(item)  # type: ignore[arg-type]
    rng = np.random.RandomState(seed)  # the legacy generator, as np.random.seed(42) in the course
    sample: list[Item] = []
    for slot_price in sorted(slots):
        slot = slots[slot_price]
        if slot_price >= rules.keep_all_above or len(slot) <= rules.slot_cap:
            sample.extend(slot)
            continue
        weights = np.array(
            [rules.automotive_weight if i.category == AUTOMOTIVE else rules.other_weight for i in slot]
        )
        chosen = rng.choice(len(slot), size=rules.slot_cap, replace=False, p=weights / weights.sum())
        sample.extend(slot[i] for i in chosen)
    return sample


@dataclass(frozen=True)
class Split:
    train: list[Item]
    validation: list[Item]
    test: list[Item]

    def named(self) -> dict[str, list[Item]]:
        return {"train": self.train, "validation": self.validation, "test": self.test}


def split(items: list[Item], rules: DataSettings, seed: int) -> Split:
    """Shuffle with ``seed`` (as the course's ``random.seed(42); random.shuffle``) and cut off test and
    validation shares; a non-empty share gets at least one item when there are three or more."""
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)
    n = len(shuffled)
    n_test = _share(n, rules.test_fraction)
    n_val = _share(n, rules.validation_fraction)
    if n_test + n_val >= n:
        n_test = n_val = 0
    return Split(
        train=shuffled[: n - n_test - n_val],
        validation=shuffled[n - n_test - n_val : n - n_test],
        test=shuffled[n - n_test :],
    )


def _share(n: int, fraction: float) -> int:
    if fraction <= 0 or n < 3:
        return 0
    return max(1, round(n * fraction))
