"""``pricewise serve`` as users start it: a subprocess on loopback, and a one-line error without a model."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

PRICEWISE = [sys.executable, "-m", "pricewise.cli"]


def _env(artifacts: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRICEWISE_")}
    return {
        **env,
        "PRICEWISE_ARTIFACTS_DIR": str(artifacts),
        "PRICEWISE_CONFIG": "/nonexistent.toml",
        **extra,
    }


def test_serve_without_a_trained_model_fails_in_one_line(tmp_path, port):
    result = subprocess.run(
        [*PRICEWISE, "serve", "--port", str(port), "--pricer", "tfidf"],
        env=_env(tmp_path / "none"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: no trained pricer 'tfidf' in {tmp_path / 'none' / 'models' / 'tfidf'}: run `pricewise train --pricer tfidf`"
    ]


def test_serve_starts_and_prices_over_loopback(trained_artifacts, port):
    token = "cli-secret-token"
    process = subprocess.Popen(
        [*PRICEWISE, "serve", "--port", str(port), "--pricer", "tfidf", "--no-batching"],
        env=_env(trained_artifacts, PRICEWISE_SERVICE__TOKEN=token),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{url}/healthz")
                break
            except httpx.ConnectError:
                assert process.poll() is None and time.monotonic() < deadline, "pricewise serve did not start"
                time.sleep(0.2)
        assert health.json()["pricer"] == "tfidf"
        priced = httpx.post(
            f"{url}/v1/price",
            json={"title": "Garden hose 50 ft"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert priced.status_code == 200 and priced.json()["prices"][0]["estimate"] > 0
        assert httpx.post(f"{url}/v1/price", json={"title": "Garden hose"}).status_code == 401
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "batching off" in output or "Uvicorn running" in output
    assert token not in output
