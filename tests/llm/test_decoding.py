"""Decoding on hand-built next-token distributions with known expected values."""

from __future__ import annotations

import numpy as np
import pytest

from pricewise.llm.decoding import STOP, PriceDistribution, PriceVocab, digit_tree, integer_distributions

from .conftest import build_tokenizer


def row(**probs: float) -> np.ndarray:
    """An (11,) digit/stop row: ``row(d1=0.6, stop=0.4)``."""
    out = np.zeros(11)
    for key, p in probs.items():
        out[STOP if key == "stop" else int(key[1:])] = p
    return out


#: prefix -> next-digit probabilities. Leaves: 1 (.6*.6), 15 (.6*.4*.5), 150 (.6*.4*.5), 2 (.4).
TREE = {
    "": row(d1=0.6, d2=0.4),
    "1": row(stop=0.6, d5=0.4),
    "2": row(stop=1.0),
    "15": row(stop=0.5, d0=0.5),
}
EXPECTED = 0.36 * 1 + 0.12 * 15 + 0.12 * 150 + 0.4 * 2


class TreeSteps:
    """The ``step`` callable over ``TREE``, tracking which prefix each row holds (as a KV cache would)."""

    def __init__(self, roots: int) -> None:
        self.prefixes = [""] * roots
        self.calls = 0

    def __call__(self, parents: np.ndarray, digits: np.ndarray) -> np.ndarray:
        self.calls += 1
        self.prefixes = [self.prefixes[p] + str(d) for p, d in zip(parents, digits)]
        return np.stack([TREE.get(p, row(stop=1.0)) for p in self.prefixes])


def test_expected_value_over_the_digit_tree():
    steps = TreeSteps(2)
    dists = digit_tree(np.stack([TREE[""], TREE[""]]), steps, beam=3)
    assert [d.mean() for d in dists] == pytest.approx([EXPECTED, EXPECTED])
    assert steps.calls == 2  # depth 1 and depth 2; the third digit is read without a model call
    assert dists[0].probs.sum() == pytest.approx(1.0)
    assert dists[0].quantile(0.1) == 1 and dists[0].quantile(0.9) == 150


def test_pruning_renormalises_the_kept_branches():
    (dist,) = digit_tree(TREE[""][None], TreeSteps(1), beam=1)
    assert dist.mean() == pytest.approx((0.36 * 1 + 0.12 * 15 + 0.12 * 150) / 0.6)


def test_greedy_takes_the_likeliest_outcome_at_each_node():
    (dist,) = digit_tree(TREE[""][None], TreeSteps(1), greedy=True)
    assert dist.mode() == 1 and dist.mean() == 1


def test_stop_is_ignored_before_the_first_digit_and_three_digits_end_a_price():
    first = row(stop=0.9, d9=0.1)
    (dist,) = digit_tree(first[None], lambda parents, digits: np.stack([row(d9=1.0)] * len(parents)))
    assert dist.mean() == 999


def test_course_top3_average_for_integer_tokens():
    vocab = PriceVocab("integer", np.array([5, 6, 7, 8]), np.array([10.0, 20.0, 30.0, 40.0]))
    probs = np.zeros((1, 12))
    probs[0, [5, 6, 7, 8, 11]] = [0.1, 0.2, 0.3, 0.1, 0.3]  # token 11 is not a price
    (dist,) = integer_distributions(probs, vocab)
    assert dist.mean() == pytest.approx((1 + 4 + 9 + 4) / 0.7)
    assert dist.top_k_mean(3) == pytest.approx((20 * 0.2 + 30 * 0.3 + 0.1 * 10) / 0.6)
    assert dist.mode() == 30


def test_an_empty_distribution_is_nan_not_zero():
    assert np.isnan(PriceDistribution.of([], []).mean())


@pytest.mark.parametrize("kind", ["digit", "integer"])
def test_price_vocab_reads_the_tokenizer(kind):
    tokenizer = build_tokenizer(kind)
    vocab = PriceVocab.from_tokenizer(tokenizer)
    assert vocab.kind == kind
    ids = dict(zip(vocab.values.astype(int), vocab.token_ids))
    assert tokenizer.convert_ids_to_tokens(int(ids[7])) == "7"
    if kind == "integer":
        assert len(vocab.values) == 1000 and tokenizer.convert_ids_to_tokens(int(ids[512])) == "512"
