"""What the deal hunter remembers, in one SQLite file (WAL): every deal seen and priced, every
opportunity, every alert (channel, status, attempts), each product's price history, feed validators.

Each scan's results are written in ONE transaction, so a process killed mid-scan leaves either all of
that scan or none of it; deals that were not committed are simply scanned again. Alerts are rows whose
status moves pending -> sent / failed (-> retried) / capped / dead, and a unique index allows one
automatic alert per opportunity and channel: nothing is sent twice, nothing is lost.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

from pricewise.agents.fetch import Validators

SCHEMA = """
CREATE TABLE IF NOT EXISTS deals (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, price REAL NOT NULL,
    retailer TEXT, feed TEXT, product_key TEXT NOT NULL, estimate REAL, low REAL, high REAL, found_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS opportunities (
    id TEXT PRIMARY KEY REFERENCES deals(id) ON DELETE CASCADE,
    discount_usd REAL NOT NULL, discount_pct REAL NOT NULL, found_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    channel TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, sent_at TEXT, next_attempt_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_once ON alerts(opportunity_id, channel) WHERE kind = 'auto';
CREATE TABLE IF NOT EXISTS price_history (
    product_key TEXT NOT NULL, deal_id TEXT NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    price REAL NOT NULL, seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS price_history_key ON price_history(product_key);
CREATE TABLE IF NOT EXISTS feed_state (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, last_status TEXT, last_fetched TEXT
);
CREATE TABLE IF NOT EXISTS scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, report TEXT NOT NULL
);
"""

_PRICE_PHRASE = re.compile(r"\s(?:for|from)?\s*\$.*$|\s[-:]\s.*$", re.IGNORECASE)


def product_key(title: str) -> str:
    """A product's name without its deal phrasing, for price history and debouncing."""
    name = _PRICE_PHRASE.sub("", title)
    return " ".join(re.findall(r"[a-z0-9]+", name.lower()))[:200]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class PricedDeal:
    """A new deal with its estimate (NaN-free: unpriceable deals carry None) and, if chosen, its discount."""

    id: str
    url: str
    title: str
    description: str
    price: float
    retailer: str
    feed: str
    estimate: float | None
    low: float | None
    high: float | None
    is_opportunity: bool = False

    @property
    def discount_usd(self) -> float | None:
        return None if self.estimate is None else self.estimate - self.price

    @property
    def discount_pct(self) -> float | None:
        return (
            None
            if self.estimate is None or self.estimate <= 0
            else 100.0 * (self.estimate - self.price) / self.estimate
        )

    def summary(self) -> dict[str, Any]:
        """The deal as a scan report lists it."""
        return {
            "id": self.id,
            "title": self.title,
            "price": self.price,
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "discount_usd": self.discount_usd,
            "discount_pct": self.discount_pct,
            "url": self.url,
        }


class Memory:
    """The deal hunter's SQLite store. Safe to open from several processes (WAL, busy timeout)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing writes; ``BEGIN IMMEDIATE`` so two writers queue instead of deadlocking."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self._db.execute(sql, params)]

    # deals and opportunities ---------------------------------------------------------------

    def seen(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._db.execute(f"SELECT id FROM deals WHERE id IN ({marks})", chunk))
        return found

    def record_scan(
        self,
        deals: Sequence[PricedDeal],
        channels: Sequence[str],
        report: str,
        started: datetime,
        feeds: Sequence[tuple[str, Validators, str]] = (),
        now: datetime | None = None,
    ) -> None:
        """Deals, price history, opportunities and their pending alerts, feed validators and the scan report,
        in one transaction: a feed's ETag is only remembered together with the deals read from it."""
        now_s = _iso(now or utcnow())
        with self.transaction() as db:
            for url, validators, status in feeds:
                self._save_feed_state(db, url, validators, status, now_s)
            for deal in deals:
                key = product_key(deal.title)
                db.execute(
                    "INSERT OR IGNORE INTO deals VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        deal.id,
                        deal.url,
                        deal.title,
                        deal.description,
                        deal.price,
                        deal.retailer,
                        deal.feed,
                        key,
                        deal.estimate,
                        deal.low,
                        deal.high,
                        now_s,
                    ),
                )
                db.execute("INSERT INTO price_history VALUES (?,?,?,?)", (key, deal.id, deal.price, now_s))
                if deal.is_opportunity:
                    db.execute(
                        "INSERT OR IGNORE INTO opportunities VALUES (?,?,?,?)",
                        (deal.id, deal.discount_usd, deal.discount_pct, now_s),
                    )
                    for channel in channels:
                        db.execute(
                            "INSERT OR IGNORE INTO alerts (opportunity_id, channel, kind, status, created_at, updated_at,"
                            " next_attempt_at) VALUES (?,?,'auto','pending',?,?,?)",
                            (deal.id, channel, now_s, now_s, now_s),
                        )
            db.execute(
                "INSERT INTO scans (started_at, finished_at, report) VALUES (?,?,?)",
                (_iso(started), now_s, report),
            )

    _OPPORTUNITY_SQL = (
        "SELECT d.id, d.title, d.url, d.price, d.estimate, d.low, d.high, o.discount_usd, o.discount_pct, o.found_at,"
        " d.description, d.retailer, d.feed, d.product_key FROM opportunities o JOIN deals d ON d.id = o.id"
    )

    def deals(self, limit: int = 100) -> list[dict[str, Any]]:
        """Newest deals first: id, title, url, price, estimate, low, high, discount_usd, discount_pct, found_at."""
        return self._rows(
            "SELECT id, title, url, price, estimate, low, high, estimate - price AS discount_usd,"
            " CASE WHEN estimate > 0 THEN 100.0 * (estimate - price) / estimate END AS discount_pct, found_at,"
            " description, retailer, feed FROM deals ORDER BY found_at DESC, rowid DESC LIMIT ?",
            (limit,),
        )

    def opportunities(self, limit: int = 100) -> list[dict[str, Any]]:
        """Newest opportunities first, with the same keys as :meth:`deals`."""
        return self._rows(self._OPPORTUNITY_SQL + " ORDER BY o.found_at DESC, o.rowid DESC LIMIT ?", (limit,))

    def opportunity(self, opportunity_id: str) -> dict[str, Any] | None:
        rows = self._rows(self._OPPORTUNITY_SQL + " WHERE o.id = ?", (opportunity_id,))
        return rows[0] if rows else None

    def price_history(self, key: str) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT deal_id, price, seen_at FROM price_history WHERE product_key = ? ORDER BY seen_at", (key,)
        )

    # alerts --------------------------------------------------------------------------------

    def alerts(self, limit: int = 100, opportunity_id: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE opportunity_id = ?", [opportunity_id]) if opportunity_id else ("", [])
        return self._rows(f"SELECT * FROM alerts {where} ORDER BY id DESC LIMIT ?", (*params, limit))

    def due_alerts(self, max_attempts: int, now: datetime | None = None) -> list[dict[str, Any]]:
        """Pending alerts and failed ones whose retry time has come, oldest first."""
        return self._rows(
            "SELECT * FROM alerts WHERE status IN ('pending', 'failed') AND attempts < ?"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id",
            (max_attempts, _iso(now or utcnow())),
        )

    def add_resend(self, opportunity_id: str, channel: str, now: datetime | None = None) -> int:
        now_s = _iso(now or utcnow())
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO alerts (opportunity_id, channel, kind, status, created_at, updated_at, next_attempt_at)"
                " VALUES (?,?,'resend','pending',?,?,?)",
                (opportunity_id, channel, now_s, now_s, now_s),
            )
            return int(cursor.lastrowid)

    def finish_alert(
        self,
        alert_id: int,
        status: str,
        attempts: int,
        error: str | None = None,
        retry_at: datetime | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record one delivery outcome for an alert (attempts counts every try made so far)."""
        now_s = _iso(now or utcnow())
        with self.transaction() as db:
            db.execute(
                "UPDATE alerts SET status = ?, attempts = ?, last_error = ?, updated_at = ?,"
                " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, next_attempt_at = ? WHERE id = ?",
                (
                    status,
                    attempts,
                    error,
                    now_s,
                    status,
                    now_s,
                    _iso(retry_at) if retry_at else None,
                    alert_id,
                ),
            )

    def sent_since(self, since: datetime) -> int:
        """Opportunities alerted automatically (on any channel) since ``since``: what the per-day cap counts."""
        row = self._db.execute(
            "SELECT COUNT(DISTINCT opportunity_id) FROM alerts WHERE kind = 'auto' AND status = 'sent' AND sent_at >= ?",
            (_iso(since),),
        ).fetchone()
        return int(row[0])

    def alerted_product_since(self, key: str, price: float, since: datetime, exclude_id: str) -> bool:
        """Whether the same product was alerted since ``since`` at this price or lower (the debounce rule)."""
        row = self._db.execute(
            "SELECT 1 FROM alerts a JOIN deals d ON d.id = a.opportunity_id WHERE d.product_key = ? AND d.id != ?"
            " AND a.status = 'sent' AND a.sent_at >= ? AND d.price <= ? LIMIT 1",
            (key, exclude_id, _iso(since), price),
        ).fetchone()
        return row is not None

    # feeds, scans, retention ---------------------------------------------------------------

    def feed_validators(self, url: str) -> Validators:
        row = self._db.execute("SELECT etag, last_modified FROM feed_state WHERE url = ?", (url,)).fetchone()
        return Validators(row["etag"], row["last_modified"]) if row else Validators()

    @staticmethod
    def _save_feed_state(
        db: sqlite3.Connection, url: str, validators: Validators, status: str, now_s: str
    ) -> None:
        if validators.etag is None and validators.last_modified is None:
            db.execute(
                "INSERT INTO feed_state (url, last_status, last_fetched) VALUES (?,?,?) ON CONFLICT(url) DO UPDATE"
                " SET last_status = excluded.last_status, last_fetched = excluded.last_fetched",
                (url, status, now_s),
            )
            return
        db.execute(
            "INSERT INTO feed_state VALUES (?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
            " last_modified = excluded.last_modified, last_status = excluded.last_status,"
            " last_fetched = excluded.last_fetched",
            (url, validators.etag, validators.last_modified, status, now_s),
        )

    def scans(self, limit: int = 20) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM scans ORDER BY id DESC LIMIT ?", (limit,))

    def prune(self, retention_days: int, now: datetime | None = None) -> int:
        """Delete deals (and their opportunities, alerts, history) older than the retention; returns how many."""
        cutoff = _iso((now or utcnow()) - timedelta(days=retention_days))
        with self.transaction() as db:
            deleted = db.execute("DELETE FROM deals WHERE found_at < ?", (cutoff,)).rowcount
            db.execute("DELETE FROM scans WHERE finished_at < ?", (cutoff,))
        return int(deleted)
