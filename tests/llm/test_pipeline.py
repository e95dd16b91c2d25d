"""The whole LLM pipeline on tiny models of both tokenizer kinds: fine-tune, save, load, price."""

from __future__ import annotations

import numpy as np

from pricewise.llm.pricer import LLMPricer, ZeroShotLLMPricer
from pricewise.llm.train import FinetuneConfig, train
from pricewise.pricers import registry
from pricewise.pricers.persistence import load_pricer


def _price_loss(model_dir, adapter, items) -> float:
    import torch

    from pricewise.llm.encoding import collate, training_example
    from pricewise.llm.models import load_model, load_tokenizer

    tokenizer = load_tokenizer(str(model_dir))
    model = load_model(str(model_dir), dtype="float32", adapter=adapter).eval()
    batch = collate([training_example(tokenizer, i.text, i.price, 64) for i in items], tokenizer.pad_token_id)
    with torch.inference_mode():
        return float(model(**batch).loss)


def test_fine_tuning_lowers_the_price_loss_and_round_trips(tiny_model, priced_items, tmp_path, settings):
    kind, model_dir = tiny_model
    before = _price_loss(model_dir, None, priced_items)
    config = FinetuneConfig(
        base_model=str(model_dir), output_dir=str(tmp_path / "adapter"), learning_rate=1e-2, max_steps=30,
        per_device_train_batch_size=6, lora_r=8, lora_alpha=16, lora_dropout=0.0, warmup_ratio=0.0,
        max_prompt_tokens=64, logging_steps=100,
    )
    stats = train(config, priced_items, progress=False)
    assert (tmp_path / "adapter" / "adapter_config.json").is_file()
    assert stats["trainable_parameters"] < stats["parameters"]
    after = _price_loss(model_dir, tmp_path / "adapter", priced_items)
    assert after < before - 0.3

    pricer = LLMPricer(base_model=str(model_dir), adapter=tmp_path / "adapter", max_prompt_tokens=64, batch_size=4)
    texts = [i.text for i in priced_items] + ["", "blue " * 5000]
    estimates = pricer.predict(texts)
    assert np.isnan(estimates.estimate[6]) and np.isfinite(estimates.estimate[7])
    ok = np.isfinite(estimates.estimate)
    assert np.all(estimates.low[ok] <= estimates.high[ok])
    assert np.all((estimates.estimate[ok] >= 0) & (estimates.estimate[ok] <= 999))
    # the memorised prices are closer after fine-tuning than a constant guess would be (the digit
    # model learns 11 outcomes in 30 steps; the 1,000-way integer head only lowers its loss that fast)
    truth = np.array([i.price for i in priced_items])
    assert kind == "integer" or np.mean(np.abs(estimates.estimate[:6] - truth)) < np.mean(np.abs(truth - truth.mean()))

    saved = pricer.save(settings.artifacts_dir / "models" / "llm")
    again = load_pricer(saved)
    assert isinstance(again, LLMPricer)
    np.testing.assert_allclose(again.predict(texts[:6]).estimate, estimates.estimate[:6], rtol=1e-5)


def test_registry_names_the_two_llm_pricers():
    assert registry.pricer_class("llm") is LLMPricer
    assert registry.pricer_class("llm-zero-shot") is ZeroShotLLMPricer


def test_zero_shot_fit_learns_nothing(tiny_model, priced_items):
    _, model_dir = tiny_model
    pricer = ZeroShotLLMPricer(base_model=str(model_dir), max_prompt_tokens=64, decoding="greedy")
    assert pricer.fit(priced_items) is pricer and pricer.adapter is None
    estimates = pricer.predict(priced_items[:2])
    assert np.all(np.isfinite(estimates.estimate))
