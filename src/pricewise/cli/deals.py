"""``pricewise deals``: scan deal feeds once or on a schedule, list what was found, re-send an alert."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import typer


def _summary(report: Any) -> str:
    feeds_ok = sum(f["status"] != "error" for f in report.feeds)
    dropped = sum(report.dropped.values())
    alerts = ", ".join(f"{k} {v}" for k, v in sorted(report.alerts.items())) or "none"
    line = (
        f"{feeds_ok}/{len(report.feeds)} feeds read, {report.entries} entries, {report.new_deals} new deals "
        f"({report.already_seen} already seen, {dropped} dropped), {report.priced} priced, "
        f"{len(report.opportunities)} opportunities, alerts: {alerts}, {report.seconds:.1f}s"
    )
    return line + "".join(f"\n  error: {e}" for e in report.errors)


def _print_opportunities(report: Any) -> None:
    for o in report.opportunities:
        typer.echo(
            f"  {o['id']}  ${o['price']:,.2f} vs estimate ${o['estimate']:,.2f} "
            f"(save ${o['discount_usd']:,.2f})  {o['title'][:70]}"
        )


def snapshot_settings(stack: ExitStack, settings: Any, directory: Path) -> Any:
    """Settings that read every feed file in ``directory`` from a local HTTP server started for this run."""
    from pricewise.agents.snapshots import feed_files, serve_directory

    base = stack.enter_context(serve_directory(directory))
    settings = settings.model_copy(deep=True)
    settings.deals.feeds = [base + str(path) for path in feed_files(directory)]
    settings.deals.allow_private_addresses = True
    settings.deals.politeness_delay_s = 0.0
    # Private addresses are allowed for the local server only, so deal pages (untrusted URLs) stay unfetched.
    settings.deals.fetch_pages = False
    return settings


def register(app: typer.Typer) -> None:
    deals_app = typer.Typer(
        help="Hunt deals: scan feeds, price new deals, alert on opportunities.", no_args_is_help=True
    )
    app.add_typer(deals_app, name="deals")

    @deals_app.command("scan")
    def scan_cmd(
        once: bool = typer.Option(
            True, "--once", help="Scan once and exit: what `scan` always does (`deals watch` repeats)."
        ),
        pricer: str = typer.Option(None, "--pricer", "-p", help="Trained pricer to use (default: settings)."),
        serve_snapshots: Path = typer.Option(
            None,
            "--serve-snapshots",
            help="Serve the feed files in this folder on 127.0.0.1 and scan them (offline demo).",
        ),
        autonomous: bool = typer.Option(
            False, "--autonomous", help="Let the configured LLM plan the scan with tools."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the full scan report as JSON."),
    ) -> None:
        """Scan the configured feeds once: new deals are priced in one batch, opportunities alerted."""
        from pricewise.config import get_settings

        with ExitStack() as stack:
            settings = get_settings()
            if serve_snapshots is not None:
                settings = snapshot_settings(stack, settings, serve_snapshots)
            if autonomous:
                from pricewise.agents.autonomous import run_autonomous as run
            else:
                from pricewise.agents.planner import run_scan as run
            report = run(settings, pricer)
        if as_json:
            typer.echo(json.dumps(report.to_dict(), indent=2))
        else:
            typer.echo(_summary(report))
            _print_opportunities(report)
        if report.errors:
            raise typer.Exit(1)

    @deals_app.command("watch")
    def watch_cmd(
        every: str = typer.Option(None, "--every", help="Interval between scans: 30s, 5m, 1h (default: settings)."),
        pricer: str = typer.Option(None, "--pricer", "-p", help="Trained pricer to use (default: settings)."),
        max_scans: int = typer.Option(None, "--max-scans", help="Stop after this many scans."),
        serve_snapshots: Path = typer.Option(
            None, "--serve-snapshots", help="Scan the feed files in this folder."
        ),
    ) -> None:
        """Scan every --every until Ctrl-C / SIGTERM (the running scan finishes first)."""
        from pricewise.agents.planner import resolve_pricer, run_scan
        from pricewise.agents.scheduler import Watcher, parse_every
        from pricewise.config import get_settings

        with ExitStack() as stack:
            settings = get_settings()
            seconds = parse_every(every) if every else settings.deals.watch_every_s
            if serve_snapshots is not None:
                settings = snapshot_settings(stack, settings, serve_snapshots)
            model = resolve_pricer(pricer, settings)

            def show(report: Any) -> None:
                typer.echo(f"[{report.started_at}] {_summary(report)}")

            watcher = Watcher(lambda: run_scan(settings, model), seconds, on_report=show)
            watcher.run(max_scans)
        typer.echo(f"stopped after {watcher.scans} scans ({watcher.failures} failed)")

    @deals_app.command("list")
    def list_cmd(
        limit: int = typer.Option(20, "--limit", "-n", help="How many rows."),
        all_deals: bool = typer.Option(False, "--all", help="Every deal seen, not only opportunities."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON rows."),
    ) -> None:
        """The newest opportunities (or deals) in memory, with their alert status."""
        from rich.console import Console
        from rich.table import Table

        from pricewise.agents.planner import open_memory

        with open_memory() as memory:
            rows = memory.deals(limit) if all_deals else memory.opportunities(limit)
            for row in rows:
                row["alerts"] = ", ".join(
                    f"{a['channel']}:{a['status']}" for a in memory.alerts(opportunity_id=row["id"])
                )
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
            return
        table = Table(title="deals" if all_deals else "opportunities")
        for column in ("id", "price", "estimate", "discount", "title", "alerts", "found"):
            table.add_column(column)
        for r in rows:
            money = lambda v: "" if v is None else f"${v:,.2f}"
            table.add_row(
                r["id"],
                money(r["price"]),
                money(r["estimate"]),
                money(r["discount_usd"]),
                r["title"][:60],
                r["alerts"],
                r["found_at"],
            )
        Console().print(table)

    @deals_app.command("alert")
    def alert_cmd(
        opportunity_id: str = typer.Argument(..., help="Opportunity id from `pricewise deals list`."),
    ) -> None:
        """Re-send an opportunity's alert on every configured channel now."""
        from pricewise.agents.messenger import resend

        counts = resend(opportunity_id)
        typer.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing sent")
        if counts.get("sent", 0) == 0:
            raise typer.Exit(1)
