"""``deals watch``: a scan every N seconds until SIGINT/SIGTERM. Scans run one at a time (sequentially
here, and across processes through the planner's scan lock); a failing scan is logged and the watcher
waits for the next one. A signal lets the running scan finish, then stops."""

from __future__ import annotations

import logging
import re
import signal
import threading
from collections.abc import Callable
from typing import Any

from pricewise.errors import ConfigError

log = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> float:
    """``"90"``, ``"30s"``, ``"5m"``, ``"1h"`` -> seconds (at least 1)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text.lower())
    if not match:
        raise ConfigError(f"not an interval: {text!r} (use e.g. 30s, 5m, 1h)")
    seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds < 1:
        raise ConfigError(f"interval too short: {text!r}")
    return seconds


class Watcher:
    """Runs ``scan_once`` every ``every_s`` seconds until :meth:`stop` (or a signal, via :meth:`run`)."""

    def __init__(
        self, scan_once: Callable[[], Any], every_s: float, on_report: Callable[[Any], None] | None = None
    ):
        self.scan_once = scan_once
        self.every_s = every_s
        self.on_report = on_report
        self._stop = threading.Event()
        self.scans = self.failures = 0

    def stop(self, *_: object) -> None:
        log.warning("stopping after the current scan")
        self._stop.set()

    def run(self, max_scans: int | None = None) -> None:
        handlers = {}
        if threading.current_thread() is threading.main_thread():
            handlers = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not self._stop.is_set():
                try:
                    report = self.scan_once()
                    if self.on_report:
                        self.on_report(report)
                    if getattr(report, "errors", None):
                        self.failures += 1
                except Exception:
                    self.failures += 1
                    log.exception("scan failed; next one in %.0fs", self.every_s)
                self.scans += 1
                if max_scans is not None and self.scans >= max_scans:
                    break
                self._stop.wait(self.every_s)
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
