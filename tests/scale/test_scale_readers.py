"""Streaming readers of CSV, JSONL and Parquet catalogs (pricewise.scale.readers)."""

from __future__ import annotations

import json
import os
import tracemalloc

import pandas as pd
import pytest
from scale_helpers import write_catalog

from pricewise.config import ScaleSettings
from pricewise.errors import DataError
from pricewise.scale.readers import file_format, iter_chunks, row_count
from pricewise.scale.records import ColumnMap

COLUMNS = ColumnMap.from_settings(ScaleSettings())


def rows_of(path, chunk_rows=4, columns=COLUMNS):
    chunks = list(iter_chunks(path, columns, chunk_rows))
    assert all(c.num_rows <= chunk_rows for c in chunks)
    return [row for chunk in chunks for row in chunk.to_pylist()]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_every_format_reads_the_same_rows_in_order(tmp_path, suffix):
    frame = pd.DataFrame(
        {
            "id": [f"p{i}" for i in range(10)],
            "title": [f"Item {i}" for i in range(10)],
            "description": ["", "desc"] * 5,
        }
    )
    rows = rows_of(write_catalog(frame, tmp_path / f"cat{suffix}"))
    assert [r["row"] for r in rows] == list(range(10))
    assert [r["id"] for r in rows] == list(frame["id"])
    assert rows[0]["text"] == "Item 0" and rows[1]["text"] == "Item 1\ndesc"
    assert all(r["error"] is None for r in rows)


def test_row_number_is_the_id_when_there_is_no_id_column(tmp_path):
    frame = pd.DataFrame({"title": ["a", "b", "c"]})
    assert [r["id"] for r in rows_of(write_catalog(frame, tmp_path / "c.parquet"))] == ["0", "1", "2"]


def test_jsonl_bad_lines_become_error_rows(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(
        b'{"id": "ok", "title": "Lamp"}\n'
        b'{"id": "bytes", "title": "caf\xe9"}\n'
        b"\n"
        b"{not json\n"
        b"[1, 2]\n"
        b'{"id": "nocol", "price": 3}\n'
        b'{"id": "last", "text": "Chair"}\n'
    )
    rows = rows_of(path)
    assert [r["id"] for r in rows] == ["ok", "1", "2", "3", "nocol", "last"]
    errors = [r["error"] for r in rows]
    assert errors[0] is None and errors[5] is None
    assert "not valid UTF-8" in errors[1] and "not JSON" in errors[2] and "JSON list" in errors[3]
    assert "none of the columns" in errors[4]


def test_csv_bad_bytes_short_rows_and_huge_fields_cost_only_their_row(tmp_path):
    path = tmp_path / "c.csv"
    huge = "x" * (10 * 1024 * 1024)
    path.write_bytes(
        b"id,title,description\n"
        b"a,Lamp,warm light\n"
        b"b,caf\xe9 table,\n"
        b"c\n" + f"d,{huge},\n".encode() + b'e,"Quoted, with comma\nand newline",x\n'
    )
    rows = rows_of(path, columns=ColumnMap.from_settings(ScaleSettings(max_text_bytes=1_000_000)))
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "e"]
    assert rows[0]["text"] == "Lamp\nwarm light" and rows[0]["error"] is None
    assert "not valid UTF-8" in rows[1]["error"]
    assert "none of the columns" in rows[2]["error"]
    assert "over the limit of 1,000,000" in rows[3]["error"] and rows[3]["text"] is None
    assert rows[4]["text"] == "Quoted, with comma\nand newline\nx"


def test_parquet_binary_columns_are_checked_for_utf8(tmp_path):
    path = tmp_path / "c.parquet"
    pd.DataFrame({"title": [b"Lamp", b"caf\xe9"]}).to_parquet(path)
    rows = rows_of(path)
    assert rows[0]["text"] == "Lamp" and "not valid UTF-8" in rows[1]["error"]
    assert row_count(path, "parquet") == 2 and row_count(path, "csv") is None


def test_reading_streams_instead_of_loading_the_file(tmp_path):
    path = tmp_path / "big.jsonl"
    line = json.dumps({"title": "Cordless drill", "description": "d" * 2000}) + "\n"
    with path.open("w") as handle:
        handle.writelines(line for _ in range(20_000))  # about 40 MB
    tracemalloc.start()
    try:
        count = sum(chunk.num_rows for chunk in iter_chunks(path, COLUMNS, 200))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 8 * 1024**2, f"peak {peak / 1024**2:.1f} MiB: the reader holds more than a few chunks"


def test_unknown_formats_and_missing_files_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match="unknown catalog format '.xlsx'"):
        file_format(tmp_path / "c.xlsx")
    with pytest.raises(DataError, match="no such file"):
        list(iter_chunks(tmp_path / "missing.csv", COLUMNS, 10))
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match="not a readable Parquet file"):
        list(iter_chunks(tmp_path / "bad.parquet", COLUMNS, 10))


def test_parquet_reading_memory_does_not_grow_with_the_file(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "big.parquet"
    with pq.ParquetWriter(path, pa.schema([("title", pa.string())])) as writer:
        for _ in range(12):  # 12 row groups of about 4 MB each, incompressible like real text on disk
            writer.write_table(pa.table({"title": [os.urandom(500).hex() for _ in range(4000)]}))
    peak = 0
    count = 0
    for chunk in iter_chunks(path, COLUMNS, 500):
        count += chunk.num_rows
        peak = max(peak, pa.total_allocated_bytes())
    assert count == 48_000
    assert peak < 16 * 1024**2, f"Arrow held {peak / 1024**2:.0f} MiB: decoded row groups are being kept"
