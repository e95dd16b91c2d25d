"""Raw Amazon-Reviews-2023 metadata (``raw_meta_<Category>``): local ``.jsonl`` / ``.jsonl.gz`` files,
or the same files fetched from the Hugging Face hub for online users.

Lines are read as bytes and handed to the curation workers undecoded, so decoding and JSON parsing
run in parallel and one bad line costs one counted skip. The schema is checked once per file, on its
first JSON object, because the 2018 dump and foreign catalogs look similar but cannot be curated.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from pricewise.config import DataSettings
from pricewise.errors import DataError

#: Fields the curation reads; the 2023 schema has all of them.
RAW_2023_FIELDS = ("title", "features", "description", "details", "price")
_CATEGORY_IN_NAME = re.compile(r"^(?:raw_)?meta_(?P<category>.+?)\.jsonl(?:\.gz)?$")


def category_from_name(path: Path) -> str | None:
    """``meta_Appliances.jsonl.gz`` / ``raw_meta_Appliances.jsonl`` -> ``Appliances``, else None."""
    match = _CATEGORY_IN_NAME.match(path.name)
    return match["category"] if match else None


def check_schema(row: dict, where: str) -> None:
    """Raise one clear DataError unless ``row`` has the 2023 fields, naming what is missing."""
    missing = [name for name in RAW_2023_FIELDS if name not in row]
    if not missing:
        return
    if "feature" in row and "features" in missing:
        raise DataError(
            f"{where} is in the 2018 Amazon metadata schema ('feature', price as \"$x.xx\"); curation needs "
            f"the Amazon-Reviews-2023 schema, missing field(s): {', '.join(missing)}. "
            "Use the 2023 raw_meta_<Category> files, or `pricewise data import` with a --map for other shapes"
        )
    raise DataError(
        f"{where} is not Amazon-Reviews-2023 metadata: missing field(s) {', '.join(missing)} "
        f"(needs {', '.join(RAW_2023_FIELDS)}). "
        "For another catalog use `pricewise data import FILE --map ...`"
    )


@contextmanager
def _open_raw(path: Path) -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """(lines, underlying file): the second one's position measures progress in bytes on disk."""
    with path.open("rb") as raw:
        if path.suffix == ".gz":
            with gzip.GzipFile(fileobj=raw) as lines:
                yield lines, raw  # type: ignore[misc]
        else:
            yield raw, raw


def read_raw_chunks(path: Path, chunk_size: int) -> Iterator[tuple[list[bytes], int]]:
    """Chunks of raw lines, each with the bytes of ``path`` consumed so far.

    The first JSON object's schema is checked before anything is yielded; blank lines are dropped.
    """
    if not path.is_file():
        raise DataError(f"{path} not found")
    checked = False
    chunk: list[bytes] = []
    try:
        with _open_raw(path) as (lines, raw):
            for line in lines:
                if not line.strip():
                    continue
                if not checked:
                    checked = _check_line(line, path)
                chunk.append(line)
                if len(chunk) >= chunk_size:
                    yield chunk, raw.tell()
                    chunk = []
            if chunk:
                yield chunk, raw.tell()
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt .gz
        raise DataError(f"{path}: cannot read ({exc}); is the file truncated or not gzip?") from exc


def _check_line(line: bytes, path: Path) -> bool:
    """Check the schema on the first line that is a JSON object; False while none was seen."""
    try:
        row = json.loads(line)
    except ValueError:
        return False
    if not isinstance(row, dict):
        return False
    check_schema(row, str(path))
    return True


def fetch_hub_file(category: str, rules: DataSettings) -> Path:
    """The ``raw_meta_<category>`` metadata file of the hub dataset, downloaded (or from the HF cache).

    Uses the repository's JSONL file rather than ``load_dataset(..., "raw_meta_X")``: that config is
    defined by a loading script, which ``datasets`` >= 4 no longer runs.
    """
    from huggingface_hub import hf_hub_download

    filename = rules.hub_file.format(category=category)
    try:
        return Path(
            hf_hub_download(
                repo_id=rules.hub_dataset, repo_type="dataset", filename=filename, endpoint=rules.hub_endpoint
            )
        )
    except Exception as exc:  # offline mode, no route, HTTP errors, unknown category: all the same advice
        offline = " (HF_HUB_OFFLINE is set)" if _hub_offline() else ""
        raise DataError(
            f"cannot get raw_meta_{category} from the Hugging Face hub{offline}: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200] if str(exc) else ''}. Offline, download "
            f"{rules.hub_dataset}/{filename} elsewhere and run `pricewise data build --raw PATH`"
        ) from exc


def _hub_offline() -> bool:
    return any(
        os.environ.get(k, "").lower() in {"1", "true", "yes", "on"}
        for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
    )
