"""Deal-hunting figures, offline, through the real HTTP path (feeds served on 127.0.0.1).

    .venv/bin/python benchmarks/deals_bench.py c39 [--pricer NAME] [--fit-if-missing] [--suffix=-NAME]
    .venv/bin/python benchmarks/deals_bench.py throughput [--pricer NAME] [--copies 20] [--runs 3]
    .venv/bin/python benchmarks/deals_bench.py fault [--pricer NAME] [--scans 30]

``c39``: every entry of the DealNews Computers snapshot with its extracted price or drop reason, the
estimate and whether it is an opportunity. ``throughput``: end-to-end scans (fetch, parse, extract,
de-dup, price in one batch, record) of ``--copies`` copies of the four well-formed snapshots, each copy
with its own deal links, into a fresh memory; deals/s = new deals / scan seconds. ``fault``: ``--scans``
scans, each with a fresh copy of C39 beside every misbehaving route of the test feed server (slow, 500,
404, redirect loop, truncated, oversized, wrong encoding, flaky, malformed files), alerts to a push
service failing every 3rd call; then counts crashes, lost alerts and duplicate alerts.

The pricer is a trained one from the project's artifacts dir (default: ``pricers.default``); scans use
a temporary memory. Results go to ``benchmarks/results/deals/``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pydantic import SecretStr
from rich.progress import track

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "deals"
sys.path.insert(0, str(ROOT / "tests"))

from agents.servers import C39, FEEDS, FeedServer, PushServer

from pricewise.agents.extract import extract
from pricewise.agents.feeds import parse_feed
from pricewise.agents.planner import open_memory, resolve_pricer, run_scan
from pricewise.agents.snapshots import serve_directory
from pricewise.agents.urls import deal_id
from pricewise.config import Settings, get_settings
from pricewise.evaluation.machine import describe_machine

#: Appended to result file names (``--suffix``), so runs with several pricers sit side by side.
SUFFIX = [""]
GOOD_SNAPSHOTS = [
    C39,
    "dealnews/barato-si_dealnews_fixture_3items_2026-10-05.xml",
    "slickdeals/slickdeals_frontpage_2016-11-18.xml",
    "techbargains/techbargains_6items_2026-10-06.xml",
]


def scan_settings(workdir: Path, feeds: list[str]) -> Settings:
    settings = get_settings().model_copy(deep=True)
    settings.deals.feeds = feeds
    settings.deals.memory_path = workdir / "memory.sqlite"
    settings.deals.allow_private_addresses = True
    settings.deals.politeness_delay_s = 0.0
    settings.deals.fetch_pages = False
    settings.notify.urls = []
    return settings


def relinked(content: bytes, tag: str) -> bytes:
    """The same feed as new products: links on a per-copy subdomain (new deal ids) and titles prefixed with
    the tag (new products, so the messenger's per-product debounce does not hold their alerts back)."""
    return (
        content.replace(b"<link>https://", f"<link>https://{tag}.".encode())
        .replace(b"<link>http://", f"<link>http://{tag}.".encode())
        .replace(b"<title>", f"<title>{tag} ".encode())
    )


def write(name: str, payload: dict, markdown: str) -> None:
    name = f"{name}{SUFFIX[0]}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown)
    print(markdown)


def trained_pricer(name: str | None, fit_if_missing: bool):
    """The trained pricer ``name``; with ``fit_if_missing``, fit it on all 1,500 dev items first if absent."""
    from pricewise.data.sources import dev_items
    from pricewise.pricers.store import fit_and_save, model_dir

    settings = get_settings()
    name = name or settings.pricers.default
    if fit_if_missing and not model_dir(name, settings).is_dir():
        print(f"fitting {name} on the 1,500 dev items (artifacts dir: {settings.artifacts_dir})")
        fit_and_save(
            name, dev_items(settings), {"trained_by": "benchmarks/deals_bench.py", "items": "dev1500"}
        )
    return resolve_pricer(name, settings)


def bench_c39(pricer_name: str | None, fit_if_missing: bool) -> None:
    pricer = trained_pricer(pricer_name, fit_if_missing)
    entries = parse_feed((FEEDS / C39).read_bytes(), C39)
    with tempfile.TemporaryDirectory() as tmp, serve_directory(FEEDS) as base:
        settings = scan_settings(Path(tmp), [base + C39])
        report = run_scan(settings, pricer)
        with open_memory(settings) as memory:
            deals = {d["id"]: d for d in memory.deals(1000)}
    opportunities = {o["id"] for o in report.opportunities}
    rows = []
    for entry in entries:
        deal, reason = extract(entry)
        row = {"title": entry.title, "url": entry.link, "dropped": reason or None}
        if deal is not None:
            stored = deals[deal_id(deal.url)]
            row.update(
                {k: stored[k] for k in ("price", "estimate", "low", "high", "discount_usd", "discount_pct")}
            )
            row["opportunity"] = deal_id(deal.url) in opportunities
        rows.append(row)
    name = report.pricer
    money = lambda v: "" if v is None else f"${v:,.2f}"
    lines = [
        f"# DealNews Computers (c39) snapshot, 2026-09-26: {len(entries)} entries",
        "",
        (
            f"Pricer: trained `{pricer_name or get_settings().pricers.default}` ({name}); thresholds: discount >= "
            f"${settings.deals.min_discount_usd:.0f} and >= {settings.deals.min_discount_pct:.0f}%"
            f"{', below the interval' if settings.deals.require_below_interval else ''}. "
            f"Machine: {describe_machine()}."
        ),
        "",
        (
            f"{report.new_deals} deals with a confident price, {len(entries) - report.new_deals} dropped, "
            f"{len(report.opportunities)} opportunities."
        ),
        "",
        "| # | title | deal price | estimate | interval | discount | opportunity / dropped because |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(rows, 1):
        interval = f"{money(r.get('low'))}-{money(r.get('high'))}" if r.get("low") is not None else ""
        verdict = r["dropped"] or ("**opportunity**" if r["opportunity"] else "no")
        lines.append(
            f"| {i} | {r['title']} | {money(r.get('price'))} | {money(r.get('estimate'))} | {interval} | "
            f"{money(r.get('discount_usd'))} | {verdict} |"
        )
    write(
        "c39",
        {
            "pricer": pricer_name,
            "class": name,
            "machine": describe_machine(),
            "report": report.to_dict(),
            "entries": rows,
        },
        "\n".join(lines) + "\n",
    )


def bench_throughput(pricer_name: str | None, copies: int, runs: int, fit_if_missing: bool) -> None:
    pricer = trained_pricer(pricer_name, fit_if_missing)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        feeds_dir = Path(tmp) / "feeds"
        for k in range(copies):
            for snapshot in GOOD_SNAPSHOTS:
                target = feeds_dir / f"copy{k}" / snapshot
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(relinked((FEEDS / snapshot).read_bytes(), f"c{k}"))
        with serve_directory(feeds_dir) as base:
            feeds = [f"{base}copy{k}/{s}" for k in range(copies) for s in GOOD_SNAPSHOTS]
            for run in track(range(runs), description="throughput scans"):
                settings = scan_settings(Path(tmp) / f"run{run}", feeds)
                start = time.perf_counter()
                report = run_scan(settings, pricer)
                seconds = time.perf_counter() - start
                assert report.ok, report.errors
                results.append(
                    {
                        "seconds": seconds,
                        "feeds": len(feeds),
                        "entries": report.entries,
                        "new_deals": report.new_deals,
                        "deals_per_s": report.new_deals / seconds,
                    }
                )
    median = statistics.median(r["deals_per_s"] for r in results)
    md = (
        f"# Deal scan throughput\n\nEnd to end (HTTP fetch from 127.0.0.1, parse, extract, de-dup, price in one "
        f"batch, one SQLite transaction), fresh memory per run, no alert channel. Pricer: trained "
        f"`{pricer_name or get_settings().pricers.default}` ({report.pricer}). Machine: {describe_machine()}.\n\n"
        f"| feeds | entries | new deals | seconds (median of {runs}) | deals/s (median) |\n|---|---|---|---|---|\n"
        f"| {results[0]['feeds']} | {results[0]['entries']} | {results[0]['new_deals']} | "
        f"{statistics.median(r['seconds'] for r in results):.2f} | {median:.1f} |\n"
    )
    write(
        "throughput",
        {
            "pricer": pricer_name,
            "class": report.pricer,
            "machine": describe_machine(),
            "runs": results,
            "median_deals_per_s": median,
        },
        md,
    )


def bench_fault(pricer_name: str | None, scans: int, fit_if_missing: bool) -> None:
    pricer = trained_pricer(pricer_name, fit_if_missing)
    feed_server, push_server = FeedServer(), PushServer()
    feed_server.slow_s = 1.5
    push_server.fail_every = 3
    crashes, errors, statuses = 0, [], Counter()
    c39 = (FEEDS / C39).read_bytes()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = scan_settings(Path(tmp), [])
            settings.deals.read_timeout_s = 1.0
            settings.deals.retries = 1
            settings.deals.backoff_s = 0.05
            settings.deals.max_bytes = 1_000_000
            settings.notify.urls = [SecretStr(push_server.apprise_url)]
            settings.notify.retries = 0
            settings.notify.retry_after_s = 0.0
            settings.notify.max_per_day = 100_000
            malformed = [
                f"{feed_server.url}/snap/malformed/{p.name}" for p in sorted((FEEDS / "malformed").iterdir())
            ]
            for i in track(range(scans), description="fault scans"):
                feed_server.custom[f"scan{i}.xml"] = (relinked(c39, f"s{i}"), "application/rss+xml")
                settings.deals.feeds = [
                    *feed_server.misbehaving,
                    *malformed,
                    f"{feed_server.url}/flaky/1/{C39}",
                    f"{feed_server.url}/custom/scan{i}.xml",
                ]
                try:
                    report = run_scan(settings, pricer)
                    errors.extend(report.errors)
                    statuses.update(f["status"] for f in report.feeds)
                except Exception as exc:  # noqa: BLE001 - counting crashes is the point
                    crashes += 1
                    errors.append(f"{type(exc).__name__}: {exc}")
            push_server.fail_every = 0
            final = run_scan(settings, pricer)  # delivers every alert still failed
            with open_memory(settings) as memory:
                opportunities = memory.opportunities(100_000)
                alerts = memory.alerts(100_000)
    finally:
        feed_server.close()
        push_server.close()
    delivered = Counter(m["message"].splitlines()[-1] for m in push_server.received)
    expected = {o["url"] for o in opportunities}
    lost = len(expected - set(delivered))
    duplicates = sum(n - 1 for n in delivered.values() if n > 1)
    retried = sum(1 for a in alerts if a["attempts"] > 1)
    alert_statuses = Counter(a["status"] for a in alerts)
    payload = {
        "scans": scans,
        "crashes": crashes,
        "scan_errors": errors,
        "lost_alerts": lost,
        "duplicate_alerts": duplicates,
        "opportunities": len(expected),
        "alerts_delivered": len(delivered),
        "push_calls": push_server.calls,
        "alerts_failed_then_retried": retried,
        "alert_statuses": dict(alert_statuses),
        "feed_fetches_by_status": dict(statuses),
        "final_drain": final.alerts,
        "machine": describe_machine(),
        "pricer": pricer_name,
        "class": final.pricer,
    }
    md = (
        f"# Deal hunting fault run\n\n{scans} scans; each reads {len(settings.deals.feeds)} feeds: a fresh copy of "
        f"the C39 snapshot, a flaky copy (500 then OK), and slow, 500, 404, redirect-loop, redirect-to-file, "
        f"truncated, oversized (streamed and declared), wrong-encoding feeds and the 5 malformed snapshots. The push "
        f"service fails every 3rd call; one extra scan at the end runs with it healthy. Pricer: trained "
        f"`{pricer_name or get_settings().pricers.default}` ({final.pricer}). Machine: {describe_machine()}.\n\n"
        f"| crashes | scan errors | lost alerts | duplicate alerts | opportunities | alerts delivered | push calls | "
        f"alerts that failed and were retried |\n|---|---|---|---|---|---|---|---|\n"
        f"| {crashes} | {len(errors)} | {lost} | {duplicates} | {len(expected)} | {len(delivered)} | "
        f"{push_server.calls} | {retried} |\n\nFeed fetches by outcome: {dict(statuses)}. Alert rows by final status: "
        f"{dict(alert_statuses)}.\n"
    )
    write("fault_run", payload, md)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["c39", "throughput", "fault"])
    parser.add_argument("--pricer", default=None, help="trained pricer name (default: pricers.default)")
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scans", type=int, default=30)
    parser.add_argument(
        "--fit-if-missing", action="store_true", help="fit the pricer on dev1500 if not trained"
    )
    parser.add_argument("--suffix", default="", help="appended to the result file names")
    args = parser.parse_args()
    SUFFIX[0] = args.suffix
    if args.what == "c39":
        bench_c39(args.pricer, args.fit_if_missing)
    elif args.what == "throughput":
        bench_throughput(args.pricer, args.copies, args.runs, args.fit_if_missing)
    else:
        bench_fault(args.pricer, args.scans, args.fit_if_missing)


if __name__ == "__main__":
    main()
