"""Load on the pricing service: requests/s, p50/p99 latency and 5xx count at 1, 16 and 200 concurrent
clients, with micro-batching on and off.

    .venv/bin/python benchmarks/service_load.py [--pricer NAME ...] [--seconds 10] [--levels 1 16 200]

Starts ``pricewise serve`` (one worker) as a subprocess on 127.0.0.1 for each batching mode, waits for
``/healthz``, then drives them in turn with ``wrk`` (``apt-get install wrk``; a C load generator, so the client
costs little of the shared CPU) for ``--seconds`` per level: every connection sends one single-product
``POST /v1/price`` after another (closed loop), bodies cycling through the dev items
(``benchmarks/wrk/price_bodies.lua``). 5xx counts and batch sizes come from the server's own
``/metrics``. Each pricer must be trained (``pricewise train --pricer NAME``; default
``pricers.default``). Writes ``benchmarks/results/service_load.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
WRK_SCRIPT = HERE / "wrk" / "price_bodies.lua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(pricer: str, batching: bool, port: int) -> subprocess.Popen:
    import httpx

    command = [
        sys.executable, "-m", "pricewise.cli", "serve", "--port", str(port), "--pricer", pricer,
        "--batching" if batching else "--no-batching",
    ]  # fmt: skip
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


def load(url: str, bodies: Path, clients: int, seconds: float) -> dict:
    """``clients`` wrk connections (closed loop) for ``seconds``."""
    threads = min(clients, 2)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{seconds:g}s",
        "--timeout",
        "60s",
        "-s",
        str(WRK_SCRIPT),
        url,
    ]
    result = subprocess.run(command, env={**os.environ, "BODIES": str(bodies)}, capture_output=True, text=True,
                            check=True)  # fmt: skip
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    elapsed = figures["duration_us"] / 1e6
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": figures["requests"],
        "requests_per_s": round(figures["requests"] / elapsed, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "non_2xx": figures["non_2xx"],
        "socket_errors": figures["socket_errors"],
    }


def server_counts(url: str) -> dict:
    """Predict calls and 5xx answers so far, from the server's own Prometheus metrics."""
    import httpx

    counts = {"predict_calls": 0.0, "status_5xx": 0.0}
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        if line.startswith("pricewise_batch_items_count"):
            counts["predict_calls"] = float(line.split()[-1])
        elif line.startswith("pricewise_http_requests_total") and 'status="5' in line:
            counts["status_5xx"] += float(line.split()[-1])
    return counts


def markdown(report: dict) -> str:
    lines = [
        "# Pricing service under load",
        "",
        (
            f"`pricewise serve` (1 worker) on loopback, load from `wrk` in a second process (closed loop, "
            f"{report['seconds_per_level']} s per level, one product per request) on the {report['machine']}, "
            f"load average {report['load_average_at_start']:.1f} at the start (the cores were shared with other "
            f"work); client and server share the cores. Command: `{report['command']}`."
        ),
    ]
    for pricer, result in report["pricers"].items():
        lines += [
            "",
            f"## Pricer `{pricer}`",
            "",
            "| batching | clients | requests/s | p50 ms | p99 ms | 5xx | other non-2xx | mean batch |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for mode in ("on", "off"):
            for row in result["runs"][mode]:
                lines.append(
                    f"| {mode} | {row['clients']} | {row['requests_per_s']} | {row['p50_ms']} | {row['p99_ms']} "
                    f"| {row['status_5xx']} | {row['non_2xx'] - row['status_5xx']} | {row['mean_batch']} |"
                )
        speedup = ", ".join(f"{c} clients x{x}" for c, x in result["speedup"].items())
        lines += ["", f"Batching speed-up (requests/s, on / off): {speedup}"]
    return "\n".join(lines) + "\n"


def run_pricer(pricer: str, bodies: Path, levels: list[int], seconds: float) -> dict:
    """Both batching modes at every level: two servers, measured in turn at each level so that drift in
    the machine's load hits both modes alike."""
    import httpx

    modes = {"on": True, "off": False}
    servers, urls = {}, {}
    try:
        for mode, batching in modes.items():
            port = free_port()
            servers[mode] = start_server(pricer, batching, port)
            urls[mode] = f"http://127.0.0.1:{port}"
            httpx.post(f"{urls[mode]}/v1/price", json={"title": "warm-up"}, timeout=60).raise_for_status()
        runs: dict[str, list[dict]] = {mode: [] for mode in modes}
        for clients in levels:
            for mode in modes:
                before = server_counts(urls[mode])
                row = load(urls[mode], bodies, clients, seconds)
                after = server_counts(urls[mode])
                calls = after["predict_calls"] - before["predict_calls"]
                row["status_5xx"] = int(after["status_5xx"] - before["status_5xx"])
                row["mean_batch"] = round(row["requests"] / calls, 1) if calls else None
                runs[mode].append(row)
                print(
                    f"{pricer} batching {mode:3} clients {clients:4}: {row['requests_per_s']:8.1f} req/s  "
                    f"p50 {row['p50_ms']} ms  p99 {row['p99_ms']} ms  5xx {row['status_5xx']}  "
                    f"mean batch {row['mean_batch']}",
                    flush=True,
                )
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(30)
    speedup = {
        str(on["clients"]): round(on["requests_per_s"] / off["requests_per_s"], 2)
        for on, off in zip(runs["on"], runs["off"], strict=True)
        if off["requests_per_s"]
    }
    return {"runs": runs, "speedup": speedup}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pricer", nargs="+", default=None, help="trained pricer(s) (default: pricers.default)"
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 16, 200])
    args = parser.parse_args()

    from pricewise.config import get_settings
    from pricewise.data.sources import dev_items
    from pricewise.evaluation.machine import describe_machine

    if shutil.which("wrk") is None:
        raise SystemExit("this benchmark drives the service with wrk: apt-get install wrk")
    settings = get_settings()
    scratch = Path(tempfile.mkdtemp(prefix="service-load-"))
    bodies = scratch / "bodies.jsonl"
    with bodies.open("w", encoding="utf-8") as out:
        for item in dev_items(settings):
            title, _, description = item.text.partition("\n")
            out.write(json.dumps({"title": title, "description": description}) + "\n")
    load_average = os.getloadavg()[0]
    pricers = args.pricer or [settings.pricers.default]
    report = {
        "machine": describe_machine(),
        "load_average_at_start": load_average,
        "seconds_per_level": args.seconds,
        "command": " ".join(["python benchmarks/service_load.py", *sys.argv[1:]]),
        "pricers": {name: run_pricer(name, bodies, args.levels, args.seconds) for name in pricers},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "service_load.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "service_load.md").write_text(markdown(report), encoding="utf-8")
    shutil.rmtree(scratch)
    print(markdown(report))


if __name__ == "__main__":
    main()
