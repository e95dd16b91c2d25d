"""Batched price decoding with a causal LM: one forward pass over the left-padded prompts, then
one-token steps that reuse the prompts' KV cache (rows are copied per branch of the digit tree).

Only the last position's logits are computed (``logits_to_keep=1``): the LM head of a 262k-token
vocabulary would otherwise cost more than the rest of the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from pricewise.llm.decoding import PriceDistribution, PriceVocab, digit_tree, integer_distributions
from pricewise.llm.encoding import collate

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel

Method = Literal["expected", "greedy"]


class CachedSteps:
    """The prompt pass and the tree steps of one batch, sharing a KV cache."""

    def __init__(self, model: PreTrainedModel, batch: dict[str, torch.Tensor], vocab: PriceVocab) -> None:
        import torch

        self.model, self.vocab = model, vocab
        device = next(model.parameters()).device
        self.mask = batch["attention_mask"].to(device)
        positions = (self.mask.cumsum(-1) - 1).clamp(min=0)
        out = model(
            input_ids=batch["input_ids"].to(device),
            attention_mask=self.mask,
            position_ids=positions,
            use_cache=True,
            logits_to_keep=1,
        )
        self.cache, self.position = out.past_key_values, positions[:, -1]
        self.first = self._probs(out.logits)
        self._torch = torch

    @staticmethod
    def _probs(logits: torch.Tensor) -> np.ndarray:
        return logits[:, -1].float().softmax(-1).cpu().numpy()

    def __call__(self, parents: np.ndarray, digits: np.ndarray) -> np.ndarray:
        torch = self._torch
        device = self.mask.device
        index = torch.as_tensor(parents, dtype=torch.long, device=device)
        tokens = torch.as_tensor(self.vocab.token_ids[digits], dtype=torch.long, device=device)[:, None]
        self.cache.reorder_cache(index)
        self.mask = torch.cat([self.mask[index], self.mask.new_ones(len(index), 1)], dim=1)
        self.position = self.position[index] + 1
        out = self.model(
            input_ids=tokens,
            attention_mask=self.mask,
            position_ids=self.position[:, None],
            past_key_values=self.cache,
            use_cache=True,
            logits_to_keep=1,
        )
        self.cache = out.past_key_values
        return self.vocab.compact(self._probs(out.logits))


def price_distributions(
    model: PreTrainedModel,
    vocab: PriceVocab,
    prompts: Sequence[list[int]],
    pad_token_id: int,
    method: Method = "expected",
    beam: int = 3,
) -> list[PriceDistribution]:
    """One distribution per prompt (token ids ending right after ``Price is $``)."""
    import torch

    batch = collate([{"input_ids": p} for p in prompts], pad_token_id, padding_side="left")
    with torch.inference_mode():
        steps = CachedSteps(model, batch, vocab)
        if vocab.kind == "integer":
            return integer_distributions(steps.first, vocab)
        return digit_tree(vocab.compact(steps.first), steps, beam=beam, greedy=method == "greedy")


def point_estimate(dist: PriceDistribution, method: Method, vocab: PriceVocab, top_k: int) -> float:
    """Greedy: the likeliest price. Expected: the tree's mean (digits) or the course's top-k average."""
    if method == "greedy":
        return dist.mode()
    return dist.top_k_mean(top_k) if vocab.kind == "integer" else dist.mean()
