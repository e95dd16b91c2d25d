"""``pricewise data import``: a user's own catalog (CSV, JSONL or Parquet, any column names, any
currency in the rate table) as a pricewise Parquet data set in US dollars.

Each row's text is the scrubbed title and description cut to the token budget, like the curated
Amazon summaries, so pricers see the same kind of text they were trained on. Bad rows (no price,
no title or text, non-UTF-8 bytes, huge fields, prices out of range after conversion) are counted.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

from pricewise.config import DataSettings, Settings, get_settings
from pricewise.data.build import BuildReport
from pricewise.data.dataset import built_dir, write_items, write_manifest
from pricewise.data.item import Item
from pricewise.data.prices import parse_price
from pricewise.data.progress import progress_bar
from pricewise.data.scrub import scrub
from pricewise.data.skips import Reason, Skip, SkipCounts
from pricewise.data.tokens import TextTokenizer, load_tokenizer
from pricewise.errors import ConfigError, DataError

log = logging.getLogger(__name__)

FIELDS = ("title", "description", "price", "category", "id", "details")
REQUIRED = ("title", "price")
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_SURROGATE = re.compile("[\udc80-\udcff]")


def parse_mapping(spec: str) -> dict[str, str]:
    """``"title=name,price=retail_price"`` -> ``{"title": "name", "price": "retail_price"}``."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        field, sep, column = part.partition("=")
        field, column = field.strip().lower(), column.strip()
        if not sep or not column:
            raise DataError(f"bad mapping {part!r}: write FIELD=COLUMN, e.g. title=product_name")
        if field not in FIELDS:
            raise DataError(f"unknown field {field!r} in the mapping; fields are {', '.join(FIELDS)}")
        mapping[field] = column
    return mapping


def resolve_columns(mapping: dict[str, str], columns: list[str], where: str) -> dict[str, str]:
    """Map each field to a real column: the exact name, else the same name in another case, else the
    only column ending in ``_<name>`` (``name`` finds ``product_name``). Unmapped fields keep their
    own name when the file has such a column. Title and price are required."""
    resolved: dict[str, str] = {}
    for field in FIELDS:
        wanted = mapping.get(field, field)
        by_case = [c for c in columns if c.lower() == wanted.lower()]
        by_suffix = [c for c in columns if c.lower().endswith("_" + wanted.lower())]
        found = (
            wanted
            if wanted in columns
            else by_case[0]
            if by_case
            else by_suffix[0]
            if len(by_suffix) == 1
            else None
        )
        if found is None:
            if field in mapping:
                raise DataError(
                    f"{where}: no column {wanted!r} for {field}; columns are {', '.join(columns)}"
                )
            continue
        if found != wanted:
            log.info("column %r used for %s (asked for %r)", found, field, wanted)
        resolved[field] = found
    missing = [f for f in REQUIRED if f not in resolved]
    if missing:
        raise DataError(
            f"{where}: missing field(s) {', '.join(missing)}; map them with --map, e.g. "
            f"--map title=COLUMN,price=COLUMN (columns are {', '.join(columns)})"
        )
    return resolved


def _rows(path: Path, fmt: str) -> Iterator[dict[str, Any] | Skip]:
    """The file's rows as dicts; an unreadable row comes as a ``Skip`` in its place."""
    if fmt == "csv":
        csv.field_size_limit(sys.maxsize)  # huge fields are read, then skipped as too large
        with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
            yield from csv.DictReader(handle)
    elif fmt == "jsonl":
        with path.open("rb") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    row = json.loads(line.decode("utf-8"))
                except UnicodeDecodeError:
                    yield Skip(Reason.NOT_UTF8)
                    continue
                except ValueError:
                    yield Skip(Reason.MALFORMED_JSON)
                    continue
                yield row if isinstance(row, dict) else Skip(Reason.MALFORMED_JSON)
    else:
        import pandas as pd

        yield from pd.read_parquet(path).to_dict("records")


def _columns(path: Path, fmt: str) -> list[str]:
    """The file's column names, read without loading it."""
    if fmt == "csv":
        with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
            return next(csv.reader(handle), [])
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    names: dict[str, None] = {}
    for row in islice(_rows(path, fmt), 100):
        if isinstance(row, dict):
            names.update(dict.fromkeys(row))
    return list(names)


