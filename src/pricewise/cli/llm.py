"""``pricewise finetune``: LoRA / QLoRA fine-tuning of the LLM pricer, and installing an adapter."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("finetune")
    def finetune(
        preset: str = typer.Option("gemma-270m", help="Starting configuration: gemma-270m or llama-3.1-8b-course."),
        base_model: str = typer.Option(None, help="HF id or path; default: the preset's (offline Gemma 3 270M)."),
        fold: int = typer.Option(None, help="Leave out this BENCHMARK.md fold of the dev items (out-of-fold runs)."),
        extra: list[str] = typer.Option([], "--extra", help="Extra training file (finetune_pool, six_categories, ...)."),
        output_dir: Path = typer.Option(None, help="Where the adapter goes; default <artifacts>/llm/finetune."),
        epochs: float = typer.Option(None, help="Training epochs."),
        learning_rate: float = typer.Option(None, "--lr", help="Peak learning rate."),
        max_steps: int = typer.Option(None, help="Stop after this many optimizer steps."),
        batch_size: int = typer.Option(None, help="Per-device batch size."),
        quantize_4bit: bool = typer.Option(None, "--quantize-4bit/--no-quantize-4bit", help="QLoRA (GPU only)."),
        adapter: Path = typer.Option(None, help="Skip training: install this adapter as the trained `llm` pricer."),
    ) -> None:
        """Fine-tune the LLM pricer (loss on the price only) and install it as the trained `llm` pricer."""
        from pricewise.config import get_settings
        from pricewise.llm.pricer import LLMPricer
        from pricewise.pricers.store import model_dir

        settings = get_settings()
        if adapter is None:
            from pricewise.llm.train import preset as make_config
            from pricewise.llm.train import train, training_items

            config = make_config(
                preset, base_model=base_model, fold=fold, extras=list(extra) or None,
                output_dir=str(output_dir or settings.artifacts_dir / "llm" / "finetune"), num_train_epochs=epochs,
                learning_rate=learning_rate, max_steps=max_steps, per_device_train_batch_size=batch_size,
                quantize_4bit=quantize_4bit,
            )
            stats = train(config, training_items(config, settings), settings)
            typer.echo(json.dumps(stats, indent=2, default=float))
            adapter, base_model = Path(config.output_dir), config.base_model
        pricer = LLMPricer(base_model=base_model, adapter=adapter)
        saved = pricer.save(model_dir("llm", settings), metadata={"adapter_source": str(adapter)})
        typer.echo(f"installed the LLM pricer in {saved}: pricewise price --pricer llm \"TEXT\"")
