"""LoRA / QLoRA fine-tuning of a causal LM to complete "Price is $", loss on the price tokens only.

Built on the Hugging Face ``Trainer`` with :class:`~pricewise.llm.encoding.CompletionOnlyCollator`
(the equivalent of trl's completion-only loss, without needing trl), so the same code runs on one
CPU, one GPU, or N GPUs with data parallelism under ``accelerate launch``.

Command lines::

    # one fold of BENCHMARK.md on the offline Gemma 3 270M (trains on the dev items of the other folds)
    pricewise finetune --preset gemma-270m --fold 0 --extra finetune_pool --output-dir artifacts/llm/fold0
    # the same through accelerate, data parallel on every GPU of the machine
    accelerate launch -m pricewise.llm.train --preset gemma-270m --fold 0 --output_dir out/fold0
    accelerate launch --num_processes 2 -m pricewise.llm.train --preset gemma-270m --output_dir out/all
    # the course's QLoRA recipe (needs a GPU, bitsandbytes and access to the Llama weights)
    accelerate launch -m pricewise.llm.train --preset llama-3.1-8b-course --output_dir out/llama
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pricewise.config import Settings, get_settings
from pricewise.data.item import Item
from pricewise.errors import ConfigError, DataError
from pricewise.llm.models import OFFLINE_GEMMA, load_model, load_tokenizer

log = logging.getLogger(__name__)

ATTENTION = ["q_proj", "k_proj", "v_proj", "o_proj"]
MLP = ["gate_proj", "up_proj", "down_proj"]
CONFIG_FILE = "finetune_config.json"
STATS_FILE = "train_stats.json"


@dataclass
class FinetuneConfig:
    """Everything a fine-tuning run depends on. Field names follow ``TrainingArguments`` where one exists."""

    base_model: str = OFFLINE_GEMMA
    output_dir: str = "artifacts/llm/finetune"
    # LoRA
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ATTENTION + MLP)
    # Precision and memory
    quantize_4bit: bool = False
    bf16: bool = True
    gradient_checkpointing: bool = False
    # Optimisation
    learning_rate: float = 2e-4
    lr_scheduler_type: str = "cosine"
    warmup_ratio: float = 0.03
    num_train_epochs: float = 2.0
    max_steps: int = -1
    per_device_train_batch_size: int = 32
    gradient_accumulation_steps: int = 1
    optim: str = "adamw_torch"
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    max_prompt_tokens: int = 180
    # Data: the dev items outside ``fold`` (all of them when None) plus the named extra files
    fold: int | None = None
    extras: list[str] = field(default_factory=list)
    validation_fraction: float = 0.0
    eval_steps: int = 0
    # Checkpoints, logging, hub
    save_steps: int = 0
    resume_from_checkpoint: str | None = None
    logging_steps: int = 10
    report_to: str = "none"
    push_to_hub: bool = False
    hub_model_id: str | None = None
    seed: int = 42


#: Named starting points. The Gemma preset was fixed before the fold runs (see README, section llm):
#: a 270M model has room for LoRA on every projection and a higher learning rate than the course's 8B.
PRESETS: dict[str, dict[str, Any]] = {
    "gemma-270m": {},
    "llama-3.1-8b-course": {
        "base_model": "meta-llama/Llama-3.1-8B",
        "quantize_4bit": True,
        "lora_r": 32,
        "lora_alpha": 64,
        "lora_dropout": 0.1,
        "target_modules": ATTENTION,
        "learning_rate": 1e-4,
        "lr_scheduler_type": "cosine",
        "warmup_ratio": 0.03,
        "num_train_epochs": 1.0,
        "per_device_train_batch_size": 4,
        "optim": "paged_adamw_32bit",
        "max_prompt_tokens": 176,
        "gradient_checkpointing": True,
    },
}


def preset(name: str, **overrides: Any) -> FinetuneConfig:
    """The named preset with ``overrides`` (None values are ignored) applied."""
    if name not in PRESETS:
        raise ConfigError(f"unknown fine-tuning preset {name!r}; known: {', '.join(PRESETS)}")
    values = {**PRESETS[name], **{k: v for k, v in overrides.items() if v is not None}}
    unknown = set(values) - {f.name for f in dataclasses.fields(FinetuneConfig)}
    if unknown:
        raise ConfigError(f"unknown fine-tuning option(s): {sorted(unknown)}")
    return FinetuneConfig(**values)


def training_items(config: FinetuneConfig, settings: Settings | None = None) -> list[Item]:
    """The dev items outside ``config.fold`` (BENCHMARK.md: N mod 5) plus the chosen extra files."""
    from pricewise.data.sources import dev_items, extra_items, fold_of

    settings = settings or get_settings()
    items = [i for i in dev_items(settings) if config.fold is None or fold_of(i.id, settings.bench.folds) != config.fold]
    return items + extra_items(list(config.extras), settings)


def _split(items: Sequence[Item], fraction: float, seed: int) -> tuple[list[Item], list[Item]]:
    priced = [i for i in items if i.has_price and i.price > 0 and i.text.strip()]
    if not priced:
        raise DataError("no priced items with text to fine-tune on")
    random.Random(seed).shuffle(priced)
    n_eval = int(round(len(priced) * fraction))
    return priced[n_eval:], priced[:n_eval]


def train(
    config: FinetuneConfig, items: Sequence[Item], settings: Settings | None = None, progress: bool = True
) -> dict[str, Any]:
    """Fine-tune on ``items`` and save the LoRA adapter in ``config.output_dir``; returns the run's stats."""
    import torch
    from accelerate import PartialState
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import Trainer, TrainingArguments

    from pricewise.llm.encoding import CompletionOnlyCollator, training_example

    settings = settings or get_settings()
    if config.quantize_4bit and not torch.cuda.is_available():
        raise ConfigError("4-bit (QLoRA) loading needs a CUDA GPU and bitsandbytes; drop --quantize-4bit on CPU")
    train_items, eval_items = _split(items, config.validation_fraction, config.seed)
    # Under `accelerate launch` / torchrun the first process builds the offline model's float copy
    # while the others wait, so N processes never convert the GGUF into the same folder at once.
    with PartialState().main_process_first():
        tokenizer = load_tokenizer(config.base_model, settings)

    def encode(batch: Sequence[Item]) -> list[dict[str, list[int]]]:
        return [training_example(tokenizer, i.text, float(i.price), config.max_prompt_tokens) for i in batch]

    train_rows, eval_rows = encode(train_items), encode(eval_items)
    # bf16 on a GPU that has it; CPUs without native bf16 (AVX2 boxes) are far faster in float32
    use_bf16 = config.bf16 and torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    model = load_model(
        config.base_model, dtype="bfloat16" if use_bf16 else "float32", quantize_4bit=config.quantize_4bit, settings=settings
    )
    if config.quantize_4bit:
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=config.gradient_checkpointing)
    elif config.gradient_checkpointing:
        model.enable_input_require_grads()
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(config.target_modules),
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora)
    evaluating = bool(eval_rows) and config.eval_steps > 0
    args = TrainingArguments(
        output_dir=config.output_dir,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler_type,
        warmup_steps=config.warmup_ratio,  # transformers 5: a value below 1 is a fraction of the steps
        num_train_epochs=config.num_train_epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.per_device_train_batch_size,
        per_device_eval_batch_size=config.per_device_train_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        optim=config.optim,
        weight_decay=config.weight_decay,
        max_grad_norm=config.max_grad_norm,
        bf16=use_bf16 and torch.cuda.is_available(),
        gradient_checkpointing=config.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False} if config.gradient_checkpointing else None,
        eval_strategy="steps" if evaluating else "no",
        eval_steps=config.eval_steps or None,
        save_strategy="steps" if config.save_steps else "no",
        save_steps=config.save_steps or 500,
        logging_steps=config.logging_steps,
        report_to=[] if config.report_to == "none" else [config.report_to],
        push_to_hub=config.push_to_hub,
        hub_model_id=config.hub_model_id,
        seed=config.seed,
        remove_unused_columns=False,
        ddp_find_unused_parameters=False,
        disable_tqdm=not progress,
        use_cpu=not torch.cuda.is_available(),
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_rows,
        eval_dataset=eval_rows if evaluating else None,
        data_collator=CompletionOnlyCollator(tokenizer.pad_token_id),
    )
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=config.resume_from_checkpoint)
    seconds = time.perf_counter() - started
    tokens = sum(len(r["input_ids"]) for r in train_rows) * config.num_train_epochs
    if config.max_steps > 0:
        per_step = config.per_device_train_batch_size * args.world_size * config.gradient_accumulation_steps
        steps_per_epoch = math.ceil(len(train_rows) / per_step)
        tokens *= min(1.0, config.max_steps / (steps_per_epoch * config.num_train_epochs))
    stats = {
        "train_items": len(train_rows),
        "eval_items": len(eval_rows),
        "train_loss": result.training_loss,
        "train_seconds": seconds,
        "train_tokens": tokens,
        "tokens_per_second": tokens / seconds,
        "world_size": args.world_size,
        "parameters": sum(p.numel() for p in model.parameters()),
        "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "peak_gpu_memory_gb": torch.cuda.max_memory_allocated() / 1e9 if torch.cuda.is_available() else None,
    }
    if evaluating:
        stats["eval_loss"] = trainer.evaluate()["eval_loss"]
    if trainer.is_world_process_zero():
        out = Path(config.output_dir)
        trainer.save_model(str(out))
        (out / CONFIG_FILE).write_text(json.dumps(dataclasses.asdict(config), indent=2), encoding="utf-8")
        (out / STATS_FILE).write_text(json.dumps(stats, indent=2), encoding="utf-8")
        if config.push_to_hub:
            trainer.push_to_hub()
    return stats


def config_from_args(argv: Sequence[str]) -> FinetuneConfig:
    """``--preset`` plus the :class:`FinetuneConfig` fields given as ``--field value``. Only the options
    actually given override the preset, even when one equals the dataclass default."""
    from transformers import HfArgumentParser

    parser = HfArgumentParser(FinetuneConfig)
    parser.add_argument("--preset", default="gemma-270m", choices=sorted(PRESETS))
    parsed, extra = parser.parse_args_into_dataclasses(args=list(argv))
    given = {arg[2:].split("=", 1)[0].replace("-", "_") for arg in argv if arg.startswith("--")}
    given |= {name[3:] for name in given if name.startswith("no_")}  # --no_bf16
    explicit = {k: v for k, v in dataclasses.asdict(parsed).items() if k in given}
    return preset(extra.preset, **explicit)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m pricewise.llm.train`` / ``accelerate launch -m pricewise.llm.train``."""
    config = config_from_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO)
    stats = train(config, training_items(config))
    log.info("fine-tuned: %s", json.dumps(stats))


if __name__ == "__main__":
    main()
