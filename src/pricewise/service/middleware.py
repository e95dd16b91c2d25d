"""ASGI middleware that runs before FastAPI parses anything: the bearer token, and the body guard
that turns oversized or non-UTF-8 bodies into clear 4xx answers instead of opaque parse errors."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def fastapi_error(detail: str) -> dict[str, Any]:
    """``{"detail": ...}``: the shape FastAPI uses for its own errors."""
    return {"detail": detail}


ErrorShape = Callable[[str], dict[str, Any]]


async def send_error(
    send: Send, status: int, detail: str, headers: dict[str, str] | None = None, shape: ErrorShape = fastapi_error
) -> None:
    """A JSON error answer; ``shape`` turns the message into the body (FastAPI's by default)."""
    body = json.dumps(shape(detail)).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class BearerAuth:
    """Requires ``Authorization: Bearer <token>`` on every HTTP route except the open ones.

    The comparison is constant-time and the token is never written anywhere: a wrong token gets
    the same answer as a missing one.
    """

    def __init__(
        self, app: ASGIApp, token: str, open_paths: frozenset[str] = frozenset({"/healthz"})
    ) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()
        self.open_paths = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.open_paths or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"authorization", b"")
        if not secrets.compare_digest(given, self._expected):
            await send_error(send, 401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
            return
        await self.app(scope, receive, send)


class BodyGuard:
    """Buffers request bodies up to ``max_bytes`` (413 beyond) and rejects JSON bodies that are not
    UTF-8 (400, naming the byte offset), then replays the body to the app. ``shape`` gives the error
    bodies the shape the app's clients expect."""

    def __init__(self, app: ASGIApp, max_bytes: int, shape: ErrorShape = fastapi_error) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.shape = shape

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await send_error(
                send, 413, f"request body of {int(declared)} bytes is over the limit of {self.max_bytes}",
                shape=self.shape,
            )
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_error(
                    send, 413, f"request body is over the limit of {self.max_bytes} bytes", shape=self.shape
                )
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            await send_error(
                send, 400, f"request body is not valid UTF-8 (byte {exc.start}): send UTF-8 JSON", shape=self.shape
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
