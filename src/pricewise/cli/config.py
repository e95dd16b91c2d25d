"""``pricewise config show``: the effective configuration, secrets masked."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    config_app = typer.Typer(help="Inspect the configuration (env vars, .env, pricewise.toml).", no_args_is_help=True)

    @config_app.command("show")
    def show(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of TOML-like text.")) -> None:
        """Print the effective configuration with secrets masked."""
        from pricewise.config import get_settings

        data = get_settings().masked()
        if as_json:
            typer.echo(json.dumps(data, indent=2))
            return
        import tomli_w

        typer.echo(tomli_w.dumps(_drop_none(data)))

    app.add_typer(config_app, name="config")


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    return value
