"""Batched price decoding with a causal LM: one forward pass over the left-padded prompts, then
one forward pass per level of the digit tree that reuses the prompts' KV cache.

The tree levels use *tree attention*: the cache keeps one row per prompt, and every node of a level
is one extra query position in its prompt's row, attending to that prompt, to its own ancestors
(the digits before it) and to itself, not to its siblings (a 4D attention mask). So a level costs
one forward pass over ``beam`` (then ``beam**2``) new tokens per prompt and no copy of the cache
(copying the ~180-token cache once per branch took half the tree's time on a CPU).

Only the last positions' logits are computed (``logits_to_keep``): the LM head of a 262k-token
vocabulary would otherwise cost more than the rest of the model. The digit probabilities of a step
are read through a log-sum-exp, without writing the whole softmax.
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
    """The prompt pass and the tree steps of one batch, sharing a KV cache with one row per prompt.

    ``first`` holds the full next-token probabilities after each prompt; ``steps(parents, digits)``
    gives the (N, 11) digit/stop probabilities of the nodes made by appending ``digits[i]`` to node
    ``parents[i]`` of the previous level (level 0: the prompts themselves).
    """

    def __init__(self, model: PreTrainedModel, batch: dict[str, torch.Tensor], vocab: PriceVocab) -> None:
        import torch

        self.model, self.vocab, self._torch = model, vocab, torch
        device = next(model.parameters()).device
        self.prompt_mask = batch["attention_mask"].to(device).bool()
        positions = (self.prompt_mask.long().cumsum(-1) - 1).clamp(min=0)
        out = model(
            input_ids=batch["input_ids"].to(device),
            attention_mask=batch["attention_mask"].to(device),
            position_ids=positions,
            use_cache=True,
            logits_to_keep=1,
        )
        self.cache, self.last = out.past_key_values, positions[:, -1]
        self.first = out.logits[:, -1].float().softmax(-1).cpu().numpy()
        self._digit_ids = torch.as_tensor(vocab.token_ids, dtype=torch.long, device=device)
        batch_size = len(self.prompt_mask)
        # The nodes of the current level: their prompt and the cache columns of their tree ancestors.
        self.node_item = np.arange(batch_size)
        self.node_columns = np.zeros((batch_size, 0), dtype=np.int64)
        self.columns, self.depth = self.prompt_mask.shape[1], 0
        self.limit = _window(model.config)

    def _digit_probs(self, logits: torch.Tensor) -> np.ndarray:
        """(N, vocab) logits to the (N, 11) compact digit/stop probabilities."""
        logits = logits.float()
        digits = (logits[:, self._digit_ids] - logits.logsumexp(-1, keepdim=True)).exp().cpu().numpy().astype(float)
        return np.concatenate([digits, np.clip(1.0 - digits.sum(1, keepdims=True), 0.0, 1.0)], axis=1)

    def __call__(self, parents: np.ndarray, digits: np.ndarray) -> np.ndarray:
        torch = self._torch
        device, batch_size = self.prompt_mask.device, len(self.prompt_mask)
        parents, digits = np.asarray(parents, dtype=np.int64), np.asarray(digits, dtype=np.int64)
        items, ancestors = self.node_item[parents], self.node_columns[parents]
        # slot = rank of the node among the new nodes of the same prompt
        counts = np.bincount(items, minlength=batch_size)
        width = max(int(counts.max()) if len(items) else 0, 1)
        order = np.argsort(items, kind="stable")
        slot = np.empty(len(items), dtype=np.int64)
        slot[order] = np.arange(len(items)) - np.repeat(np.cumsum(counts) - counts, counts)
        total = self.columns + width
        if self.limit is not None and total > self.limit:
            raise ValueError(f"prompt plus digit tree ({total} tokens) exceeds the sliding window ({self.limit})")

        ids = np.full((batch_size, width), self.vocab.token_ids[0], dtype=np.int64)  # unused slots: any token
        ids[items, slot] = self.vocab.token_ids[digits]
        allowed = torch.zeros(batch_size, width, total, dtype=torch.bool, device=device)
        allowed[:, :, : self.prompt_mask.shape[1]] = self.prompt_mask[:, None, :]
        new = torch.arange(width, device=device)
        allowed[:, new, self.columns + new] = True  # every query sees itself (unused slots too: no NaN)
        if ancestors.shape[1]:
            rows = np.repeat(items, ancestors.shape[1])
            slots = np.repeat(slot, ancestors.shape[1])
            allowed[rows, slots, ancestors.ravel()] = True
        dtype = next(self.model.parameters()).dtype
        dtype = dtype if dtype.is_floating_point else torch.float32
        mask = torch.zeros(allowed.shape, dtype=dtype, device=device).masked_fill_(~allowed, torch.finfo(dtype).min)
        self.depth += 1
        positions = (self.last + self.depth)[:, None].expand(batch_size, width)
        out = self.model(
            input_ids=torch.as_tensor(ids, device=device),
            attention_mask=mask[:, None],
            position_ids=positions,
            past_key_values=self.cache,
            use_cache=True,
            logits_to_keep=width,
        )
        self.cache = out.past_key_values
        logits = out.logits[torch.as_tensor(items, device=device), torch.as_tensor(slot, device=device)]
        self.node_item = items
        self.node_columns = np.concatenate([ancestors, (self.columns + slot)[:, None]], axis=1)
        self.columns = total
        return self._digit_probs(logits)


def _window(config: object) -> int | None:
    """The sliding-window length when some layers use one (the tree must fit inside it), else None."""
    window = getattr(config, "sliding_window", None)
    types = getattr(config, "layer_types", None) or []
    uses = any("sliding" in str(t) for t in types) or (window is not None and getattr(config, "use_sliding_window", False))
    return int(window) if window and uses else None


def price_distributions(
    model: PreTrainedModel,
    vocab: PriceVocab,
    prompts: Sequence[list[int]],
    pad_token_id: int,
    method: Method = "expected",
    beam: int = 3,
) -> list[PriceDistribution]:
    """One distribution per prompt (token ids ending right after ``Price is $``), in input order."""
    import torch

    batch = collate([{"input_ids": p} for p in prompts], pad_token_id, padding_side="left")
    with torch.inference_mode():
        steps = CachedSteps(model, batch, vocab)
        if vocab.kind == "integer":
            return integer_distributions(steps.first, vocab)
        return digit_tree(vocab.compact(steps.first), steps, beam=beam, greedy=method == "greedy")


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar prompt length (less left padding), longest first."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[s : s + batch_size] for s in range(0, len(order), batch_size)]


def point_estimate(dist: PriceDistribution, method: Method, vocab: PriceVocab, top_k: int) -> float:
    """Greedy: the likeliest price. Expected: the tree's mean (digits) or the course's top-k average."""
    if method == "greedy":
        return dist.mode()
    return dist.top_k_mean(top_k) if vocab.kind == "integer" else dist.mean()
