"""Load on the pricing service: requests/s, p50/p99 latency and 5xx count at 1, 16 and 200 concurrent
clients, with micro-batching on and off.

    .venv/bin/python benchmarks/service_load.py [--pricer NAME] [--seconds 10] [--levels 1 16 200]

Starts ``pricewise serve`` (one worker) as a subprocess on 127.0.0.1 for each batching mode, waits for
``/healthz``, then this process (the load generator: httpx on asyncio) runs ``--seconds`` of closed-loop
load per level: each client sends one single-product ``POST /v1/price`` after another, texts drawn
from the dev items. The pricer must be trained (``pricewise train --pricer NAME``; default
``pricers.default``). Writes ``benchmarks/results/service_load.json`` and ``.md``. Client and server
share the machine's cores, so the figures are a floor for a box that runs only the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(pricer: str, batching: bool, port: int) -> subprocess.Popen:
    import httpx

    command = [
        sys.executable,
        "-m",
        "pricewise.cli",
        "serve",
        "--port",
        str(port),
        "--pricer",
        pricer,
        "--batching" if batching else "--no-batching",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"pricewise serve exited: {server.stderr.read().strip()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).raise_for_status()
            return server
        except httpx.HTTPError:
            time.sleep(0.25)
    server.terminate()
    raise SystemExit("pricewise serve did not answer /healthz within 120 s")


async def load(url: str, texts: list[str], clients: int, seconds: float) -> dict:
    """Closed-loop load: ``clients`` coroutines, each sending the next request when its last one returns."""
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures = 0
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(n: int, http: httpx.AsyncClient) -> None:
        nonlocal failures
        i = n
        while time.perf_counter() < stop_at:
            title, _, description = texts[i % len(texts)].partition("\n")
            started = time.perf_counter()
            try:
                response = await http.post("/v1/price", json={"title": title, "description": description})
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                latencies.append(time.perf_counter() - started)
            except httpx.HTTPError:
                failures += 1
            i += clients

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await http.post("/v1/price", json={"title": "warm-up"})
        started = time.perf_counter()
        await asyncio.gather(*(client(n, http) for n in range(clients)))
        elapsed = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1) if len(ms) else None,
        "p99_ms": round(float(np.percentile(ms, 99)), 1) if len(ms) else None,
        "status_5xx": sum(n for code, n in statuses.items() if code >= 500),
        "status_4xx": sum(n for code, n in statuses.items() if 400 <= code < 500),
        "connection_errors": failures,
    }


def batch_sizes(url: str) -> dict:
    """Mean items per predict call, from the server's own Prometheus metrics."""
    import httpx

    values = {}
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        if line.startswith(("pricewise_batch_items_sum", "pricewise_batch_items_count")):
            name, value = line.split()
            values[name] = float(value)
    count = values.get("pricewise_batch_items_count", 0)
    return {
        "predict_calls": int(count),
        "mean_batch": round(values["pricewise_batch_items_sum"] / count, 1) if count else None,
    }


def markdown(report: dict) -> str:
    lines = [
        "# Pricing service under load",
        "",
        (
            f"`pricewise serve` (1 worker, pricer `{report['pricer']}`) on loopback, load from a second process "
            f"(httpx/asyncio, closed loop, {report['seconds_per_level']} s per level, one product per request) "
            f"on the {report['machine']}; client and server share the cores. Command: `{report['command']}`."
        ),
        "",
        "| batching | clients | requests/s | p50 ms | p99 ms | 5xx | mean batch |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for mode in ("on", "off"):
        for row in report["runs"][mode]:
            lines.append(
                f"| {mode} | {row['clients']} | {row['requests_per_s']} | {row['p50_ms']} | {row['p99_ms']} "
                f"| {row['status_5xx']} | {row['mean_batch']} |"
            )
    lines += [
        "",
        "Batching speed-up (requests/s, on / off): "
        + ", ".join(f"{c} clients x{s}" for c, s in report["speedup"].items()),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pricer", default=None, help="trained pricer to serve (default: pricers.default)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 16, 200])
    args = parser.parse_args()

    from pricewise.config import get_settings
    from pricewise.data.sources import dev_items
    from pricewise.evaluation.machine import describe_machine

    settings = get_settings()
    pricer = args.pricer or settings.pricers.default
    texts = [i.text for i in dev_items(settings)]
    runs: dict[str, list[dict]] = {}
    for mode, batching in (("on", True), ("off", False)):
        port = free_port()
        server = start_server(pricer, batching, port)
        url = f"http://127.0.0.1:{port}"
        try:
            runs[mode] = []
            for clients in args.levels:
                before = batch_sizes(url)
                row = asyncio.run(load(url, texts, clients, args.seconds))
                after = batch_sizes(url)
                calls = after["predict_calls"] - before["predict_calls"]
                row["mean_batch"] = round(row["requests"] / calls, 1) if calls else None
                runs[mode].append(row)
                print(
                    f"batching {mode:3} clients {clients:4}: {row['requests_per_s']:8.1f} req/s  "
                    f"p50 {row['p50_ms']} ms  p99 {row['p99_ms']} ms  5xx {row['status_5xx']}  "
                    f"mean batch {row['mean_batch']}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(30)
    speedup = {
        str(on["clients"]): round(on["requests_per_s"] / off["requests_per_s"], 2)
        for on, off in zip(runs["on"], runs["off"])
        if off["requests_per_s"]
    }
    report = {
        "pricer": pricer,
        "machine": describe_machine(),
        "load_average_at_start": os.getloadavg()[0],
        "seconds_per_level": args.seconds,
        "command": "python benchmarks/service_load.py " + " ".join(sys.argv[1:]),
        "runs": runs,
        "speedup": speedup,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "service_load.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "service_load.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


if __name__ == "__main__":
    main()
