"""The course's chat prompts for frontier models, shared by the frontier and RAG pricers and by the
OpenAI fine-tuning export, so the model is asked exactly what it was (or would be) trained on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pricewise.data.item import PRICE_PREFIX, Item

SYSTEM_PROMPT = "You estimate prices of items. Reply only with the price, no explanation"
RAG_INTRO = "To provide some context, here are some other items that might be similar to the item you need to estimate.\n\n"
RAG_QUESTION = "And now the question for you:\n\n"


class PricedExample(Protocol):
    """A retrieved product: what the RAG prompt shows of it."""

    text: str
    price: float


def user_prompt(item: Item) -> str:
    """The test prompt without " to the nearest dollar" and without the trailing "Price is $":
    a frontier model needs no rounding hint, and the price prefix goes in the assistant turn."""
    prompt = item.test_prompt().replace(" to the nearest dollar", "")
    return prompt.removesuffix(f"\n\n{PRICE_PREFIX}")


def rag_context(examples: Sequence[PricedExample]) -> str:
    """The course's context block: each similar product's text and its price."""
    lines = [RAG_INTRO]
    for example in examples:
        lines.append(f"Potentially related product:\n{example.text}\n{PRICE_PREFIX}{example.price:.2f}\n\n")
    lines.append(RAG_QUESTION)
    return "".join(lines)


def messages_for(
    item: Item,
    context: str = "",
    prefill: bool = True,
    answer: float | None = None,
) -> list[dict[str, str]]:
    """System, user and assistant turns. With ``answer`` the assistant turn is the training target
    ("Price is $X.XX"); otherwise it is pre-filled with "Price is $" when ``prefill`` (the model
    continues it) or left out for servers that reject a trailing assistant turn."""
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": context + user_prompt(item)},
    ]
    if answer is not None:
        messages.append({"role": "assistant", "content": f"{PRICE_PREFIX}{answer:.2f}"})
    elif prefill:
        messages.append({"role": "assistant", "content": PRICE_PREFIX})
    return messages
