"""Serve a folder of feed files over HTTP on 127.0.0.1, so an offline demo or benchmark scans through
the real HTTP path (fetcher, SSRF guard with private addresses allowed, conditional GET)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pricewise.errors import DataError


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """A base URL (``http://127.0.0.1:PORT/``) serving ``directory`` until the block ends."""
    if not directory.is_dir():
        raise DataError(f"not a directory of feed files: {directory}")
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def feed_files(directory: Path) -> list[Path]:
    """Every ``.xml``/``.rss``/``.atom`` file under ``directory``, sorted, as paths relative to it."""
    return sorted(
        p.relative_to(directory)
        for p in directory.rglob("*")
        if p.suffix.lower() in {".xml", ".rss", ".atom"}
    )
