"""Turning next-token probabilities after ``Price is $`` into a price, for both kinds of tokenizer.

- Integer tokenizers (Llama-3: one token per integer 0..999): the price is one token, so its
  distribution is read off one softmax. The course's estimate is the probability-weighted average of
  the top-3 integer tokens.
- Digit tokenizers (Gemma: one token per digit): the price is a path in a tree of digits that ends
  when the model writes anything but a digit (``.`` in ``123.00``). ``digit_tree`` walks that tree
  breadth-first, expanding the ``beam`` likeliest digits of each node, and weighs every finished
  path by its probability. The last digit level is exact (all ten digits, no model call), so with a
  beam of 3 a price costs 3 + 9 one-token steps after the prompt. Pruned mass is dropped and the
  rest renormalised. Greedy decoding is the same walk taking the single likeliest outcome.

Both give a :class:`PriceDistribution`, whose mean is the estimate and whose quantiles give an
interval. This module is numpy only: the model side is in :mod:`pricewise.llm.inference`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from pricewise.data.item import PRICE_PREFIX
from pricewise.errors import ModelError

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

#: Column of the "stop" outcome (any non-digit token) in the compact (N, 11) digit probabilities.
STOP = 10
#: Prices run to 999, so at most three digits.
MAX_DIGITS = 3

#: ``step(parents, digits) -> (N, 11)``: the next-digit probabilities of the nodes made by appending
#: ``digits[i]`` to node ``parents[i]`` of the previous level.
Step = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PriceVocab:
    """Which token ids carry prices: ``kind`` is "integer" or "digit"."""

    kind: Literal["integer", "digit"]
    token_ids: np.ndarray
    values: np.ndarray

    @classmethod
    def from_tokenizer(cls, tokenizer: PreTrainedTokenizerBase) -> PriceVocab:
        """Reads the tokens the way they appear right after ``Price is $``."""

        def after_prefix(text: str) -> list[int]:
            prefix = tokenizer(PRICE_PREFIX, add_special_tokens=False)["input_ids"]
            ids = tokenizer(PRICE_PREFIX + text, add_special_tokens=False)["input_ids"]
            return ids[len(prefix) :] if ids[: len(prefix)] == prefix else []

        if len(after_prefix("123")) == 1 and len(after_prefix("999")) == 1:
            pairs = [(ids[0], v) for v in range(1000) if len(ids := after_prefix(str(v))) == 1]
            ids, values = zip(*pairs)
            return cls("integer", np.array(ids), np.array(values, dtype=float))
        digits = after_prefix("0123456789")
        if len(digits) == 10:
            return cls("digit", np.array(digits), np.arange(10, dtype=float))
        raise ModelError("the tokenizer writes numbers neither as single digits nor as one token per integer")

    def compact(self, probs: np.ndarray) -> np.ndarray:
        """(N, vocab) probabilities to (N, 11): the ten digits, then everything else (stop)."""
        digits = probs[:, self.token_ids]
        return np.concatenate([digits, np.clip(1.0 - digits.sum(1, keepdims=True), 0.0, 1.0)], axis=1)


@dataclass(frozen=True)
class PriceDistribution:
    """A discrete distribution over prices (probabilities sum to 1)."""

    values: np.ndarray
    probs: np.ndarray

    @classmethod
    def of(cls, values: list[float] | np.ndarray, weights: list[float] | np.ndarray) -> PriceDistribution:
        values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
        total = weights.sum()
        if not len(values) or not np.isfinite(total) or total <= 0:
            return cls(np.array([np.nan]), np.array([1.0]))
        order = np.argsort(values, kind="stable")
        return cls(values[order], weights[order] / total)

    def mean(self) -> float:
        return float(np.dot(self.values, self.probs))

    def mode(self) -> float:
        return float(self.values[np.argmax(self.probs)])

    def top_k_mean(self, k: int) -> float:
        """The course's estimate: the average of the k likeliest values, weighted by probability."""
        top = np.argsort(-self.probs, kind="stable")[:k]
        return float(np.dot(self.values[top], self.probs[top]) / self.probs[top].sum())

    def quantile(self, q: float) -> float:
        """The smallest value whose cumulative probability reaches ``q``."""
        cdf = np.cumsum(self.probs)
        return float(self.values[min(np.searchsorted(cdf, q - 1e-12), len(self.values) - 1)])


def integer_distributions(probs: np.ndarray, vocab: PriceVocab) -> list[PriceDistribution]:
    """For integer tokenizers: the next-token probabilities of the integer tokens, renormalised."""
    weights = probs[:, vocab.token_ids]
    return [PriceDistribution.of(vocab.values, row) for row in weights]


def digit_tree(
    first: np.ndarray, step: Step, beam: int = 3, greedy: bool = False, max_digits: int = MAX_DIGITS
) -> list[PriceDistribution]:
    """Price distributions from a digit tree (see the module docstring).

    ``first`` is (B, 11): the digit/stop probabilities right after ``Price is $`` (the stop column is
    ignored there: a price has at least one digit). ``step`` gives the probabilities of deeper nodes.
    """
    batch = len(first)
    values: list[list[float]] = [[] for _ in range(batch)]
    weights: list[list[float]] = [[] for _ in range(batch)]
    item, prefix, mass = np.arange(batch), np.zeros(batch), np.ones(batch)
    probs = np.array(first, dtype=float, copy=True)
    probs[:, STOP] = 0.0
    for depth in range(max_digits):
        last = depth + 1 == max_digits
        if greedy:
            best = np.argmax(probs if not last else probs[:, :STOP], axis=1)
            done = best == STOP
            for n in np.flatnonzero(done):
                values[item[n]].append(prefix[n])
                weights[item[n]].append(1.0)
            parents, digits = np.flatnonzero(~done), best[~done]
            child_mass = mass[parents]
        else:
            if depth > 0:
                for n in range(len(item)):
                    values[item[n]].append(prefix[n])
                    weights[item[n]].append(mass[n] * probs[n, STOP])
            width = STOP if last else min(beam, STOP)
            top = np.argsort(-probs[:, :STOP], axis=1, kind="stable")[:, :width]
            parents, digits = np.repeat(np.arange(len(item)), width), top.ravel()
            child_mass = mass[parents] * probs[parents, digits]
        child_item, child_prefix = item[parents], prefix[parents] * 10 + digits
        if last or not len(parents):
            for i, v, m in zip(child_item, child_prefix, child_mass):
                values[i].append(v)
                weights[i].append(m)
            break
        probs = np.asarray(step(parents, digits), dtype=float)
        item, prefix, mass = child_item, child_prefix, child_mass
    return [PriceDistribution.of(v, w) for v, w in zip(values, weights)]
