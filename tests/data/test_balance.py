"""The course's balancing (slots, cap, Automotive weight, seed) and the split."""

from collections import Counter

from pricewise.config import DataSettings
from pricewise.data.balance import balance, split
from pricewise.data.item import Item

RULES = DataSettings(slot_cap=50)


def _items() -> list[Item]:
    """Slot $10 crowded (half Automotive), slot $20 under the cap, slot $300 crowded but above $240."""
    items = []
    for n in range(400):
        items.append(
            Item(
                title=f"a{n}", summary="s", price=10.2, category="Automotive" if n % 2 else "Toys", id=f"a{n}"
            )
        )
    items += [Item(title=f"b{n}", summary="s", price=19.6, category="Toys", id=f"b{n}") for n in range(30)]
    items += [
        Item(title=f"c{n}", summary="s", price=300.0, category="Automotive", id=f"c{n}") for n in range(120)
    ]
    return items


def test_slots_below_the_threshold_are_capped_and_above_it_kept_whole():
    sample = balance(_items(), RULES, seed=42)
    per_slot = Counter(round(item.price) for item in sample)
    assert per_slot == {10: 50, 20: 30, 300: 120}


def test_automotive_is_drawn_less_often_in_crowded_slots():
    sample = balance(_items(), RULES, seed=42)
    crowded = [item for item in sample if round(item.price) == 10]
    automotive = sum(item.category == "Automotive" for item in crowded)
    # 5:1 odds against Automotive in a 50/50 slot: about 1 in 6 drawn, far below half.
    assert automotive < 15
    even = balance(_items(), RULES.model_copy(update={"automotive_weight": 5.0}), seed=42)
    assert sum(i.category == "Automotive" for i in even if round(i.price) == 10) > automotive


def test_balancing_is_deterministic_for_a_seed_and_changes_with_it():
    ids = [item.id for item in balance(_items(), RULES, seed=42)]
    assert ids == [item.id for item in balance(_items(), RULES, seed=42)]
    assert ids != [item.id for item in balance(_items(), RULES, seed=7)]
    assert len(set(ids)) == len(ids)


def test_slot_zero_is_kept():
    cheap = [Item(title="p", summary="s", price=0.5, id="p")]
    assert balance(cheap, RULES, seed=42) == cheap


def test_split_is_disjoint_complete_and_deterministic():
    items = balance(_items(), RULES, seed=42)
    parts = split(items, DataSettings(validation_fraction=0.1, test_fraction=0.05), seed=42)
    assert (len(parts.train), len(parts.validation), len(parts.test)) == (170, 20, 10)
    ids = [i.id for i in parts.train + parts.validation + parts.test]
    assert sorted(ids) == sorted(i.id for i in items)
    again = split(items, DataSettings(validation_fraction=0.1, test_fraction=0.05), seed=42)
    assert again == parts


def test_tiny_sets_go_to_train():
    items = _items()[:2]
    parts = split(items, DataSettings(), seed=42)
    assert len(parts.train) == 2 and not parts.validation and not parts.test
