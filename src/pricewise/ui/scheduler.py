"""Scans on a timer in a background thread, so the page never waits for feeds or pricers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from pricewise.ui.live_log import LiveLog

log = logging.getLogger(__name__)


class ScanScheduler:
    """Runs ``scan()`` every ``interval_s`` seconds (and on ``trigger()``), one scan at a time.

    Every scan's log goes to ``live_log``; a scan that raises is logged and the timer carries on.
    """

    def __init__(
        self,
        scan: Callable[[], Any],
        interval_s: float,
        live_log: LiveLog,
        run_first: bool = True,
        describe: Callable[[Any], str] = str,
    ) -> None:
        self._scan = scan
        self._describe = describe
        self.interval_s = interval_s
        self.live_log = live_log
        self._run_first = run_first
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._busy = threading.Lock()
        self._thread: threading.Thread | None = None
        self.scans_done = 0
        self.last_report: Any = None
        self.last_error: str | None = None

    def start(self) -> ScanScheduler:
        if self._thread is None:
            if self._run_first:
                self._wake.set()
            self._thread = threading.Thread(target=self._loop, name="pricewise-scan-timer", daemon=True)
            self._thread.start()
        return self

    def trigger(self) -> None:
        """Scan as soon as the current scan (if any) ends."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._busy.locked()

    def run_once(self) -> Any:
        """One scan now, in the calling thread, with its log captured."""
        with self._busy, self.live_log.capture():
            self.live_log.note("scan started")
            try:
                self.last_report = self._scan()
                self.last_error = None
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("scan failed")
            finally:
                self.scans_done += 1
            outcome = (
                self._describe(self.last_report) if self.last_error is None else f"failed: {self.last_error}"
            )
            first, *rest = outcome.split("\n")
            self.live_log.note(f"scan finished: {first}")
            for line in rest:
                self.live_log.note(line)
            return self.last_report

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            if self._stop.is_set():
                break
            self._wake.clear()
            self.run_once()
