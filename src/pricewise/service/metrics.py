"""Prometheus metrics of one app instance (its own registry, so several apps in a process never clash)."""

from __future__ import annotations

import time
from typing import Any

from pricewise.service.middleware import ASGIApp, Message, Receive, Scope, Send

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class ServiceMetrics:
    """Request counts and latencies by route and status, and the sizes and durations of predict batches."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry()
        self.requests = Counter(
            "pricewise_http_requests",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pricewise_http_request_seconds",
            "HTTP request latency.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "pricewise_batch_items",
            "Items per pricer.predict call.",
            buckets=_BATCH_BUCKETS,
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            "pricewise_batch_seconds",
            "Duration of pricer.predict calls.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.items = Counter("pricewise_items_priced", "Items priced.", registry=self.registry)

    def observe_batch(self, n_items: int, seconds: float) -> None:
        self.batch_size.observe(n_items)
        self.batch_seconds.observe(seconds)
        self.items.inc(n_items)

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Counts and times every HTTP request, labelled by the route template (never the raw path)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics, paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.metrics = metrics
        #: Paths answered before routing (auth, body guard) still get their own label.
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def record_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or (
                scope["path"] if scope["path"] in self.paths else "unmatched"
            )
            self.metrics.requests.labels(scope["method"], label, str(status["code"])).inc()
            self.metrics.latency.labels(label).observe(time.perf_counter() - started)
