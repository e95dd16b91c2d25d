"""Proves the QLoRA path (4-bit nf4 double quant, bitsandbytes, paged AdamW) on a real GPU.

The Gemma weights take five calls to carry (see run_llm_folds.sh), so this check fine-tunes a
randomly initialised Llama-architecture model (4 layers, hidden 512) built here, with the same
``pricewise.llm.train.train`` the Llama-3.1-8B course preset uses, and writes what it saw to
``$OUT/llm_qlora.json``: the 4-bit layer count, the loss before and after, peak GPU memory.

    python benchmarks/gpu/qlora_check.py --out $OUT
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    os.environ["PRICEWISE_ARTIFACTS_DIR"] = "/tmp/pw-qlora"
    import sys

    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "llm"))
    from conftest import build_tokenizer  # the tests' integer tokenizer (Llama-3-like)

    from pricewise.data.item import Item
    from pricewise.llm.models import load_model
    from pricewise.llm.train import preset, train

    tokenizer = build_tokenizer("integer")
    base = Path("/tmp/qlora-base")
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=512, intermediate_size=1024, num_hidden_layers=4,
                         num_attention_heads=8, num_key_value_heads=8, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(base)
    tokenizer.save_pretrained(base)
    words = ["blue widget steel", "red gadget lamp", "steel lamp blue", "red widget"]
    items = [Item(title=w, summary=w, price=p) for w, p in zip(words * 16, [12, 340, 57, 499] * 16)]
    quantized = load_model(str(base), quantize_4bit=True)
    layers = sum(type(m).__name__ == "Linear4bit" for m in quantized.modules())
    del quantized
    cfg = preset("llama-3.1-8b-course", base_model=str(base), output_dir="/tmp/qlora-out", max_steps=40,
                 learning_rate=2e-3, num_train_epochs=1.0, per_device_train_batch_size=8, logging_steps=5,
                 validation_fraction=0.25, eval_steps=20)
    stats = train(cfg, items)
    log = json.loads((Path("/tmp/qlora-out") / "train_stats.json").read_text())
    result = {"machine": torch.cuda.get_device_name(0), "linear4bit_layers": layers, "optim": cfg.optim,
              "quantize_4bit": cfg.quantize_4bit, "stats": stats, "saved": log == json.loads(json.dumps(stats))}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "llm_qlora.json").write_text(json.dumps(result, indent=2, default=float))
    print(json.dumps(result, indent=1, default=float))


if __name__ == "__main__":
    main()
