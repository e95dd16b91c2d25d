"""Streaming writers for priced chunks, in the format family of the output's suffix.

The output is written to a temporary file beside the target and renamed only when the job
finishes, so a failed run never leaves a half-written catalog that looks complete.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import TracebackType
from typing import Self

import pyarrow as pa

from pricewise.scale.readers import file_format

#: Every output has these columns, in this order.
OUTPUT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("estimate", pa.float64()),
        ("low", pa.float64()),
        ("high", pa.float64()),
        ("pricer", pa.string()),
        ("error", pa.string()),
    ]
)


class OutputWriter:
    """``with OutputWriter(path) as out: out.write(table)``; the file appears complete or not at all.

    Parquet output is gathered into row groups of ``row_group_rows`` rows whatever the chunk size, so
    readers of the output get efficient row groups and both engines write the same bytes.
    """

    def __init__(self, path: Path | str, row_group_rows: int = 65_536) -> None:
        self.path = Path(path)
        self.format = file_format(self.path)
        self.row_group_rows = row_group_rows
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        self._sink = None
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self.rows = 0

    def __enter__(self) -> Self:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.format == "parquet":
            import pyarrow.parquet as pq

            self._sink = pq.ParquetWriter(self._tmp, OUTPUT_SCHEMA)
        elif self.format == "csv":
            import pyarrow.csv as pacsv

            self._sink = pacsv.CSVWriter(self._tmp, OUTPUT_SCHEMA)
        else:
            self._sink = self._tmp.open("w", encoding="utf-8")
        return self

    def write(self, table: pa.Table) -> None:
        table = table.select(OUTPUT_SCHEMA.names).cast(OUTPUT_SCHEMA)
        if self.format == "jsonl":
            for row in table.to_pylist():
                self._sink.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif self.format == "parquet":
            self._pending.append(table)
            self._pending_rows += table.num_rows
            if self._pending_rows >= self.row_group_rows:
                self._flush_row_groups(keep_remainder=True)
        else:
            self._sink.write_table(table)
        self.rows += table.num_rows

    def _flush_row_groups(self, keep_remainder: bool = False) -> None:
        """Write the pending rows as whole row groups; the tail waits for more rows unless this is the end."""
        pending = pa.concat_tables(self._pending) if self._pending else None
        if pending is None:
            return
        full = (
            pending.num_rows - pending.num_rows % self.row_group_rows if keep_remainder else pending.num_rows
        )
        if full:
            self._sink.write_table(pending.slice(0, full), row_group_size=self.row_group_rows)
        rest = pending.slice(full)
        self._pending, self._pending_rows = ([rest] if rest.num_rows else []), rest.num_rows

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None and self.format == "parquet":
            self._flush_row_groups()
        self._sink.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)
