"""Synthetic products whose price follows their words and details, so a pricer that learns
anything beats the constant, and held-out coverage of an interval can be measured."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pricewise.data.item import Item

#: (category words, base price): the kind of product sets the price level.
KINDS = [
    (["cordless", "drill", "driver", "battery", "torque"], 120.0),
    (["water", "filter", "fridge", "cartridge", "replacement"], 25.0),
    (["smart", "tv", "4k", "hdr", "display"], 450.0),
    (["brake", "pads", "ceramic", "rotor", "axle"], 60.0),
    (["guitar", "strings", "nickel", "acoustic", "gauge"], 12.0),
    (["laptop", "ssd", "processor", "memory", "screen"], 700.0),
]
FILLER = "quality durable easy install great value customers love this product design".split()


def synthetic_items(n: int, seed: int = 0, source: str = "pricer-test", noise: float = 0.25) -> list[Item]:
    """``n`` items; log price = log(base of kind) + 0.3 if "premium" + log-normal noise."""
    rng = np.random.default_rng(seed)
    items = []
    for j in range(n):
        words, base = KINDS[rng.integers(len(KINDS))]
        premium = rng.random() < 0.4
        price = float(np.clip(base * (1.35 if premium else 1.0) * np.exp(rng.normal(0, noise)), 1, 999))
        text_words = list(rng.choice(words, 8)) + list(rng.choice(FILLER, 20)) + (["premium", "pro"] if premium else [])
        rng.shuffle(text_words)
        title = f"{words[0].title()} {words[1]} {'Pro' if premium else ''}".strip()
        weight = round(float(base / 50 * rng.uniform(0.8, 1.2)), 2)
        details = {"Item Weight": f"{weight} pounds", "Best Sellers Rank": {"Cat": int(rng.integers(1, 10**6))}, "Brand": "Acme"}
        items.append(
            Item(
                title=title,
                summary=f"{title}\n" + " ".join(text_words),
                price=round(price, 2),
                category=words[0],
                details=json.dumps(details),
                id=f"pricer-test-{j}",
                source=source,
            )
        )
    return items


@pytest.fixture(scope="session")
def train_items() -> list[Item]:
    return synthetic_items(400, seed=1)


@pytest.fixture(scope="session")
def test_items() -> list[Item]:
    return synthetic_items(300, seed=2)


def mae(items: list[Item], estimate: np.ndarray) -> float:
    return float(np.mean(np.abs(np.array([i.price for i in items]) - estimate)))


def coverage(items: list[Item], low: np.ndarray, high: np.ndarray) -> float:
    truth = np.array([i.price for i in items])
    return float(np.mean((truth >= low) & (truth <= high)))
