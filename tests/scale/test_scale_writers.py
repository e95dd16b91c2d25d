"""Streaming output writers (pricewise.scale.writers)."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pricewise.scale.writers import OUTPUT_SCHEMA, OutputWriter


def chunk(start: int, rows: int) -> pa.Table:
    return pa.table(
        {
            "id": [str(i) for i in range(start, start + rows)],
            "estimate": [float(i) if i % 3 else None for i in range(start, start + rows)],
            "low": [None] * rows,
            "high": [None] * rows,
            "pricer": ["p"] * rows,
            "error": [None if i % 3 else "empty text" for i in range(start, start + rows)],
        },
        schema=OUTPUT_SCHEMA,
    )


def test_parquet_chunks_are_gathered_into_row_groups(tmp_path):
    path = tmp_path / "out.parquet"
    with OutputWriter(path, row_group_rows=250) as writer:
        for start in range(0, 1000, 100):
            writer.write(chunk(start, 100))
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_row_groups == 4
    assert parquet.read().equals(pa.concat_tables([chunk(s, 100) for s in range(0, 1000, 100)]))


def test_jsonl_writes_nulls_and_one_object_per_line(tmp_path):
    path = tmp_path / "out.jsonl"
    with OutputWriter(path) as writer:
        writer.write(chunk(0, 3))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0] == {
        "id": "0",
        "estimate": None,
        "low": None,
        "high": None,
        "pricer": "p",
        "error": "empty text",
    }
    assert lines[1]["estimate"] == 1.0 and lines[1]["error"] is None and writer.rows == 3


def test_a_failed_job_leaves_no_output_and_no_partial_file(tmp_path):
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), OutputWriter(path) as writer:
        writer.write(chunk(0, 5))
        raise RuntimeError("the job died")
    assert list(tmp_path.iterdir()) == []
