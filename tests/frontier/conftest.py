"""A fake OpenAI-compatible chat server on 127.0.0.1 that answers in the course's style and
misbehaves on demand, and settings that point the frontier pricers at it."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

import pytest

from pricewise.config import get_settings

_CONTEXT_PRICE = re.compile(r"Price is \$([0-9.]+)")


def course_answer(body: dict) -> str:
    """What the course's model would continue "Price is $" with: here the mean price of the
    similar products shown (RAG), else a fixed 100.00."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    prices = [float(p) for p in _CONTEXT_PRICE.findall(user)]
    return f"{sum(prices) / len(prices):.2f}" if prices else "100.00"


class FakeChatServer:
    """``script`` holds behaviours for the next requests, in order; then ``default`` applies.

    Behaviours: "ok", "429", "500", "timeout" (answers after ``delay`` seconds), "garbage",
    "comma" (a price with a thousands separator), "malformed" (a 200 whose body is not JSON).
    """

    def __init__(self) -> None:
        self.script: deque[str] = deque()
        self.default = "ok"
        self.delay = 2.0
        self.answer = course_answer
        self.served_model: str | None = None  # None: echo the requested model
        self.bodies: list[dict] = []
        self.calls = 0
        self.auth: list[str | None] = []
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def next_behaviour(self) -> str:
        with self._lock:
            self.calls += 1
            return self.script.popleft() if self.script else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                if self.path != "/v1/chat/completions":
                    self._send(404, b'{"error": "not found"}')
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                behaviour = server.next_behaviour()
                with server._lock:
                    server.bodies.append(body)
                    server.auth.append(self.headers.get("Authorization"))
                if behaviour == "429":
                    self._send(429, b'{"error": {"message": "rate limited"}}', {"Retry-After": "0"})
                    return
                if behaviour == "500":
                    self._send(500, b'{"error": {"message": "boom"}}')
                    return
                if behaviour == "malformed":
                    self._send(200, b"<html>not json</html>")
                    return
                if behaviour == "timeout":
                    time.sleep(server.delay)
                content = {
                    "garbage": "I cannot help with that.",
                    "comma": "1,299.99",
                }.get(behaviour) or server.answer(body)
                reply = {
                    "id": f"chatcmpl-{server.calls}",
                    "object": "chat.completion",
                    "model": server.served_model or body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 3, "total_tokens": 103},
                }
                try:
                    self._send(200, json.dumps(reply).encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing to answer

        return Handler

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake_openai(monkeypatch):
    """The fake server, with settings pointing at it: fast retries, a 1 s timeout, a secret key."""
    with FakeChatServer() as server:
        monkeypatch.setenv("PRICEWISE_FRONTIER__BASE_URL", server.url)
        monkeypatch.setenv("PRICEWISE_FRONTIER__MODEL", "gpt-4o-mini")
        monkeypatch.setenv("PRICEWISE_FRONTIER__API_KEY", "sk-test-secret")
        monkeypatch.setenv("PRICEWISE_FRONTIER__BACKOFF_SECONDS", "0.01")
        monkeypatch.setenv("PRICEWISE_FRONTIER__RETRIES", "3")
        monkeypatch.setenv("PRICEWISE_FRONTIER__TIMEOUT_SECONDS", "0.5")
        get_settings.cache_clear()
        yield server
