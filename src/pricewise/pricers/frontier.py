"""The frontier pricer: ask any OpenAI-compatible chat model (OpenAI, DeepSeek, vLLM, Ollama, or
``pricewise serve-llm``) for the price with the course's prompt.

It is not trained: ``fit`` only records how many items it was shown. Every reply is cached, so a
re-run of the benchmark sends no request. A reply with no price in it is NaN (a counted failure).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from pricewise.config import get_settings
from pricewise.data.item import Item
from pricewise.pricers.base import Estimates, Pricer, as_items
from pricewise.pricers.chat_client import ChatClient, ChatReport
from pricewise.pricers.chat_prompts import messages_for
from pricewise.pricers.price_parsing import parse_price

log = logging.getLogger(__name__)


class FrontierPricer(Pricer):
    """Prices with a chat model. ``model``/``base_url`` default to ``settings.frontier``.

    After ``predict``, ``last_report_`` holds the run's requests, cache hits, retries, failures
    (no answer, or no price in the answer), tokens and cost.
    """

    name = "frontier"

    def __init__(self, model: str | None = None, base_url: str | None = None):
        self.model = model
        self.base_url = base_url

    def fit(self, items: Sequence[Item]) -> FrontierPricer:
        self.n_train_ = len(items)
        return self

    def contexts(self, items: list[Item]) -> list[str]:
        """Text placed before each item's question; none for the plain frontier pricer."""
        return [""] * len(items)

    def predict(self, items: Sequence[Item | str]) -> Estimates:
        batch = as_items(items)
        client = ChatClient.from_settings(get_settings(), model=self.model, base_url=self.base_url)
        prefill = client.config.prefill and not client.config.structured_output
        conversations = [
            messages_for(item, context, prefill=prefill) for item, context in zip(batch, self.contexts(batch))
        ]
        replies, report = client.complete_many(conversations)
        estimates = np.array([parse_price(reply) for reply in replies], dtype=float)
        unparseable = [
            reply for reply, value in zip(replies, estimates) if reply is not None and np.isnan(value)
        ]
        if unparseable:
            report.failures += len(unparseable)
            report.errors = (report.errors + [f"no price in reply {reply!r}" for reply in unparseable])[:10]
            log.warning("%d of %d replies from %s held no price", len(unparseable), len(batch), report.model)
        self.last_report_: ChatReport = report
        log.info("%s: %s", self.name, report.to_dict())
        return Estimates(estimates)