def category_label(value: Any) -> str:
    """The top level of a category path: ``'["Home >> Kitchen >> Cups"]'`` or ``['Home', ...]`` -> Home."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return re.split(r"\s*>>?\s*", text.strip(), maxsplit=1)[0].strip()


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    return str(value).strip()


def catalog_item(
    row: dict[str, Any], columns: dict[str, str], rate: float, rules: DataSettings, tokenizer: TextTokenizer
) -> Item:
    """One catalog row as an Item priced in US dollars, or ``Skip``."""
    values = {field: row.get(column) for field, column in columns.items()}
    texts = {field: _text(value) for field, value in values.items() if field != "price"}
    if any(_SURROGATE.search(text) for text in texts.values()):
        raise Skip(Reason.NOT_UTF8)
    if sum(len(text) for text in texts.values()) > rules.max_text_bytes:
        raise Skip(Reason.TOO_LARGE)
    price = parse_price(values.get("price")) * rate
    if not rules.min_price <= price <= rules.max_price:
        raise Skip(Reason.PRICE_OUT_OF_RANGE, f"{price:.2f} USD")
    title = texts.get("title", "")
    if not title:
        raise Skip(Reason.MISSING_TITLE)
    description = texts.get("description", "")
    if not description:
        raise Skip(Reason.MISSING_TEXT)
    cut = rules.max_tokens * rules.chars_per_token_ceiling
    min_chars = rules.part_number_min_chars
    text = f"{scrub(title, min_chars)}\n{scrub(description[:cut], min_chars)}"
    ids = tokenizer.encode(text)
    return Item(
        title=title,
        summary=tokenizer.decode(ids[: rules.max_tokens]) if len(ids) > rules.max_tokens else text,
        price=round(price, 2),
        category=category_label(values.get("category")),
        details=texts.get("details", ""),
        id=texts.get("id", ""),
    )


def import_catalog(
    path: Path,
    mapping: dict[str, str] | None = None,
    currency: str = "USD",
    settings: Settings | None = None,
    out: Path | None = None,
) -> BuildReport:
    """Import a catalog file into ``out`` (default ``<artifacts>/data/imported/<name>.parquet``), with
    a manifest beside it (``<name>.manifest.json``)."""
    settings = settings or get_settings()
    started = time.perf_counter()
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} not found")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(f"{path}: unknown format {path.suffix!r}; use one of {', '.join(FORMATS)}")
    rates = {"USD": 1.0, **{k.upper(): v for k, v in settings.data.currency_rates.items()}}
    if currency.upper() not in rates:
        raise ConfigError(
            f"no exchange rate for {currency!r}; known: {', '.join(sorted(rates))} "
            "(add one with PRICEWISE_DATA__CURRENCY_RATES or pricewise.toml)"
        )
    columns = resolve_columns(mapping or {}, _columns(path, fmt), str(path))
    tokenizer = load_tokenizer(settings.data.tokenizer)
    items: list[Item] = []
    skipped = SkipCounts()
    seen = 0
    with progress_bar() as progress:
        task = progress.add_task(f"importing {path.name}", total=None)
        for seen, row in enumerate(_rows(path, fmt), 1):
            progress.advance(task)
            try:
                if isinstance(row, Skip):
                    raise row
                item = catalog_item(row, columns, rates[currency.upper()], settings.data, tokenizer)
            except Skip as skip:
                skipped.add(skip.reason)
                continue
            items.append(replace(item, id=item.id or f"{path.stem}-{seen}", source=path.stem))
    out = Path(out) if out else built_dir(settings) / "imported" / f"{path.stem}.parquet"
    write_items(items, out)
    manifest_path = out.with_suffix(".manifest.json")
    manifest = write_manifest(
        manifest_path,
        "import",
        {"items": items},
        skipped.as_dict(),
        [str(path)],
        seen,
        settings,
        columns=columns,
        currency=currency.upper(),
        usd_per_unit=rates[currency.upper()],
    )
    return BuildReport(out.parent, {"items": out}, manifest_path, manifest, time.perf_counter() - started)
