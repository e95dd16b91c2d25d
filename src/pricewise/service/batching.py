"""Micro-batching: concurrent requests wait a few milliseconds so one ``predict`` call prices them all.

Pricers are much faster per item in batches (one matrix product, one forward pass), so under load
throughput rises with concurrency while a lone request pays at most the window. ``predict`` runs in
a worker thread so the event loop keeps accepting requests while the model works.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pricewise.data.item import Item
from pricewise.pricers.base import Estimates

Predict = Callable[[Sequence[Item]], Estimates]


@dataclass
class _Pending:
    items: list[Item]
    future: asyncio.Future[Estimates]


class MicroBatcher:
    """Collects requests for ``window_s`` (or until ``max_batch`` items) and prices them in one call.

    The window is only waited while requests come concurrently (the last batch held more than one):
    a lone client never pays it, and under load the requests that arrive during a ``predict`` form
    the next batch anyway. With ``enabled=False`` every request is priced on its own (the baseline the load benchmark
    compares against). ``on_batch(n_items, seconds)`` is told about every ``predict`` call.
    """

    def __init__(
        self,
        predict: Predict,
        window_s: float,
        max_batch: int,
        enabled: bool = True,
        on_batch: Callable[[int, float], None] | None = None,
    ) -> None:
        self._predict = predict
        self.window_s = window_s
        self.max_batch = max_batch
        self.enabled = enabled
        self._on_batch = on_batch or (lambda n, s: None)
        self._queue: asyncio.Queue[_Pending] | None = None
        self._worker: asyncio.Task[None] | None = None
        # One predict at a time: pricers are not promised to be thread-safe.
        self._lock = asyncio.Lock()
        self._concurrent = False

    async def start(self) -> None:
        if self.enabled and self._worker is None:
            self._queue = asyncio.Queue()
            self._worker = asyncio.create_task(self._run(), name="pricewise-micro-batcher")

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    async def price(self, items: list[Item]) -> Estimates:
        """Estimates for ``items``, in order; raises what ``predict`` raised."""
        if not self.enabled or self._queue is None:
            return await self._call(items)
        future: asyncio.Future[Estimates] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(items, future))
        return await future

    async def _call(self, items: list[Item]) -> Estimates:
        async with self._lock:
            started = time.perf_counter()
            estimates = await asyncio.to_thread(self._predict, items)
            self._on_batch(len(items), time.perf_counter() - started)
        if len(estimates) != len(items):
            raise RuntimeError(f"pricer returned {len(estimates)} estimates for {len(items)} items")
        return estimates

    async def _collect(self) -> list[_Pending]:
        """The first waiting request, all that are queued, then (under concurrency) whatever arrives
        within the window, up to ``max_batch`` items."""
        assert self._queue is not None
        batch = [await self._queue.get()]
        size = len(batch[0].items)
        while size < self.max_batch and not self._queue.empty():
            batch.append(self._queue.get_nowait())
            size += len(batch[-1].items)
        if self._concurrent or len(batch) > 1:
            deadline = asyncio.get_running_loop().time() + self.window_s
            while size < self.max_batch:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    pending = await asyncio.wait_for(self._queue.get(), remaining)
                except TimeoutError:
                    break
                batch.append(pending)
                size += len(pending.items)
        self._concurrent = len(batch) > 1
        return batch

    async def _run(self) -> None:
        while True:
            batch = await self._collect()
            items = [item for pending in batch for item in pending.items]
            try:
                estimates = await self._call(items)
            except Exception as exc:  # noqa: BLE001 - every waiting request gets the error; the loop lives on
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(exc)
                continue
            start = 0
            for pending in batch:
                end = start + len(pending.items)
                if not pending.future.done():  # the client may have gone away
                    pending.future.set_result(estimates.take(range(start, end)))
                start = end
