"""The agents' live log for the page: a bounded buffer fed by a handler that exists only during a scan.

Attaching the handler per scan (and always detaching it) means a page that runs scans for days
never accumulates handlers or duplicates lines.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


class LiveLog(logging.Handler):
    """Keeps the last ``max_lines`` formatted records; ``text()`` is what the page shows."""

    def __init__(self, max_lines: int = 200) -> None:
        super().__init__(level=logging.INFO)
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._guard = threading.Lock()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # noqa: BLE001 - a bad log call must never break a scan
            self.handleError(record)
            return
        with self._guard:
            self._lines.append(line)

    def note(self, message: str) -> None:
        """A line from the page itself (scan started, alert re-sent)."""
        self.emit(logging.LogRecord("pricewise.ui", logging.INFO, __file__, 0, message, None, None))

    def text(self) -> str:
        with self._guard:
            return "\n".join(self._lines)

    @contextmanager
    def capture(self, logger_name: str = "pricewise") -> Iterator[None]:
        """Route ``logger_name`` records here for the duration of the block, INFO and up."""
        logger = logging.getLogger(logger_name)
        previous = logger.level
        logger.addHandler(self)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
        try:
            yield
        finally:
            logger.removeHandler(self)
            logger.setLevel(previous)
