"""The FastAPI app: ``POST /v1/price``, the deal memory, health, metrics and the OpenAPI docs.

The pricer is loaded once, when the app is created, so a missing model fails ``pricewise serve``
at start-up with one clear line rather than on the first request.
"""

from __future__ import annotations

import hashlib
import json
import logging
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from pricewise.config import Settings, get_settings
from pricewise.data.item import Item
from pricewise.pricers.base import Pricer
from pricewise.service.batching import MicroBatcher
from pricewise.service.metrics import MetricsMiddleware, ServiceMetrics
from pricewise.service.middleware import BearerAuth, BodyGuard
from pricewise.service.schemas import Health, Listing, Price, PriceRequest, PriceResponse

log = logging.getLogger(__name__)


def model_version(pricer: Pricer) -> str:
    """``<pricer>-<12 hex>``: a digest of the saved model's metadata, so a retrained model gets a new version."""
    meta = getattr(pricer, "metadata", None) or {"params": pricer.get_params()}
    digest = hashlib.sha256(json.dumps(meta, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{pricer.name}-{digest}"


def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Malformed JSON is a 400 that says so; schema violations stay 422 with one line per problem."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        reason = next(e.get("ctx", {}).get("error", "") for e in errors if e.get("type") == "json_invalid")
        return JSONResponse({"detail": f"request body is not valid JSON: {reason}"}, status_code=400)
    lines = [f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}" for e in errors]
    return JSONResponse({"detail": "; ".join(lines)}, status_code=422)


def _check_limits(request: PriceRequest, settings: Settings) -> list[Item]:
    """Items to price, or the 4xx that says which item is wrong and why."""
    products = request.products
    limits = settings.service
    if not products:
        raise HTTPException(422, "items is empty: send at least one product")
    if len(products) > limits.max_items:
        raise HTTPException(413, f"{len(products)} items in one request; the limit is {limits.max_items}")
    items = []
    for i, product in enumerate(products):
        text = product.text
        if not text:
            raise HTTPException(422, f"item {i}: title and description are both empty")
        size = len(text.encode("utf-8"))
        if size > limits.max_text_bytes:
            raise HTTPException(
                413, f"item {i}: text of {size} bytes is over the limit of {limits.max_text_bytes}"
            )
        items.append(Item.from_text(text))
    return items


def memory_rows(settings: Settings, table: str, limit: int) -> list[dict[str, Any]]:
    """Newest rows of the deal agents' memory (``deals`` or ``opportunities``), opened per call
    because the scanner, in another process, keeps writing it."""
    from pricewise.agents.memory import Memory

    path = settings.deals.memory_path
    with Memory(path if path.is_absolute() else settings.artifacts_dir / path) as memory:
        return getattr(memory, table)(limit=limit)


def create_app(settings: Settings | None = None, pricer: Pricer | None = None) -> FastAPI:
    """The service app. ``pricer`` defaults to the trained ``settings.service.pricer`` (else the default pricer)."""
    settings = settings or get_settings()
    if pricer is None:
        from pricewise.pricers.store import load_trained

        pricer = load_trained(settings.service.pricer, settings=settings)
    version = model_version(pricer)
    metrics = ServiceMetrics()
    batcher = MicroBatcher(
        pricer.predict,
        window_s=settings.service.batch_window_ms / 1000,
        max_batch=settings.service.max_batch,
        enabled=settings.service.batching,
        on_batch=metrics.observe_batch,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await batcher.start()
        log.info(
            "serving pricer %s (%s), batching %s", pricer.name, version, "on" if batcher.enabled else "off"
        )
        yield
        await batcher.stop()

    app = FastAPI(
        title="pricewise",
        summary="Estimate what a product should cost from its text; read the deals the agents found.",
        version=version,
        lifespan=lifespan,
        exception_handlers={RequestValidationError: _validation_error},
    )
    @app.post("/v1/price", response_model=PriceResponse, tags=["pricing"])
    async def price(request: PriceRequest) -> PriceResponse:
        """Price one product (``title``/``description``) or many (``items``), in the order sent."""
        items = _check_limits(request, settings)
        try:
            estimates = await batcher.price(items)
        except Exception:
            log.exception("pricer %s failed on a batch", pricer.name)
            raise HTTPException(503, f"pricer {pricer.name} failed; see the server log") from None
        prices = [Price(**estimates.row(i), coverage=estimates.coverage) for i in range(len(estimates))]
        return PriceResponse(prices=prices, pricer=pricer.name, model_version=version)

    limit_query = Query(settings.service.list_limit, ge=1, le=10_000, description="Most rows to return.")

    @app.get("/v1/deals", response_model=Listing, tags=["deals"])
    def deals(limit: int = limit_query) -> Listing:
        """Every deal the agents have seen, newest first."""
        rows = memory_rows(settings, "deals", limit)
        return Listing(items=rows, count=len(rows))

    @app.get("/v1/opportunities", response_model=Listing, tags=["deals"])
    def opportunities(limit: int = limit_query) -> Listing:
        """Deals priced enough below their estimate to alert on, newest first."""
        rows = memory_rows(settings, "opportunities", limit)
        return Listing(items=rows, count=len(rows))

    @app.get("/healthz", response_model=Health, tags=["operations"])
    def healthz() -> Health:
        return Health(status="ok", pricer=pricer.name, model_version=version)

    @app.get("/metrics", tags=["operations"], response_class=Response)
    def prometheus() -> Response:
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    # Added innermost first: metrics see every answer, CORS answers preflights before auth.
    body_limit = settings.service.max_items * (2 * settings.service.max_text_bytes + 256) + 4096
    app.add_middleware(BodyGuard, max_bytes=body_limit)
    token = settings.service.token.get_secret_value()
    if token:
        app.add_middleware(BearerAuth, token=token)
    if settings.service.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.service.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    paths = frozenset(route.path for route in app.routes if "{" not in route.path)
    app.add_middleware(MetricsMiddleware, metrics=metrics, paths=paths)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers each build their own app from the settings)."""
    return create_app()
