"""``pricewise deals`` through the real CLI: the offline snapshot scan, list, and alert re-send."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import FEEDS


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pricewise.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_scan_serve_snapshots_list_and_alert(trained, push_server):
    scan = _cli("deals", "scan", "--once", "--serve-snapshots", str(FEEDS), "--json")
    assert scan.returncode == 0, scan.stderr
    report = json.loads(scan.stdout)  # logs go to stderr: stdout is pure JSON
    statuses = {f["url"].rsplit("/", 1)[-1]: f["status"] for f in report["feeds"]}
    assert len(statuses) == 9 and statuses["encoding__bozo_invalid-bytes-with-bom.xml"] == "error"
    assert statuses["dealnews_c39_computers_2026-09-26.xml"] == "ok"
    assert report["new_deals"] == 41 and report["priced"] == 41

    listed = _cli("deals", "list", "--json", "-n", "100")
    rows = json.loads(listed.stdout)
    assert len(rows) == len(report["opportunities"]) > 0
    target = next(r for r in rows if r["title"].startswith("Yxk 16"))
    assert target["price"] == 59.99 and target["estimate"] == 400.0

    env = {"PRICEWISE_NOTIFY__URLS": json.dumps([push_server.apprise_url])}
    alert = _cli("deals", "alert", target["id"], env=env)
    assert alert.returncode == 0 and "sent: 1" in alert.stdout
    assert "Deal price: $59.99" in push_server.received[0]["message"]
    unknown = _cli("deals", "alert", "nope", env=env)
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: no opportunity 'nope'")


def test_scan_without_trained_pricer_exits_2_with_one_line():
    result = _cli("deals", "scan", "--once", "--serve-snapshots", str(FEEDS))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "no trained pricer" in result.stderr and "pricewise train" in result.stderr
