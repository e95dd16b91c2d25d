"""``pricewise serve-llm``: an OpenAI-compatible chat endpoint over a local causal LM."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve-llm")
    def serve_llm(
        model: str = typer.Option(
            None,
            help="HF id or path, or pypi:gemma3-270m (default: serve_llm.model, else llm.base_model).",
        ),
        adapter: Path = typer.Option(  # noqa: B008 - typer's way to declare an option
            None, help="LoRA adapter folder to put on top (default: serve_llm.adapter, none)."
        ),
        name: str = typer.Option(
            None, help="Model name in answers and /v1/models (default: derived from the model)."
        ),
        host: str = typer.Option(None, help="Interface to bind (default: serve_llm.host, else llm.serve_host)."),
        port: int = typer.Option(None, help="Port (default: serve_llm.port, else llm.serve_port)."),
        max_batch: int = typer.Option(
            None, min=1, help="Concurrent requests generated together; 1 = one at a time (default: serve_llm.max_batch)."
        ),
        threads: int = typer.Option(None, min=1, help="CPU threads (default: serve_llm.threads, else llm.threads)."),
    ) -> None:
        """Serve POST /v1/chat/completions and GET /v1/models over a local causal LM (greedy decoding)."""
        import uvicorn

        from pricewise.config import get_settings
        from pricewise.llm.server import create_app

        settings = get_settings()
        overrides = {"model": model, "adapter": adapter, "name": name, "host": host, "port": port,
                     "max_batch": max_batch, "threads": threads}
        cfg = settings.serve_llm.model_copy(update={k: v for k, v in overrides.items() if v is not None})
        settings = settings.model_copy(update={"serve_llm": cfg})
        app_ = create_app(settings)  # loads the model once, here: a model that cannot load stops the command
        bind_host = cfg.host or settings.llm.serve_host
        bind_port = cfg.port or settings.llm.serve_port
        typer.echo(f"serving {app_.state.served.name} on http://{bind_host}:{bind_port}/v1", err=True)
        uvicorn.run(app_, host=bind_host, port=bind_port, log_level="info")
