"""The course's structured-output extractor, over any OpenAI-compatible chat endpoint.

The model receives the feed entries and answers a :class:`DealSelection` (JSON schema response format).
Its answer is not trusted: a deal whose URL was not in the feed, or whose price is a "$X off" amount of
its own title, is dropped and counted.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, Field, ValidationError

from pricewise.agents.extract import ExtractedDeal, discount_amounts
from pricewise.agents.feeds import FeedEntry
from pricewise.agents.urls import canonical_url
from pricewise.config import DealSettings
from pricewise.errors import ConfigError, PricewiseError

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You identify and summarize the deals from a list of deals that have the most detailed product description "
    "and the clearest price. Respond strictly in JSON. Provide the price as a number derived from the description. "
    "If the price of a deal isn't clear, do not include that deal. Be careful with products that are described as "
    '"$XXX off" or "reduced by $XXX": this isn\'t the actual price of the product. Only respond with products '
    "when you are highly confident about the price."
)


class Deal(BaseModel):
    """A deal as the model reports it (the course's schema)."""

    product_description: str = Field(
        description="A 3-4 sentence summary of the product itself, not the deal terms"
    )
    price: float = Field(description="The actual price of the product in this deal")
    url: str = Field(description="The URL of the deal, exactly as provided")


class DealSelection(BaseModel):
    deals: list[Deal]


class LLMError(PricewiseError):
    """The chat endpoint failed or answered something that is not a DealSelection."""


def chat(settings: DealSettings, payload: dict) -> dict:
    """POST one chat completion to ``settings.llm_base_url``; returns the response message."""
    import httpx

    if not settings.llm_base_url:
        raise ConfigError(
            "no LLM endpoint: set PRICEWISE_DEALS__LLM_BASE_URL (any OpenAI-compatible /v1 URL)"
        )
    headers = {}
    if settings.llm_api_key.get_secret_value():
        headers["Authorization"] = f"Bearer {settings.llm_api_key.get_secret_value()}"
    url = settings.llm_base_url.rstrip("/") + "/chat/completions"
    try:
        response = httpx.post(
            url,
            json={"model": settings.llm_model, **payload},
            headers=headers,
            timeout=settings.llm_timeout_s,
            trust_env=False,
        )
        response.raise_for_status()
        return response.json()["choices"][0]["message"]
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMError(f"chat endpoint {url}: {type(exc).__name__}: {exc}") from None


def user_prompt(entries: Sequence[FeedEntry]) -> str:
    lines = ["Respond with the most promising deals from this list, in JSON.", "", "Deals:"]
    for entry in entries:
        lines.append(f"Title: {entry.title}\nDetails: {entry.description[:600]}\nURL: {entry.link}\n")
    return "\n".join(lines)


def select_deals(
    entries: Sequence[FeedEntry], settings: DealSettings, dropped: Counter
) -> list[ExtractedDeal]:
    """The deals the model selects, checked against the feed; failures are counted in ``dropped``."""
    if not entries:
        return []
    message = chat(
        settings,
        {
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user_prompt(entries)},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "DealSelection", "schema": DealSelection.model_json_schema()},
            },
        },
    )
    try:
        selection = DealSelection.model_validate_json(message.get("content") or "")
    except ValidationError as exc:
        raise LLMError(f"the model's answer is not a DealSelection: {json.dumps(str(exc))[:200]}") from None
    by_url = {canonical_url(e.link): e for e in entries if e.link}
    deals = []
    for chosen in selection.deals:
        entry = by_url.get(canonical_url(chosen.url))
        if entry is None:
            dropped["llm: URL not in the feed"] += 1
        elif chosen.price <= 0:
            dropped["free or zero price"] += 1
        elif chosen.price in discount_amounts(entry.title):
            dropped["llm: price is a '$X off' amount"] += 1
        else:
            deals.append(
                ExtractedDeal(
                    title=entry.title,
                    url=entry.link,
                    price=chosen.price,
                    description=chosen.product_description,
                    feed=entry.feed,
                    retailer=entry.fields.get("retailer", ""),
                    price_source="llm",
                )
            )
    if len(entries) > len(selection.deals):
        dropped["llm: not selected"] += len(entries) - len(selection.deals)
    return deals
