"""The course's curation of one raw Amazon-Reviews-2023 row into an Item, and the parallel run of it
over chunks of rows with a progress bar.

Per row, in the course's order: price in range; description + features + scrubbed details joined;
more than ``min_chars`` characters; cut at ``max_tokens * chars_per_token_ceiling`` characters;
title and text scrubbed; more than ``min_tokens`` tokens; truncated to ``max_tokens`` tokens.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import chain
from multiprocessing import get_context
from typing import Any

from pricewise.config import DataSettings
from pricewise.data.item import Item
from pricewise.data.prices import checked_price
from pricewise.data.scrub import scrub, scrub_details
from pricewise.data.skips import Reason, Skip, SkipCounts
from pricewise.data.tokens import TextTokenizer, load_tokenizer

Record = bytes | dict[str, Any]


@dataclass
class Chunk:
    """Rows of one source. ``start`` numbers them so rows without an ASIN still get a stable id;
    ``position`` is how far into the source this chunk ends (bytes), for progress bars."""

    records: list[Record]
    source: str
    category: str | None
    start: int = 0
    position: int = 0


@dataclass
class Curated:
    """What curating some rows gave: the kept items and the skipped rows counted by reason."""

    items: list[Item] = field(default_factory=list)
    skipped: SkipCounts = field(default_factory=SkipCounts)

    def merge(self, other: Curated) -> None:
        self.items.extend(other.items)
        self.skipped.update(other.skipped)


def _text_lines(value: Any) -> str:
    """A raw list-of-strings field (description, features) as lines; odd values count as empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(v for v in value if isinstance(v, str))
    return ""


def _details_json(value: Any) -> str:
    """Details as the JSON text the course scrubbed (the hub gives a string, local files a dict);
    empty details are no text at all."""
    if isinstance(value, str):
        return "" if value.strip() in {"", "{}"} else value
    if isinstance(value, dict) and value:
        return json.dumps(value, ensure_ascii=False)
    return ""


def parse_record(record: Record, rules: DataSettings) -> dict[str, Any]:
    """A raw line as a row dict; oversized, non-UTF-8 and malformed lines raise ``Skip``."""
    if isinstance(record, dict):
        return record
    if len(record) > rules.max_text_bytes:
        raise Skip(Reason.TOO_LARGE, f"{len(record)} bytes")
    try:
        text = record.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Skip(Reason.NOT_UTF8) from exc
    try:
        row = json.loads(text)
    except ValueError as exc:
        raise Skip(Reason.MALFORMED_JSON) from exc
    if not isinstance(row, dict):
        raise Skip(Reason.MALFORMED_JSON, "not an object")
    return row


def curate_row(
    row: dict[str, Any], rules: DataSettings, tokenizer: TextTokenizer, category: str = ""
) -> Item:
    """One raw 2023 row as a curated Item, or ``Skip`` with the reason it is left out."""
    price = checked_price(row.get("price"), rules)
    title = row.get("title")
    if not isinstance(title, str) or not title.strip():
        raise Skip(Reason.MISSING_TITLE)
    details = _details_json(row.get("details"))
    contents = _text_lines(row.get("description"))
    if contents:
        contents += "\n"
    features = _text_lines(row.get("features"))
    if features:
        contents += features + "\n"
    if details:
        contents += scrub_details(details, rules.detail_removals) + "\n"
    if len(contents.encode("utf-8", "replace")) + len(title) > rules.max_text_bytes:
        raise Skip(Reason.TOO_LARGE)
    if not contents.strip():
        raise Skip(Reason.MISSING_TEXT)
    if len(contents) <= rules.min_chars:
        raise Skip(Reason.TOO_SHORT, f"{len(contents)} chars")
    contents = contents[: rules.max_tokens * rules.chars_per_token_ceiling]
    text = f"{scrub(title, rules.part_number_min_chars)}\n{scrub(contents, rules.part_number_min_chars)}"
    ids = tokenizer.encode(text)
    if len(ids) <= rules.min_tokens:
        raise Skip(Reason.TOO_FEW_TOKENS, f"{len(ids)} tokens")
    return Item(
        title=title.strip(),
        summary=tokenizer.decode(ids[: rules.max_tokens]),
        price=price,
        category=category or str(row.get("main_category") or ""),
        details=details,
        id=str(row.get("parent_asin") or row.get("asin") or ""),
    )


def curate_chunk(chunk: Chunk, rules: DataSettings) -> Curated:
    """Curate one chunk (runs in a worker process; the tokenizer loads once per process)."""
    tokenizer = load_tokenizer(rules.tokenizer)
    result = Curated()
    for offset, record in enumerate(chunk.records):
        try:
            row = parse_record(record, rules)
            item = curate_row(row, rules, tokenizer, chunk.category or "")
        except Skip as skip:
            result.skipped.add(skip.reason)
            continue
        ident = item.id or f"{chunk.source}-{chunk.start + offset}"
        result.items.append(replace(item, id=ident, source=chunk.source))
    return result


def curate_chunks(
    chunks: Iterable[Chunk], rules: DataSettings, on_chunk: Callable[[Chunk, Curated], None] | None = None
) -> Curated:
    """Curate every chunk, ``rules.workers`` processes at a time, keeping the input order.

    At most two chunks per worker are in flight, so a multi-GB file streams through in bounded memory.
    One worker (or one chunk) runs in this process: no start-up cost for small inputs.
    """
    total = Curated()
    for chunk, curated in _run(iter(chunks), rules):
        total.merge(curated)
        if on_chunk:
            on_chunk(chunk, curated)
    return total


def _run(chunks: Iterator[Chunk], rules: DataSettings) -> Iterator[tuple[Chunk, Curated]]:
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if rules.workers <= 1 or second is None:
        for chunk in chain((c for c in (first, second) if c is not None), chunks):
            yield chunk, curate_chunk(chunk, rules)
        return
    # spawn, not fork: the caller may hold threads (the progress bar) or a parallel tokenizer.
    with ProcessPoolExecutor(max_workers=rules.workers, mp_context=get_context("spawn")) as pool:
        pending: deque[tuple[Chunk, Future[Curated]]] = deque()
        for chunk in (first, second):
            pending.append((chunk, pool.submit(curate_chunk, chunk, rules)))
        for chunk in chunks:
            if len(pending) >= 2 * rules.workers:
                done_chunk, future = pending.popleft()
                yield done_chunk, future.result()
            pending.append((chunk, pool.submit(curate_chunk, chunk, rules)))
        while pending:
            done_chunk, future = pending.popleft()
            yield done_chunk, future.result()
