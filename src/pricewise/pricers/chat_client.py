"""A small client for OpenAI-compatible ``/chat/completions`` endpoints, made for batch pricing.

Why not call the API in a loop: an evaluation sends thousands of requests, so this client runs a
bounded number of them at once, retries rate limits (429), server errors (5xx), timeouts and dropped
connections with exponential backoff (honouring ``Retry-After``), caches every answer on disk, and
counts tokens and cost. A request that still fails gives ``None`` for that item and is counted; it
never stops the batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pricewise.config import FrontierSettings, Settings, get_settings
from pricewise.pricers.response_cache import CachedResponse, ResponseCache, request_key

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)


@dataclass
class ChatReport:
    """What one batch of requests did and cost."""

    model: str
    requests: int = 0
    cache_hits: int = 0
    http_calls: int = 0
    retries: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    #: The model names the server reported in its answers.
    served_models: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def add(self, other: ChatReport) -> ChatReport:
        """The sum of two reports (for totals over folds or batches)."""
        cost = None if self.cost_usd is None or other.cost_usd is None else self.cost_usd + other.cost_usd
        return ChatReport(
            model=self.model,
            requests=self.requests + other.requests,
            cache_hits=self.cache_hits + other.cache_hits,
            http_calls=self.http_calls + other.http_calls,
            retries=self.retries + other.retries,
            failures=self.failures + other.failures,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost_usd=cost,
            seconds=self.seconds + other.seconds,
            errors=(self.errors + other.errors)[:10],
            served_models=sorted(set(self.served_models) | set(other.served_models)),
        )


class _GiveUp(Exception):
    """A request that failed for good (after retries, or with a non-retryable status)."""


def default_cache_path(settings: Settings) -> Any:
    return settings.frontier.cache_path or settings.artifacts_dir / "cache" / "frontier_responses.sqlite"


class ChatClient:
    """Sends chat requests to ``config.base_url``; ``complete_many`` is the batch entry point."""

    def __init__(self, config: FrontierSettings, cache: ResponseCache | None):
        self.config = config
        self.cache = cache
        self._counter_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides: Any) -> ChatClient:
        """A client for ``settings.frontier`` with some fields replaced (e.g. ``model``)."""
        settings = settings or get_settings()
        config = settings.frontier.model_copy(update={k: v for k, v in overrides.items() if v is not None})
        return cls(config, ResponseCache(default_cache_path(settings)))

    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """The JSON body for one chat; everything in it is part of the cache key."""
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            "max_tokens": self.config.max_tokens,
            "temperature": 0,
            "seed": self.config.seed,
        }
        if self.config.structured_output:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "price",
                    "strict": True,
                    "schema": {
                        "type": "object",
                        "properties": {"price": {"type": "number"}},
                        "required": ["price"],
                        "additionalProperties": False,
                    },
                },
            }
        return body

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        price = self.config.price_table.get(self.config.model)
        if price is None:
            return None
        return (prompt_tokens * price.input_per_million + completion_tokens * price.output_per_million) / 1e6

    def complete_many(
        self, conversations: Sequence[list[dict[str, str]]]
    ) -> tuple[list[str | None], ChatReport]:
        """The reply text of each conversation (None where it failed for good), and the report."""
        import httpx
        from rich.progress import Progress

        started = time.perf_counter()
        report = ChatReport(model=self.config.model, requests=len(conversations))
        replies: list[str | None] = [None] * len(conversations)
        bodies = [self.request_body(messages) for messages in conversations]
        keys = [request_key(body) for body in bodies]
        todo: list[int] = []
        for i, key in enumerate(keys):
            cached = self.cache.get(key) if self.cache is not None else None
            if cached is None:
                todo.append(i)
                continue
            report.cache_hits += 1
            replies[i] = cached.content
            self._count(report, cached)

        headers = {"Content-Type": "application/json"}
        secret = self.config.api_key.get_secret_value()
        if secret:
            headers["Authorization"] = f"Bearer {secret}"
        url = self.config.base_url.rstrip("/") + "/chat/completions"
        timeout = httpx.Timeout(self.config.timeout_seconds)
        with (
            httpx.Client(headers=headers, timeout=timeout) as client,
            ThreadPoolExecutor(max_workers=max(1, self.config.concurrency)) as pool,
            Progress(transient=True, disable=len(todo) < 2) as progress,
        ):
            task = progress.add_task(f"asking {self.config.model}", total=len(todo))
            futures = {i: pool.submit(self._post, client, url, bodies[i], report) for i in todo}
            for i, future in futures.items():
                try:
                    response = future.result()
                except _GiveUp as exc:
                    report.failures += 1
                    if len(report.errors) < 10:
                        report.errors.append(str(exc))
                else:
                    replies[i] = response.content
                    self._count(report, response)
                    if self.cache is not None:
                        self.cache.put(keys[i], self.config.model, response)
                progress.advance(task)
        report.cost_usd = self.cost(report.prompt_tokens, report.completion_tokens)
        report.seconds = time.perf_counter() - started
        if report.failures:
            log.warning(
                "%d of %d requests to %s failed, e.g. %s", report.failures, len(todo), url, report.errors[0]
            )
        return replies, report

    @staticmethod
    def _count(report: ChatReport, response: CachedResponse) -> None:
        report.prompt_tokens += response.prompt_tokens
        report.completion_tokens += response.completion_tokens
        if response.served_model and response.served_model not in report.served_models:
            report.served_models.append(response.served_model)

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        delay = self.config.backoff_seconds * 2**attempt
        if retry_after:
            try:
                delay = max(delay, float(retry_after))
            except ValueError:
                pass
        return min(delay, self.config.max_backoff_seconds)

    def _post(
        self, client: httpx.Client, url: str, body: dict[str, Any], report: ChatReport
    ) -> CachedResponse:
        """One request with retries; raises ``_GiveUp`` when it fails for good."""
        import httpx

        last_error = ""
        for attempt in range(self.config.retries + 1):
            with self._counter_lock:
                report.http_calls += 1
                report.retries += 1 if attempt else 0
            retry_after = None
            try:
                response = client.post(url, json=body)
            except httpx.TimeoutException:
                last_error = f"timed out after {self.config.timeout_seconds:g}s"
            except httpx.TransportError as exc:
                last_error = f"connection failed: {exc}"
            else:
                if response.status_code == 200:
                    return _read_reply(response)
                last_error = f"HTTP {response.status_code}: {response.text[:200]}"
                if response.status_code != 429 and response.status_code < 500:
                    raise _GiveUp(last_error)
                retry_after = response.headers.get("retry-after")
            if attempt < self.config.retries:
                time.sleep(self._backoff(attempt, retry_after))
        raise _GiveUp(f"{last_error} (after {self.config.retries} retries)")


def _read_reply(response: httpx.Response) -> CachedResponse:
    """The message text and token counts of a 200 answer; a malformed body is a failure."""
    try:
        data = response.json()
        content = data["choices"][0]["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise _GiveUp(f"malformed response body ({exc!r}): {response.text[:200]}") from exc
    usage = data.get("usage") or {}
    return CachedResponse(
        content=str(content),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        served_model=str(data.get("model") or ""),
    )
