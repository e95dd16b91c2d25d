"""Micro-batching: concurrent requests share predict calls and still get exactly their own answers."""

from __future__ import annotations

import asyncio
import time

import httpx
import numpy as np
import pytest

from pricewise.data.item import Item
from pricewise.pricers.base import Estimates
from pricewise.service.batching import MicroBatcher


def _texts(n: int) -> list[str]:
    words = [
        "cordless drill",
        "car wax",
        "guitar strings",
        "office chair",
        "phone case",
        "toaster",
        "socket set",
    ]
    return [f"{words[i % len(words)]} model {i}\n{'extra detail ' * (i % 5)}" for i in range(n)]


class Recorder:
    """A deterministic pricer function that remembers the size of every call."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, items) -> Estimates:
        self.calls.append(len(items))
        if any("poison" in i.text for i in items):
            raise ValueError("poisoned batch")
        return Estimates(
            np.array([len(i.text) * 1.5 for i in items]), np.zeros(len(items)), np.full(len(items), 1e3), 0.8
        )


def test_concurrent_requests_are_batched_and_answered_in_order():
    recorder = Recorder()
    requests = [[Item.from_text(t) for t in _texts(1 + n % 3)] for n in range(60)]

    async def main() -> list[Estimates]:
        batcher = MicroBatcher(recorder, window_s=0.05, max_batch=16)
        await batcher.start()
        try:
            return await asyncio.gather(*(batcher.price(r) for r in requests))
        finally:
            await batcher.stop()

    results = asyncio.run(main())
    for request, result in zip(requests, results):
        assert list(result.estimate) == [len(i.text) * 1.5 for i in request]
        assert result.coverage == 0.8 and len(result.low) == len(request)
    assert sum(recorder.calls) == sum(len(r) for r in requests)
    assert len(recorder.calls) < len(requests) / 4
    assert max(recorder.calls) <= 16 + 2  # the window closes once max_batch is reached


def test_a_failing_batch_fails_its_requests_only():
    recorder = Recorder()

    async def main():
        batcher = MicroBatcher(recorder, window_s=0.05, max_batch=64)
        await batcher.start()
        try:
            first = await asyncio.gather(
                batcher.price([Item.from_text("poison pill")]),
                batcher.price([Item.from_text("lamp")]),
                return_exceptions=True,
            )
            after = await batcher.price([Item.from_text("lamp")])
            return first, after
        finally:
            await batcher.stop()

    (poisoned, neighbour), after = asyncio.run(main())
    assert isinstance(poisoned, ValueError) and isinstance(neighbour, ValueError)
    assert list(after.estimate) == [6.0]


def test_a_lone_request_does_not_wait_for_the_window():
    recorder = Recorder()

    async def main() -> float:
        batcher = MicroBatcher(recorder, window_s=2.0, max_batch=64)
        await batcher.start()
        try:
            started = time.perf_counter()
            for text in _texts(3):
                await batcher.price([Item.from_text(text)])
            return time.perf_counter() - started
        finally:
            await batcher.stop()

    assert asyncio.run(main()) < 1.0
    assert recorder.calls == [1, 1, 1]


def test_disabled_batcher_prices_each_request_alone():
    recorder = Recorder()

    async def main():
        batcher = MicroBatcher(recorder, window_s=0.05, max_batch=64, enabled=False)
        await batcher.start()
        return await asyncio.gather(*(batcher.price([Item.from_text(t)]) for t in _texts(10)))

    results = asyncio.run(main())
    assert recorder.calls == [1] * 10
    assert [r.estimate[0] for r in results] == [len(t.strip()) * 1.5 for t in _texts(10)]


async def _fire(url: str, bodies: list[dict]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(bodies))
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        return await asyncio.gather(*(client.post("/v1/price", json=b) for b in bodies))


def _batches(url: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    return next(
        float(l.split()[-1]) for l in text.splitlines() if l.startswith("pricewise_batch_items_count")
    )


@pytest.mark.parametrize("batching", [True, False])
def test_concurrent_http_requests_get_the_same_answers_as_one_by_one(serve, batching):
    bodies = [{"title": t.split("\n")[0], "description": t.split("\n", 1)[1]} for t in _texts(48)]
    with serve(batching=batching, batch_window_ms=30) as url:
        alone = [httpx.post(f"{url}/v1/price", json=b).json()["prices"][0] for b in bodies]
        before = _batches(url)
        together = asyncio.run(_fire(url, bodies))
        calls = _batches(url) - before
    assert all(r.status_code == 200 for r in together)
    answers = [r.json()["prices"][0] for r in together]
    for key in ("estimate", "low", "high"):
        assert [a[key] for a in answers] == pytest.approx([a[key] for a in alone], rel=1e-9)
    assert len({p["estimate"] for p in alone}) > 10  # the answers really differ per request
    if batching:
        assert calls < len(bodies) / 2
    else:
        assert calls == len(bodies)
