"""CPU inference: tree attention over the prompts' cache, length-sorted batches, int8 quantization."""

from __future__ import annotations

import numpy as np
import pytest

from pricewise.llm.inference import length_sorted_batches

TEXTS = [
    "blue widget",
    "red gadget lamp steel blue widget red gadget lamp steel",
    "steel",
    "lamp blue red widget steel gadget",
    "red red red",
    "blue gadget steel lamp red widget blue gadget steel lamp red widget blue",
    "widget lamp",
]


def test_length_sorted_batches_cover_every_index_once_and_group_similar_lengths():
    lengths = [5, 40, 3, 22, 7, 60, 4]
    batches = length_sorted_batches(lengths, 3)
    assert sorted(k for b in batches for k in b) == list(range(len(lengths)))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert batches[0] == [5, 1, 3]  # the longest together: less left padding
    assert length_sorted_batches([], 4) == []


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
def test_two_tree_levels_match_full_forward_passes(tmp_path, attention):
    """Every node of both tree levels (uneven branching per prompt) sees its prompt and its own
    ancestors only: the same next-digit probabilities as re-reading prompt + digits from scratch."""
    import torch

    from pricewise.llm.decoding import PriceVocab
    from pricewise.llm.encoding import collate, prompt_ids
    from pricewise.llm.inference import CachedSteps
    from pricewise.llm.models import load_model, load_tokenizer

    from .conftest import build_model

    model_dir = build_model("digit", tmp_path / "tiny")
    tokenizer, model = load_tokenizer(str(model_dir)), load_model(str(model_dir), dtype="float32").eval()
    model.set_attn_implementation(attention)
    vocab = PriceVocab.from_tokenizer(tokenizer)
    prompts = [prompt_ids(tokenizer, t, 64) for t in ["blue widget steel red lamp", "red", "lamp steel"]]
    with torch.inference_mode():
        steps = CachedSteps(model, collate([{"input_ids": p} for p in prompts], tokenizer.pad_token_id, "left"), vocab)
        level1 = (np.array([1, 0, 1, 1, 2]), np.array([3, 7, 9, 0, 5]))
        level2 = (np.array([4, 0, 2, 2, 1]), np.array([1, 2, 8, 4, 6]))
        got = [steps(*level1), steps(*level2)]

        def full(ids: list[int]) -> np.ndarray:
            logits = model(input_ids=torch.tensor([ids])).logits[:, -1].float()
            return vocab.compact(logits.softmax(-1).numpy())[0]

        paths1 = [prompts[p] + [int(vocab.token_ids[d])] for p, d in zip(*level1)]
        paths2 = [paths1[p] + [int(vocab.token_ids[d])] for p, d in zip(*level2)]
        expected = [np.stack([full(p) for p in paths1]), np.stack([full(p) for p in paths2])]
    np.testing.assert_allclose(got[0], expected[0], atol=1e-5)
    np.testing.assert_allclose(got[1], expected[1], atol=1e-5)


@pytest.mark.parametrize("decoding", ["greedy", "expected"])
def test_length_sorted_batches_return_estimates_in_input_order(tiny_model, decoding):
    from pricewise.llm.pricer import LLMPricer

    _, model_dir = tiny_model
    texts = TEXTS + ["", TEXTS[0]]
    batched = LLMPricer(base_model=str(model_dir), max_prompt_tokens=64, batch_size=3, decoding=decoding).predict(texts)
    alone = LLMPricer(base_model=str(model_dir), max_prompt_tokens=64, batch_size=1, decoding=decoding)
    one_by_one = np.array([alone.predict([t]).estimate[0] for t in texts])
    assert np.isnan(batched.estimate[7]) and np.isnan(one_by_one[7])
    np.testing.assert_allclose(batched.estimate, one_by_one, rtol=1e-4, atol=1e-3)
    # the random model prices the texts differently, so a mixed-up order would show
    assert len(np.unique(np.round(one_by_one[:7], 3))) > 1


def test_int8_quantizes_every_linear_and_stays_close_to_float32(tiny_model):
    import torch

    from pricewise.llm.pricer import LLMPricer

    kind, model_dir = tiny_model
    fp32 = LLMPricer(base_model=str(model_dir), max_prompt_tokens=64, batch_size=4, cpu_int8=False)
    int8 = LLMPricer(base_model=str(model_dir), max_prompt_tokens=64, batch_size=4, cpu_int8=True)
    assert int8.get_params()["cpu_int8"] is True
    model = int8._model()[0]
    quantized = [m for m in model.modules() if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)]
    assert quantized and not [m for m in model.modules() if type(m) is torch.nn.Linear]
    a, b = fp32.predict(TEXTS).estimate, int8.predict(TEXTS).estimate
    assert np.all(np.isfinite(b))
    # the estimates agree to a few dollars of prices that range over 0..999
    assert np.mean(np.abs(a - b)) < 5.0, (a, b)


def test_int8_refuses_4bit_or_a_trainable_adapter(tiny_model):
    from pricewise.errors import ModelError
    from pricewise.llm.models import load_model

    _, model_dir = tiny_model
    with pytest.raises(ModelError):
        load_model(str(model_dir), dtype="float32", quantize_4bit=True, cpu_int8=True)
    with pytest.raises(ModelError):
        load_model(str(model_dir), dtype="float32", adapter=model_dir, trainable=True, cpu_int8=True)


def test_cpu_int8_setting_defaults_and_reaches_the_pricer(monkeypatch, tiny_model):
    from pricewise.config import LLMSettings, get_settings
    from pricewise.llm.pricer import LLMPricer

    assert LLMSettings().cpu_int8 is False
    monkeypatch.setattr(get_settings().llm, "cpu_int8", True)
    assert LLMPricer(base_model=str(tiny_model[1])).cpu_int8 is True
    assert LLMPricer(base_model=str(tiny_model[1]), cpu_int8=False).cpu_int8 is False
