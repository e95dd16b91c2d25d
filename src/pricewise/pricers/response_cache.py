"""A persistent cache of chat responses, so a re-run of an evaluation costs nothing and gives the
same numbers. Keyed by a hash of everything that shapes the answer (model, messages, decoding
parameters); one SQLite file, safe to share between threads and processes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    content TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    served_model TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL DEFAULT (datetime('now'))
)
"""


@dataclass(frozen=True)
class CachedResponse:
    content: str
    prompt_tokens: int
    completion_tokens: int
    #: The model the server says answered (may differ from the requested name, e.g. behind a proxy).
    served_model: str = ""


def request_key(request: dict[str, Any]) -> str:
    """A stable hash of a chat request body (key order does not matter)."""
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """SQLite-backed ``key -> response``. One connection per thread, WAL so readers never block."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connection() as conn:
            conn.execute(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def get(self, key: str) -> CachedResponse | None:
        row = (
            self._connection()
            .execute(
                "SELECT content, prompt_tokens, completion_tokens, served_model FROM responses WHERE key = ?",
                (key,),
            )
            .fetchone()
        )
        return CachedResponse(*row) if row else None

    def put(self, key: str, model: str, response: CachedResponse) -> None:
        with self._connection() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO responses "
                "(key, model, content, prompt_tokens, completion_tokens, served_model) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    model,
                    response.content,
                    response.prompt_tokens,
                    response.completion_tokens,
                    response.served_model,
                ),
            )

    def __len__(self) -> int:
        return self._connection().execute("SELECT COUNT(*) FROM responses").fetchone()[0]
