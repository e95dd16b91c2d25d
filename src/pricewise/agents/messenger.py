"""Alerts through Apprise: Pushover as in the course, or any Apprise URL (ntfy, mailto, Slack, Discord,
Telegram, json:// webhooks...). Each configured URL is one channel.

Delivery works off the alert rows in :class:`~pricewise.agents.memory.Memory`: a pending or due
failed alert is tried (with retries and backoff), then marked sent, failed (retried by a later
delivery), dead (after ``max_attempts``), capped (per-day cap reached) or debounced (same product
alerted recently at the same or a lower price). Channel names never contain the secret URL.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pricewise.agents.memory import Memory, utcnow
from pricewise.config import Settings, get_settings
from pricewise.errors import ConfigError, PricewiseError

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A channel did not accept a notification."""


def channel_name(url: str) -> str:
    """``scheme#hash``: stable across reordering of the configured URLs, and not the secret itself."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else "?"
    return f"{scheme}#{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def format_alert(opportunity: dict[str, Any]) -> tuple[str, str]:
    """Title and body of an alert: product, deal price, estimate with interval, discount, link."""
    estimate = opportunity["estimate"]
    interval = ""
    if opportunity.get("low") is not None and opportunity.get("high") is not None:
        interval = f" (likely ${opportunity['low']:,.2f} to ${opportunity['high']:,.2f})"
    title = f"Deal: {opportunity['title'][:90]}"
    body = "\n".join(
        [
            opportunity["title"],
            f"Deal price: ${opportunity['price']:,.2f}",
            f"Estimated value: ${estimate:,.2f}{interval}",
            f"Discount: ${opportunity['discount_usd']:,.2f} ({opportunity['discount_pct']:.0f}%)",
            opportunity["url"],
        ]
    )
    return title, body


def apprise_send(url: str, title: str, body: str) -> None:
    """Send through one Apprise URL; raises :class:`DeliveryError` when the service refuses."""
    import apprise

    client = apprise.Apprise()
    if not client.add(url):
        raise ConfigError(f"not a valid Apprise URL for channel {channel_name(url)}")
    if not client.notify(title=title, body=body):
        raise DeliveryError(f"{channel_name(url)} did not accept the notification")


class Messenger:
    """Delivers due alerts for one memory. ``send`` is injectable only so a bench can time it."""

    def __init__(
        self,
        memory: Memory,
        settings: Settings | None = None,
        send: Callable[[str, str, str], None] = apprise_send,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.memory = memory
        self.settings = (settings or get_settings()).notify
        self._urls = {channel_name(u.get_secret_value()): u.get_secret_value() for u in self.settings.urls}
        self._send, self._sleep, self._clock = send, sleep, clock

    @property
    def channels(self) -> list[str]:
        return list(self._urls)

    def _try(self, url: str, title: str, body: str) -> tuple[int, str | None]:
        """Up to 1 + retries tries with exponential backoff; returns (tries made, last error or None)."""
        error: str | None = None
        for attempt in range(self.settings.retries + 1):
            if attempt:
                self._sleep(self.settings.backoff_s * 2 ** (attempt - 1))
            try:
                self._send(url, title, body)
                return attempt + 1, None
            except (DeliveryError, OSError) as exc:
                error = str(exc)
                log.warning("alert delivery failed (try %d): %s", attempt + 1, error)
        return self.settings.retries + 1, error

    def _held_back(self, alert: dict[str, Any], opportunity: dict[str, Any], now: datetime) -> str | None:
        """'debounced' or 'capped' when an automatic alert must not go out; None when it may."""
        if alert["kind"] != "auto":
            return None
        since = now - timedelta(hours=self.settings.debounce_hours)
        if self.memory.alerted_product_since(
            opportunity["product_key"], opportunity["price"], since, opportunity["id"]
        ):
            return "debounced"
        already = any(a["status"] == "sent" for a in self.memory.alerts(opportunity_id=opportunity["id"]))
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if not already and self.memory.sent_since(midnight) >= self.settings.max_per_day:
            return "capped"
        return None

    def deliver_due(self, alert_ids: set[int] | None = None) -> Counter:
        """Deliver every due alert (or just ``alert_ids``); returns counts by final status."""
        counts: Counter = Counter()
        for alert in self.memory.due_alerts(self.settings.max_attempts, now=self._clock()):
            if alert_ids is not None and alert["id"] not in alert_ids:
                continue
            now = self._clock()
            opportunity = self.memory.opportunity(alert["opportunity_id"])
            if opportunity is None:
                continue
            held = self._held_back(alert, opportunity, now)
            url = self._urls.get(alert["channel"])
            if held or url is None:
                status = held or "failed"
                error = None if held else "channel no longer configured"
                self.memory.finish_alert(
                    alert["id"],
                    status,
                    alert["attempts"],
                    error,
                    now + timedelta(seconds=self.settings.retry_after_s) if not held else None,
                    now,
                )
                counts[status] += 1
                continue
            title, body = format_alert(opportunity)
            tries, error = self._try(url, title, body)
            attempts = alert["attempts"] + tries
            now = self._clock()
            if error is None:
                status, retry_at = "sent", None
            elif attempts >= self.settings.max_attempts:
                status, retry_at = "dead", None
            else:
                status, retry_at = "failed", now + timedelta(seconds=self.settings.retry_after_s)
            self.memory.finish_alert(alert["id"], status, attempts, error, retry_at, now)
            counts[status] += 1
        return counts

    def resend(self, opportunity_id: str) -> Counter:
        """Send an opportunity's alert again on every channel now, whatever the cap and debounce say."""
        if self.memory.opportunity(opportunity_id) is None:
            raise PricewiseError(f"no opportunity {opportunity_id!r}: see `pricewise deals list`")
        if not self._urls:
            raise ConfigError("no notification channel configured: set PRICEWISE_NOTIFY__URLS (Apprise URLs)")
        ids = {self.memory.add_resend(opportunity_id, channel, now=self._clock()) for channel in self._urls}
        return self.deliver_due(ids)


def resend(opportunity_id: str, settings: Settings | None = None) -> Counter:
    """Re-send one opportunity's alert (the CLI's ``deals alert ID`` and the web page's click)."""
    from pricewise.agents.planner import open_memory

    settings = settings or get_settings()
    with open_memory(settings) as memory:
        return Messenger(memory, settings).resend(opportunity_id)
