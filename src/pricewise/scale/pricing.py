"""Price one chunk of rows: the step both engines share, so their outputs are the same by construction."""

from __future__ import annotations

import logging

import numpy as np
import pyarrow as pa

from pricewise.data.item import Item
from pricewise.pricers.base import Pricer
from pricewise.scale.writers import OUTPUT_SCHEMA

log = logging.getLogger(__name__)


def price_chunk(pricer: Pricer, chunk: pa.Table, label: str) -> pa.Table:
    """Estimates for every row of ``chunk`` (:data:`~pricewise.scale.records.CHUNK_SCHEMA`).

    Rows that already carry an error are passed through; a pricer that raises on a batch is retried
    on halves of it, so one poisonous row costs only itself; a NaN estimate is reported as an error.
    """
    texts = chunk.column("text").to_pylist()
    errors = chunk.column("error").to_pylist()
    n = len(texts)
    estimate, low, high = (np.full(n, np.nan) for _ in range(3))
    todo = [i for i in range(n) if errors[i] is None]
    if todo:
        _predict_into(pricer, texts, todo, estimate, low, high, errors)
    for i in todo:
        if errors[i] is None and not np.isfinite(estimate[i]):
            errors[i] = "the pricer gave no estimate"

    def column(values: np.ndarray) -> pa.Array:
        return pa.array(values, type=pa.float64(), mask=~np.isfinite(values))

    return pa.table(
        {
            "id": chunk.column("id"),
            "estimate": column(estimate),
            "low": column(low),
            "high": column(high),
            "pricer": pa.array([label] * n, type=pa.string()),
            "error": pa.array(errors, type=pa.string()),
        },
        schema=OUTPUT_SCHEMA,
    )


def _predict_into(
    pricer: Pricer,
    texts: list[str | None],
    index: list[int],
    estimate: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    errors: list[str | None],
) -> None:
    """Predict rows ``index`` into the arrays, bisecting on failure down to single rows."""
    try:
        result = pricer.predict([Item.from_text(texts[i]) for i in index])
        if len(result) != len(index):
            raise ValueError(f"returned {len(result)} estimates for {len(index)} texts")
    except Exception as exc:  # noqa: BLE001 - a pricer failure must cost rows, never the job
        if len(index) == 1:
            errors[index[0]] = f"pricer failed: {type(exc).__name__}: {exc}"[:500]
            log.warning("row %s not priced: %s", index[0], errors[index[0]])
            return
        mid = len(index) // 2
        _predict_into(pricer, texts, index[:mid], estimate, low, high, errors)
        _predict_into(pricer, texts, index[mid:], estimate, low, high, errors)
        return
    estimate[index] = result.estimate
    if result.has_intervals:
        low[index] = result.low
        high[index] = result.high
