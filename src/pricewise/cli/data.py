"""``pricewise data build | import | stats``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from pricewise.data.build import BuildReport


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(
        help="Build, import and inspect data sets (Parquet + manifest).", no_args_is_help=True
    )

    @data_app.command("build")
    def build(
        raw: list[Path] = typer.Option(
            None, "--raw", help="Curate local raw Amazon-Reviews-2023 files (.jsonl / .jsonl.gz; repeatable)."
        ),
        hub: list[str] = typer.Option(
            None,
            "--hub",
            help="Curate raw_meta_<CATEGORY> from the Hugging Face hub, e.g. Appliances (repeatable).",
        ),
        category: str = typer.Option(
            None, "--category", help="Category of the --raw files (default: from meta_<Category> names)."
        ),
        extra: list[str] = typer.Option(
            None, "--extra", help="Default mode: extra training files to include (default: all of them)."
        ),
        out: Path = typer.Option(None, "--out", help="Output folder (default: <artifacts>/data)."),
        workers: int = typer.Option(None, "--workers", min=1, help="Worker processes for curation."),
    ) -> None:
        """Build a data set. By default from the curated files in the data dir: dev.parquet (the 1,500
        benchmark items with their fold) and train.parquet (the extra files, de-duplicated). With --raw
        or --hub: curate, balance and split raw metadata into train/validation/test.parquet."""
        from pricewise.config import get_settings
        from pricewise.data.build import build_curated, build_hub, build_raw
        from pricewise.errors import DataError

        settings = get_settings()
        if workers:
            settings = settings.model_copy(
                update={"data": settings.data.model_copy(update={"workers": workers})}
            )
        if raw and hub:
            raise DataError("use either --raw or --hub, not both")
        if raw:
            report = build_raw(raw, settings, category=category, out_dir=out)
        elif hub:
            report = build_hub(hub, settings, out_dir=out)
        else:
            report = build_curated(extra or None, settings, out_dir=out)
        _print_report(report)

    @data_app.command("import")
    def import_(
        file: Path = typer.Argument(..., help="The catalog: .csv, .jsonl or .parquet."),
        mapping: str = typer.Option(
            "",
            "--map",
            help="FIELD=COLUMN pairs for title, description, price, category, id, details; "
            "e.g. title=product_name,price=retail_price,category=product_category_tree.",
        ),
        currency: str = typer.Option(
            "USD", "--currency", help="Currency of the prices (see data.currency_rates)."
        ),
        out: Path = typer.Option(
            None, "--out", help="Output .parquet (default: <artifacts>/data/imported/NAME.parquet)."
        ),
    ) -> None:
        """Import your own catalog as a Parquet data set priced in US dollars."""
        from pricewise.data.catalog import import_catalog, parse_mapping

        _print_report(import_catalog(file, parse_mapping(mapping), currency, out=out))

    @data_app.command("stats")
    def stats() -> None:
        """Rows, categories and prices of the shared data files and of built or imported data sets."""
        from rich.table import Table

        from pricewise.data.stats import built_stats, shared_stats

        table = Table(title="pricewise data")
        for column in ("data set", "rows", "categories", "min $", "median $", "mean $", "max $"):
            table.add_column(column, justify="left" if column == "data set" else "right", no_wrap=True)
        group = None
        for row in [*shared_stats(), *built_stats()]:
            if group is not None and row.group != group:
                table.add_section()
            group = row.group
            prices = [
                f"{row.price[k]:,.2f}" if k in row.price else "" for k in ("min", "median", "mean", "max")
            ]
            table.add_row(f"{row.group}: {row.name}", f"{row.rows:,}", str(len(row.categories)), *prices)
        _console().print(table)

    app.add_typer(data_app, name="data")


def _console():
    """A Rich console; when output is not a terminal (CI logs, pipes) tables get 120 columns, not 80."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=120)


def _print_report(report: BuildReport) -> None:
    """The splits written, the rows skipped by reason, and where the manifest is."""
    from rich.table import Table

    manifest = report.manifest
    table = Table(title=f"{manifest['kind']} data set in {report.out_dir} ({report.seconds:.1f} s)")
    for column in ("split", "rows", "median $", "mean $", "file"):
        table.add_column(column, justify="left" if column in {"split", "file"} else "right")
    for name, summary in manifest["splits"].items():
        price = summary.get("price", {})
        table.add_row(
            name,
            f"{summary['rows']:,}",
            f"{price.get('median', 0):,.2f}",
            f"{price.get('mean', 0):,.2f}",
            str(report.files.get(name, "")),
        )
    console = _console()
    console.print(table)
    skipped = manifest["skipped"]
    total = sum(skipped.values())
    detail = ", ".join(f"{reason} {count:,}" for reason, count in skipped.items())
    counts = f"read {manifest['rows_read']:,} rows, kept {manifest['rows_kept']:,}, skipped {total:,}"
    console.print(counts + (f" ({detail})" if detail else ""))
    console.print(f"manifest {report.manifest_path} (content hash {manifest['content_hash']})")
