"""``pricewise export openai-finetune``: the course's chat JSONL for OpenAI fine-tuning."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    export_app = typer.Typer(help="Export training data for other platforms.", no_args_is_help=True)

    @export_app.command("openai-finetune")
    def openai_finetune(
        n: int = typer.Option(200, "--n", help="Training examples (the course used 200)."),
        validation: int = typer.Option(50, "--validation", help="Validation examples (0 for none)."),
        out: Path = typer.Option(
            Path("artifacts/openai-finetune"), "--out", help="Folder for train.jsonl and validation.jsonl."
        ),
        source: str = typer.Option(
            "dev", "--source", help="'dev' (dev items outside test250) or an extra file key."
        ),
        seed: int = typer.Option(None, "--seed", help="Shuffle seed (default: settings.seed)."),
    ) -> None:
        """Write validated chat JSONL: system, user, assistant "Price is $X.XX"."""
        from pricewise.pricers.finetune_export import export_openai_finetune

        counts = export_openai_finetune(out, n=n, validation=validation, source=source, seed=seed)
        for name, count in counts.items():
            typer.echo(f"{out / (name + '.jsonl')}: {count} examples")

    app.add_typer(export_app, name="export")
