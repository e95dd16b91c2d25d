"""Streaming writers for priced chunks, in the format family of the output's suffix.

The output is written to a temporary file beside the target and renamed only when the job
finishes, so a failed run never leaves a half-written catalog that looks complete.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import TracebackType

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
    """``with OutputWriter(path) as out: out.write(table)``; the file appears complete or not at all."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.format = file_format(self.path)
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        self._sink = None
        self.rows = 0

    def __enter__(self) -> OutputWriter:
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
        else:
            self._sink.write_table(table)
        self.rows += table.num_rows

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._sink.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)
