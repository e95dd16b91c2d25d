"""``pricewise serve`` (the HTTP pricing service) and ``pricewise ui`` (the "The Price is Right" page)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option(None, help="Interface to bind (default: service.host)."),
        port: int = typer.Option(None, help="Port (default: service.port)."),
        workers: int = typer.Option(
            None, min=1, help="Worker processes, each loading the model (default: service.workers)."
        ),
        pricer: str = typer.Option(
            None, help="Trained pricer to serve (default: service.pricer, else pricers.default)."
        ),
        batching: bool = typer.Option(
            None,
            "--batching/--no-batching",
            help="Micro-batch concurrent requests (default: service.batching).",
        ),
    ) -> None:
        """Serve POST /v1/price, the deals, /healthz, /metrics and the OpenAPI docs at /docs."""
        import os

        import uvicorn

        from pricewise.config import get_settings
        from pricewise.pricers.store import load_trained
        from pricewise.service.app import create_app

        overrides = {"host": host, "port": port, "workers": workers, "pricer": pricer, "batching": batching}
        settings = get_settings()
        service = settings.service.model_copy(update={k: v for k, v in overrides.items() if v is not None})
        settings = settings.model_copy(update={"service": service})
        if service.workers == 1:
            uvicorn.run(create_app(settings), host=service.host, port=service.port, log_level="info")
            return
        # Several workers re-read the settings from the environment, so pass the overrides through it.
        load_trained(service.pricer, settings=settings)  # fail here, once, if the model is missing
        for key in ("pricer", "batching"):
            if overrides[key] is not None:
                os.environ[f"PRICEWISE_SERVICE__{key.upper()}"] = str(overrides[key])
        uvicorn.run(
            "pricewise.service.app:app_from_env",
            factory=True,
            host=service.host,
            port=service.port,
            workers=service.workers,
            log_level="info",
        )

    @app.command()
    def ui(
        host: str = typer.Option(None, help="Interface to bind (default: ui.host)."),
        port: int = typer.Option(None, help="Port (default: ui.port)."),
        scan: bool = typer.Option(
            None, "--scan/--no-scan", help="Scan the feeds at start-up (default: ui.scan_on_start)."
        ),
        serve_snapshots: Path = typer.Option(  # noqa: B008 - typer's way to declare an option
            None,
            "--serve-snapshots",
            help="Scan the feed files in this folder, served on 127.0.0.1 (offline).",
        ),
    ) -> None:
        """Open "The Price is Right": deals found so far, the agents' log, the product map, price-this."""
        from contextlib import ExitStack

        from pricewise.cli.deals import snapshot_settings
        from pricewise.config import get_settings
        from pricewise.ui.app import launch

        settings = get_settings()
        updates = {
            k: v for k, v in {"host": host, "port": port, "scan_on_start": scan}.items() if v is not None
        }
        settings = settings.model_copy(update={"ui": settings.ui.model_copy(update=updates)})
        with ExitStack() as stack:
            if serve_snapshots is not None:
                settings = snapshot_settings(stack, settings, serve_snapshots)
            launch(settings)
