"""One input row as the engines see it: its row number, id, the text to price, or why it cannot be priced.

Every reader turns its format's rows into this shape, so both engines validate rows the same way
and a bad row becomes an error string in the output instead of an exception that stops the job.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from pricewise.config import ScaleSettings

#: What readers hand to the pricing step, one chunk at a time.
CHUNK_SCHEMA = pa.schema(
    [("row", pa.int64()), ("id", pa.string()), ("text", pa.string()), ("error", pa.string())]
)


@dataclass(frozen=True)
class ColumnMap:
    """Which input columns hold the id and the text (see :class:`ScaleSettings`)."""

    id: str
    text: tuple[str, ...]
    title: str
    description: str
    max_text_bytes: int

    @classmethod
    def from_settings(cls, scale: ScaleSettings) -> ColumnMap:
        return cls(
            id=scale.id_column,
            text=tuple(scale.text_columns),
            title=scale.title_column,
            description=scale.description_column,
            max_text_bytes=scale.max_text_bytes,
        )

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.id, *self.text, self.title, self.description)


class RowError(ValueError):
    """Why one row cannot be priced; its message goes to the row's ``error`` column."""


def as_text(value: Any, column: str) -> str:
    """A cell as text. Bytes must be UTF-8; text read with ``surrogateescape`` must hold no stray bytes."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RowError(f"column {column!r} is not valid UTF-8 (byte {exc.start})") from None
    if isinstance(value, float) and math.isnan(value):  # NaN from a numeric column
        return ""
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RowError(f"column {column!r} is not valid UTF-8 (character {exc.start})") from None
    return text


def row_text(fields: Mapping[str, Any], columns: ColumnMap) -> str:
    """The text to price from one row's fields, or a :class:`RowError` saying what is wrong."""
    present = [c for c in columns.columns[1:] if fields.get(c) is not None]
    if not present:
        wanted = " or ".join([*columns.text, f"{columns.title}/{columns.description}"])
        raise RowError(f"no text: the row has none of the columns {wanted}")
    text = ""
    for column in columns.text:
        text = as_text(fields.get(column), column).strip()
        if text:
            break
    if not text:
        parts = [as_text(fields.get(c), c).strip() for c in (columns.title, columns.description)]
        text = "\n".join(p for p in parts if p)
    if not text:
        raise RowError("empty text")
    size = len(text.encode("utf-8"))
    if size > columns.max_text_bytes:
        raise RowError(
            f"text is {size:,} bytes, over the limit of {columns.max_text_bytes:,} (scale.max_text_bytes)"
        )
    return text


class ChunkBuilder:
    """Collects rows into a :data:`CHUNK_SCHEMA` table."""

    def __init__(self, columns: ColumnMap) -> None:
        self.columns = columns
        self._reset()

    def _reset(self) -> None:
        self._rows: list[int] = []
        self._ids: list[str] = []
        self._texts: list[str | None] = []
        self._errors: list[str | None] = []

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, row: int, fields: Mapping[str, Any] | None, error: str | None = None) -> None:
        """Add row number ``row``; ``fields`` is None when the row could not even be parsed (``error``)."""
        text = None
        row_id = str(row)
        if fields is not None:
            try:
                raw_id = as_text(fields.get(self.columns.id), self.columns.id).strip()
            except RowError:
                raw_id = ""
            row_id = raw_id or row_id
            try:
                text = row_text(fields, self.columns)
            except RowError as exc:
                error = str(exc)
        self._rows.append(row)
        self._ids.append(row_id)
        self._texts.append(text)
        self._errors.append(error)

    def flush(self) -> pa.Table:
        table = pa.table(
            {"row": self._rows, "id": self._ids, "text": self._texts, "error": self._errors},
            schema=CHUNK_SCHEMA,
        )
        self._reset()
        return table
