"""Items, prompts, curation from raw Amazon metadata, importers and the shared data sets."""

from pricewise.data.item import Item, test_prompt, training_prompt

__all__ = ["Item", "test_prompt", "training_prompt"]
