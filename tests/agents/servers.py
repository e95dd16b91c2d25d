"""Real HTTP servers on 127.0.0.1 for the deal-hunting tests and benchmarks: a feed server serving the
real snapshots and misbehaving on purpose, a push service recording what it receives (failing the first
N calls, or every k-th), and a fake OpenAI-compatible chat endpoint answering from a script."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "feeds"
C39 = "dealnews/dealnews_c39_computers_2026-09-26.xml"


class _QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up on purpose (size cap, timeout) are part of the tests, not errors."""
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _Server:
    """A ThreadingHTTPServer on an ephemeral 127.0.0.1 port, running in a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = _QuietHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def owner(self) -> Any:
        return self.server.owner  # type: ignore[attr-defined]

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = headers or {}
        headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)


class FeedServer(_Server):
    """``/snap/<path>``: a real snapshot with ETag/Last-Modified (304 on match). Misbehaving routes:
    ``/slow``, ``/500``, ``/flaky/<n>/<path>`` (500 for the first n hits), ``/404``, ``/redirect/<path>``,
    ``/redirect-loop``, ``/redirect-file``, ``/truncated``, ``/huge`` (streamed, no length), ``/huge-declared``,
    ``/wrong-encoding`` (C39 bytes served as UTF-16), ``/custom/<name>`` (bytes a test put in ``custom``)."""

    def __init__(self) -> None:
        self.hits: Counter = Counter()
        self.user_agents: list[str] = []
        self.times: list[float] = []
        self.custom: dict[str, tuple[bytes, str]] = {}
        self.slow_s = 3.0
        super().__init__(_FeedHandler)

    def snap(self, path: str) -> str:
        return f"{self.url}/snap/{path}"

    @property
    def misbehaving(self) -> list[str]:
        return [
            f"{self.url}/{p}"
            for p in (
                "slow",
                "500",
                "404",
                "redirect-loop",
                "truncated",
                "huge",
                "huge-declared",
                "wrong-encoding",
                f"redirect/{C39}",
                "redirect-file",
            )
        ]


class _FeedHandler(_Handler):
    def do_GET(self) -> None:
        server: FeedServer = self.owner
        path = self.path.split("?", 1)[0].lstrip("/")
        server.hits[path] += 1
        server.user_agents.append(self.headers.get("User-Agent", ""))
        server.times.append(time.monotonic())
        if path.startswith("snap/"):
            self._snapshot(path.removeprefix("snap/"))
        elif path.startswith("flaky/"):
            _, n, rest = path.split("/", 2)
            if server.hits[path] <= int(n):
                self.reply(500, b"boom")
            else:
                self._snapshot(rest)
        elif path == "slow":
            time.sleep(server.slow_s)
            self.reply(200, (FEEDS / C39).read_bytes(), {"Content-Type": "application/rss+xml"})
        elif path == "500":
            self.reply(500, b"internal error")
        elif path.startswith("redirect/"):
            self.reply(302, headers={"Location": f"/snap/{path.removeprefix('redirect/')}"})
        elif path == "redirect-loop":
            self.reply(302, headers={"Location": "/redirect-loop"})
        elif path == "redirect-file":
            self.reply(302, headers={"Location": "file:///etc/passwd"})
        elif path == "truncated":
            body = (FEEDS / C39).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:2000])
            self.wfile.flush()
            self.close_connection = True
        elif path == "huge":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<!-- padding -->" * 4096
            for _ in range(200):
                try:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    return
            self.wfile.write(b"0\r\n\r\n")
        elif path == "huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
            self.close_connection = True
        elif path == "wrong-encoding":
            self.reply(
                200, (FEEDS / C39).read_bytes(), {"Content-Type": "application/rss+xml; charset=utf-16"}
            )
        elif path.startswith("custom/"):
            body, content_type = server.custom[path.removeprefix("custom/")]
            self.reply(200, body, {"Content-Type": content_type})
        else:
            self.reply(404, b"not found")

    def _snapshot(self, relative: str) -> None:
        file = FEEDS / relative
        if not file.is_file():
            self.reply(404, b"no such snapshot")
            return
        body = file.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.reply(304, headers={"ETag": etag})
            return
        self.reply(
            200,
            body,
            {
                "Content-Type": "application/rss+xml",
                "ETag": etag,
                "Last-Modified": formatdate(file.stat().st_mtime, usegmt=True),
            },
        )


class PushServer(_Server):
    """A webhook target for Apprise ``json://`` URLs: records each JSON body; fails the first ``fail_first``
    calls and every ``fail_every``-th call with 500, and sleeps ``delay_s`` before answering."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.calls = 0
        self.fail_first = 0
        self.fail_every = 0
        self.delay_s = 0.0
        self.lock = threading.Lock()
        super().__init__(_PushHandler)

    @property
    def apprise_url(self) -> str:
        return self.url.replace("http://", "json://") + "/notify"

    def messages(self) -> list[str]:
        return [r["message"] for r in self.received]


class _PushHandler(_Handler):
    def do_POST(self) -> None:
        server: PushServer = self.owner
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with server.lock:
            server.calls += 1
            failing = server.calls <= server.fail_first or (
                server.fail_every > 0 and server.calls % server.fail_every == 0
            )
        if server.delay_s:
            time.sleep(server.delay_s)
        if failing:
            self.reply(500, b"try later")
            return
        with server.lock:
            server.received.append(json.loads(body))
        self.reply(200, b"{}", {"Content-Type": "application/json"})


class ChatServer(_Server):
    """A fake OpenAI-compatible ``/v1/chat/completions``: ``respond(request) -> message dict`` decides."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.respond: Callable[[dict[str, Any]], dict[str, Any] | None] = lambda request: {"content": ""}
        super().__init__(_ChatHandler)

    @property
    def base_url(self) -> str:
        return self.url + "/v1"


class _ChatHandler(_Handler):
    def do_POST(self) -> None:
        server: ChatServer = self.owner
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **request})
        if self.path != "/v1/chat/completions":
            self.reply(404)
            return
        message = server.respond(request)
        if message is None:
            self.reply(500, b"model overloaded")
            return
        body = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": request.get("model"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", **message}}],
        }
        self.reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
