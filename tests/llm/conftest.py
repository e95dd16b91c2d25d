"""Tiny randomly initialised causal LMs with the two kinds of price tokenizer, built in the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from pricewise.data.item import Item

WORDS = "How much does this cost to the nearest dollar ? Price is $ . blue widget steel red gadget lamp".split()


def build_tokenizer(kind: str):
    """A word-level tokenizer: ``digit`` splits numbers into digits (Gemma), ``integer`` has one token
    per integer 0..999 (Llama-3)."""
    from tokenizers import Tokenizer, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<unk>", "<bos>", "<eos>"]
    numbers = [str(d) for d in range(10)] + ["00"]
    if kind == "integer":
        numbers = [str(n) for n in range(1000)] + ["00"]
    vocab = {tok: i for i, tok in enumerate(dict.fromkeys(specials + WORDS + numbers))}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    splitters = [pre_tokenizers.Whitespace()]
    if kind == "digit":
        splitters.append(pre_tokenizers.Digits(individual_digits=True))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(splitters)
    tokenizer.post_processor = processors.TemplateProcessing(single="<bos> $A", special_tokens=[("<bos>", vocab["<bos>"])])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>", unk_token="<unk>"
    )


def build_model(kind: str, directory: Path) -> Path:
    """Save a 2-layer Llama-architecture model with the ``kind`` tokenizer in ``directory``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    tokenizer = build_tokenizer(kind)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=256,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="session", params=["digit", "integer"])
def tiny_model(request, tmp_path_factory) -> tuple[str, Path]:
    return request.param, build_model(request.param, tmp_path_factory.mktemp(f"tiny-{request.param}"))


@pytest.fixture
def priced_items() -> list[Item]:
    texts = ["blue widget steel", "red gadget lamp", "steel lamp blue", "red widget", "blue gadget", "steel red"]
    prices = [12.0, 340.0, 57.0, 12.0, 340.0, 57.0]
    return [Item(title=t, summary=t, price=p, id=f"pricer-test-{k}") for k, (t, p) in enumerate(zip(texts, prices))]
