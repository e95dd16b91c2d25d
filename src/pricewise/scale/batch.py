"""Price a whole catalog file: ``price_file(input, output, pricer_name, engine="local"|"ray")``.

The local engine streams chunks through one process; the Ray engine spreads the same chunks over an
actor pool (:mod:`pricewise.scale.ray_engine`). Both read with the same readers, price with the same
:func:`~pricewise.scale.pricing.price_chunk` and write with the same writer, so for the same input and
pricer they produce the same file. Bad rows get an ``error`` and the job goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from pricewise.config import Settings, get_settings
from pricewise.errors import ConfigError, DataError
from pricewise.pricers.base import Pricer
from pricewise.scale.pricing import price_chunk
from pricewise.scale.readers import file_format, iter_chunks, row_count
from pricewise.scale.records import ColumnMap
from pricewise.scale.writers import OutputWriter

log = logging.getLogger(__name__)
ENGINES = ("local", "ray")


@dataclass(frozen=True)
class BatchReport:
    """What a batch job did: rows read, priced and failed, and how fast."""

    input: str
    output: str
    engine: str
    pricer: str
    rows: int
    priced: int
    failed: int
    seconds: float
    #: Until the first priced chunk was written: model loading, and Ray's start-up on the ray engine.
    startup_seconds: float = 0.0
    workers: int | None = None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows_per_second": round(self.rows_per_second, 1)}


def price_file(
    input_path: Path | str,
    output_path: Path | str,
    pricer_name: str | None = None,
    engine: str | None = None,
    address: str | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    pricer: Pricer | None = None,
    settings: Settings | None = None,
    progress: bool = True,
) -> BatchReport:
    """Price every row of ``input_path`` into ``output_path`` (id, estimate, low, high, pricer, error).

    ``pricer_name`` is a trained pricer (default ``pricers.default``), loaded with ``load_trained``;
    or pass a fitted ``pricer`` object. ``engine`` is ``local`` or ``ray``; ``address`` (Ray only) joins
    an existing cluster (``auto``, ``ray://head:10001``) instead of starting a local instance.
    """
    settings = settings or get_settings()
    engine = engine or settings.scale.engine
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if address and engine != "ray":
        raise ConfigError("--address joins a Ray cluster: use it with --engine ray")
    batch_size = batch_size or settings.scale.batch_size
    if batch_size < 1:
        raise ConfigError(f"batch size must be at least 1, got {batch_size}")
    input_path, output_path = Path(input_path), Path(output_path)
    fmt = file_format(input_path)
    file_format(output_path)
    if not input_path.is_file():
        raise DataError(f"{input_path}: no such file")
    if output_path.resolve() == input_path.resolve():
        raise DataError(f"{output_path}: the output would overwrite the input")
    label = pricer_name or (pricer.name if pricer is not None else settings.pricers.default)

    started = time.perf_counter()
    if engine == "local":
        from pricewise.pricers.store import load_trained

        model = pricer if pricer is not None else load_trained(label, settings)
        columns = ColumnMap.from_settings(settings.scale)
        chunks: Iterable[pa.Table] = (
            price_chunk(model, chunk, label) for chunk in iter_chunks(input_path, columns, batch_size, fmt)
        )
    else:
        from pricewise.scale.ray_engine import priced_chunks

        chunks = priced_chunks(input_path, fmt, label, settings, batch_size, workers, pricer, address)
    rows = failed = 0
    first: float | None = None
    with OutputWriter(output_path, settings.scale.parquet_row_group_rows) as writer:
        for table in _with_progress(
            chunks, row_count(input_path, fmt), f"pricing {input_path.name}", progress
        ):
            first = first if first is not None else time.perf_counter() - started
            writer.write(table)
            rows += table.num_rows
            failed += table.num_rows - table.column("error").null_count
    report = BatchReport(
        input=str(input_path),
        output=str(output_path),
        engine=engine,
        pricer=label,
        rows=rows,
        priced=rows - failed,
        failed=failed,
        seconds=time.perf_counter() - started,
        startup_seconds=first or 0.0,
        workers=workers if engine == "ray" else None,
    )
    log.info("priced %s", report.to_dict())
    return report


def _with_progress(
    chunks: Iterable[pa.Table], total: int | None, description: str, show: bool
) -> Iterator[pa.Table]:
    """Pass chunks through, advancing a Rich progress bar by their rows."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, disable=not show, transient=False) as bar:
        task = bar.add_task(description, total=total)
        for table in chunks:
            yield table
            bar.advance(task, table.num_rows)
