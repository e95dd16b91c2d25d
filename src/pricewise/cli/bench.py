"""``pricewise bench``: run pricers under the benchmark protocol and rebuild the leaderboard."""

from __future__ import annotations

import json

import typer


def _parse_params(values: list[str]) -> dict:
    """``key=value`` pairs; values are read as JSON when they parse (numbers, lists), else as text."""
    from pricewise.errors import ConfigError

    params = {}
    for value in values:
        key, sep, raw = value.partition("=")
        if not sep or not key:
            raise ConfigError(f"--param expects key=value, got {value!r}")
        try:
            params[key] = json.loads(raw)
        except ValueError:
            params[key] = raw
    return params


def register(app: typer.Typer) -> None:
    bench_app = typer.Typer(
        help="Benchmark pricers out of fold (BENCHMARK.md) and write the leaderboard.",
        invoke_without_command=True,
    )

    @bench_app.callback()
    def bench(
        ctx: typer.Context,
        pricer: list[str] = typer.Option([], "--pricer", "-p", help="Registered pricer to run (repeatable)."),
        extra: list[str] = typer.Option([], "--extra", "-e", help="Extra training file key (repeatable), see `pricewise data stats`."),
        label: str = typer.Option(None, "--label", help="Row label (default: the pricer name). One pricer only."),
        param: list[str] = typer.Option([], "--param", help="Pricer parameter key=value (repeatable). One pricer only."),
        leaderboard: bool = typer.Option(True, "--leaderboard/--no-leaderboard", help="Rebuild the leaderboard after."),
    ) -> None:
        """Run each --pricer on the 5 folds, record its row, and print the leaderboard."""
        if ctx.invoked_subcommand is not None:
            return
        from pricewise.errors import ConfigError
        from pricewise.evaluation.benchmark import run_benchmark

        if (label or param) and len(pricer) != 1:
            raise ConfigError("--label and --param apply to exactly one --pricer")
        params = _parse_params(param)
        for name in pricer:
            row = run_benchmark(name, params=params, extras=extra, label=label)
            t = row.get("test250", {})
            typer.echo(f"{row['label']}: test250 error ${t['mae']['value']:.2f}, RMSLE {t['rmsle']['value']:.2f}, "
                       f"hits {t['hits']['value']:.1f}%")
        if leaderboard:
            _print_leaderboard()

    @bench_app.command("leaderboard")
    def leaderboard_cmd() -> None:
        """Rebuild leaderboard.md/json and the scatter chart from every recorded row."""
        _print_leaderboard()

    app.add_typer(bench_app, name="bench")


def _print_leaderboard() -> None:
    from rich.console import Console
    from rich.table import Table

    from pricewise.evaluation.leaderboard import format_rate, load_rows, write_leaderboard

    paths = write_leaderboard()
    table = Table(title="Leaderboard (test250, out of fold)")
    for column in ("pricer", "extras", "error $", "RMSLE", "hits %", "dev1500 error $", "items/s"):
        table.add_column(column)
    for row in load_rows():
        t, d = row.get("test250"), row.get("dev1500")
        table.add_row(
            row["label"],
            ", ".join(row.get("extras") or []) or "–",
            f"{t['mae']['value']:.2f}" if t else "–",
            f"{t['rmsle']['value']:.2f}" if t else "–",
            f"{t['hits']['value']:.1f}" if t else "–",
            f"{d['mae']['value']:.2f}" if d else "–",
            format_rate(row.get("items_per_second")),
        )
    Console().print(table)
    typer.echo("wrote " + ", ".join(str(p) for p in paths.values()))
