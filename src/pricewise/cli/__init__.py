"""The ``pricewise`` command. Each area registers its commands from its own module below; heavy
libraries are imported inside the commands, so ``pricewise --help`` stays fast."""

from __future__ import annotations

import importlib
import logging
import sys

import typer

from pricewise.errors import PricewiseError

app = typer.Typer(
    name="pricewise",
    help="Estimate what a product should cost from its text, and hunt deals priced below it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: Modules under pricewise.cli that define ``register(app)``.
COMMAND_MODULES = ["config", "bench", "pricing", "serve", "export", "data", "deals", "llm", "serve_llm"]

_state = {"debug": False}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks and debug logs."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress at INFO level."),
) -> None:
    _state["debug"] = debug
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    from rich.console import Console
    from rich.logging import RichHandler

    logging.basicConfig(level=level, format="%(message)s", handlers=[RichHandler(show_path=False, console=Console(stderr=True))], force=True)


for _name in COMMAND_MODULES:
    importlib.import_module(f"pricewise.cli.{_name}").register(app)


def main() -> None:
    """Entry point: user errors print one line and exit 2; ``--debug`` shows the traceback."""
    try:
        app(standalone_mode=False)
    except PricewiseError as exc:
        if _state["debug"]:
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        # typer >= 0.29 vendors click: its usage errors are TyperException, not click.ClickException
        vendored = isinstance(exc, typer.TyperException) and hasattr(exc, "show")
        if isinstance(exc, click.ClickException) or vendored:
            exc.show()
            sys.exit(exc.exit_code)
        raise
