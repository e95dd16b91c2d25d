"""Streaming readers: a catalog file in, :data:`~pricewise.scale.records.CHUNK_SCHEMA` chunks out.

Memory is bounded by the chunk size whatever the file size: Parquet is read batch by batch from its
row groups, CSV and JSONL row by row. A row that cannot be parsed becomes an error row with its row
number; only a file that cannot be opened at all stops the job.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from pricewise.errors import DataError
from pricewise.scale.records import ChunkBuilder, ColumnMap

#: File suffix -> format family. Outputs take the family of their own suffix.
FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
#: Python's csv module refuses fields over 128 KiB by default; oversized texts must reach the row check.
_CSV_FIELD_LIMIT = 2**31 - 1


def file_format(path: Path | str) -> str:
    """The format family of ``path`` from its suffix, or a clear error."""
    suffix = Path(str(path)).suffix.lower()
    if suffix not in FORMATS:
        raise DataError(
            f"{path}: unknown catalog format {suffix or '(no suffix)'!r}; use one of {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def row_count(path: Path, fmt: str) -> int | None:
    """The number of rows when the file says so cheaply (Parquet metadata), for the progress bar."""
    if fmt != "parquet":
        return None
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def iter_chunks(
    path: Path, columns: ColumnMap, chunk_rows: int, fmt: str | None = None
) -> Iterator[pa.Table]:
    """Chunks of at most ``chunk_rows`` rows, in file order, numbered from 0."""
    path = Path(path)
    fmt = fmt or file_format(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    reader = {"parquet": _parquet_rows, "csv": _csv_rows, "jsonl": _jsonl_rows}[fmt]
    builder = ChunkBuilder(columns)
    for row, fields, error in reader(path, columns, chunk_rows):
        builder.add(row, fields, error)
        if len(builder) >= chunk_rows:
            yield builder.flush()
    if len(builder):
        yield builder.flush()


def _parquet_rows(
    path: Path, columns: ColumnMap, chunk_rows: int
) -> Iterator[tuple[int, dict | None, str | None]]:
    import pyarrow.parquet as pq

    try:
        # pre_buffer keeps every (compressed) column chunk read so far: memory would grow with the file.
        parquet = pq.ParquetFile(path, pre_buffer=False)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from exc
    names = parquet.schema_arrow.names
    wanted = [c for c in dict.fromkeys(columns.columns) if c in names] or names[:1]
    row = 0
    for batch in parquet.iter_batches(batch_size=chunk_rows, columns=wanted):
        data = batch.to_pydict()
        for i in range(batch.num_rows):
            yield row, {c: data[c][i] for c in wanted if c in columns.columns}, None
            row += 1


def _csv_rows(
    path: Path, columns: ColumnMap, chunk_rows: int
) -> Iterator[tuple[int, dict | None, str | None]]:
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    # surrogateescape keeps undecodable bytes, so the row check can flag the row instead of the file failing.
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        row = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield row, None, f"unparseable CSV row near line {reader.line_num}: {exc}"
            else:
                yield row, fields, None
            row += 1


def _jsonl_rows(
    path: Path, columns: ColumnMap, chunk_rows: int
) -> Iterator[tuple[int, dict | None, str | None]]:
    with path.open("rb") as handle:
        row = 0
        for raw in handle:
            if not raw.strip():
                continue
            try:
                fields = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield row, None, f"line is not valid UTF-8 (byte {exc.start})"
            except ValueError as exc:
                yield row, None, f"line is not JSON ({exc})"
            else:
                if isinstance(fields, dict):
                    yield row, fields, None
                else:
                    yield row, None, f"line is a JSON {type(fields).__name__}, not an object"
            row += 1
