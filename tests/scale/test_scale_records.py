"""Which text a row is priced on, and which rows are refused (pricewise.scale.records)."""

from __future__ import annotations

import pytest

from pricewise.config import ScaleSettings
from pricewise.scale.records import ChunkBuilder, ColumnMap, RowError, row_text


@pytest.fixture
def columns() -> ColumnMap:
    return ColumnMap.from_settings(ScaleSettings(max_text_bytes=100))


def test_text_column_wins_over_title_and_description(columns):
    assert row_text({"text": "  Full text  ", "title": "T", "description": "D"}, columns) == "Full text"
    assert row_text({"summary": "Curated", "title": "T"}, columns) == "Curated"


def test_title_then_description_when_no_text(columns):
    assert row_text({"title": "Drill", "description": "18V cordless"}, columns) == "Drill\n18V cordless"
    assert row_text({"text": "", "description": "only this"}, columns) == "only this"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"price": 3}, "none of the columns"),
        ({"title": "   ", "description": ""}, "empty text"),
        ({"title": float("nan")}, "empty text"),
        ({"title": "x" * 101}, "101 bytes, over the limit of 100"),
        ({"title": "é" * 51}, "102 bytes"),
        ({"title": b"caf\xe9"}, "not valid UTF-8"),
        ({"title": "caf\udce9"}, "not valid UTF-8"),
    ],
)
def test_bad_rows_are_refused_with_a_reason(columns, fields, message):
    with pytest.raises(RowError, match=message):
        row_text(fields, columns)


def test_column_names_come_from_settings():
    columns = ColumnMap.from_settings(
        ScaleSettings(text_columns=["body"], title_column="name", id_column="sku")
    )
    assert row_text({"body": "", "name": "Lamp", "text": "ignored"}, columns) == "Lamp"
    builder = ChunkBuilder(columns)
    builder.add(0, {"sku": 17, "body": "Desk lamp"})
    assert builder.flush().to_pylist() == [{"row": 0, "id": "17", "text": "Desk lamp", "error": None}]


def test_chunk_builder_keeps_row_numbers_and_errors(columns):
    builder = ChunkBuilder(columns)
    builder.add(0, {"id": "a", "title": "Lamp"})
    builder.add(1, {"id": "", "title": ""})
    builder.add(2, None, "line is not JSON")
    rows = builder.flush().to_pylist()
    assert rows == [
        {"row": 0, "id": "a", "text": "Lamp", "error": None},
        {"row": 1, "id": "1", "text": None, "error": "empty text"},
        {"row": 2, "id": "2", "text": None, "error": "line is not JSON"},
    ]
    assert len(builder) == 0 and builder.flush().num_rows == 0
