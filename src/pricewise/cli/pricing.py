"""``pricewise train`` and ``pricewise price``."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def train(
        pricer: str = typer.Option(None, "--pricer", "-p", help="Registered pricer (default: pricers.default)."),
        extra: list[str] = typer.Option(None, "--extra", "-e", help="Extra training file key (repeatable; default: pricers.extras)."),
        param: list[str] = typer.Option([], "--param", help="Pricer parameter key=value (repeatable)."),
    ) -> None:
        """Train a pricer on every dev item plus the chosen extras and save it under the artifacts dir."""
        from pricewise.cli.bench import _parse_params
        from pricewise.pricers.training import train as train_pricer

        directory, meta = train_pricer(pricer, extras=extra or None, params=_parse_params(param))
        cv = meta.get("cv", {}).get("test250")
        figures = f"; out-of-fold test250 error ${cv['mae']:.2f}" if cv else ""
        typer.echo(
            f"trained {meta['pricer']} on {meta['training_items']} items in {meta['fit_seconds']}s "
            f"(extras: {', '.join(meta['extras']) or 'none'}){figures}\nsaved to {directory}"
        )

    @app.command()
    def price(
        text: str = typer.Argument(None, help="Product description (first line: title)."),
        pricer: str = typer.Option(None, "--pricer", "-p", help="Trained pricer (default: pricers.default)."),
        file: Path = typer.Option(None, "--file", "-f", help="CSV, JSONL or Parquet of products to price."),
        out: Path = typer.Option(None, "--out", "-o", help="Output file for --file."),
        engine: str = typer.Option(None, "--engine", help="local or ray (with --file)."),
        address: str = typer.Option(None, "--address", help="Ray cluster address (with --engine ray)."),
        batch_size: int = typer.Option(None, "--batch-size", help="Rows per predict call (with --file)."),
    ) -> None:
        """Estimate a price, with its interval; or price a whole file with --file/--out."""
        from pricewise.errors import DataError

        if file is not None:
            if out is None or text is not None:
                raise DataError("--file needs --out, and no TEXT argument")
            from pricewise.scale.batch import price_file

            report = price_file(file, out, pricer_name=pricer, engine=engine, address=address, batch_size=batch_size)
            typer.echo(
                f"priced {report.priced} of {report.rows} rows ({report.failed} failed) with {report.pricer} "
                f"in {report.seconds:.1f}s -> {report.output}"
            )
            return
        if text is None or not text.strip():
            raise DataError("give a product description to price (or --file)")
        from pricewise.pricers.store import load_trained

        model = load_trained(pricer)
        estimates = model.predict([text])
        row = estimates.row(0)
        if row["estimate"] is None:
            raise DataError(f"{model.name} could not price this text")
        line = f"${row['estimate']:,.2f}"
        if row["low"] is not None and row["high"] is not None:
            line += f"  ({estimates.coverage:.0%} interval ${row['low']:,.2f} – ${row['high']:,.2f})"
        typer.echo(f"{line}  [{model.name}]")
