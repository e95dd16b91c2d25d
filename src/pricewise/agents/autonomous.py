"""The autonomous variant: an LLM plans the scan with three tools (scan, estimate, notify) over any
OpenAI-compatible endpoint, under a hard cap on model turns.

The tools act on the same scanner, pricer, memory and messenger as :func:`run_scan`; what the model asks
for is checked (only deals it scanned, only estimated deals can be notified). At the end, the estimated
deals and the notified opportunities are written in one transaction and alerted, as in a plain scan.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import replace
from typing import Any

from pricewise.agents.llm_extract import LLMError, chat
from pricewise.agents.memory import PricedDeal, utcnow
from pricewise.agents.planner import ScanReport, fill_report, price_deals, resolve_pricer, scan_session
from pricewise.agents.scanner import scan
from pricewise.agents.urls import deal_id
from pricewise.config import Settings, get_settings
from pricewise.pricers.base import Pricer

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You find great deals on bargain products. Use your tools: first scan for new deals, then estimate the "
    "true value of the promising ones (several ids in one call), then notify the user of the single best deal "
    "whose estimate is well above its price. Reply with a short summary when done."
)

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "scan_deals",
            "description": "Scan the deal feeds; returns new deals (id, title, price).",
            "parameters": {"type": "object", "properties": {}},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "estimate_value",
            "description": "Estimate the true value of deals by id, in one batch.",
            "parameters": {
                "type": "object",
                "properties": {"deal_ids": {"type": "array", "items": {"type": "string"}}},
                "required": ["deal_ids"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "notify_user",
            "description": "Alert the user about one estimated deal.",
            "parameters": {
                "type": "object",
                "properties": {"deal_id": {"type": "string"}},
                "required": ["deal_id"],
            },
        },
    },
]


class _Tools:
    """The state the model's tool calls act on during one autonomous scan."""

    def __init__(self, settings: Settings, memory, fetcher, pricer: Pricer, report: ScanReport) -> None:
        self.settings, self.memory, self.fetcher, self.pricer, self.report = (
            settings,
            memory,
            fetcher,
            pricer,
            report,
        )
        self.deals: dict[str, Any] = {}
        self.priced: dict[str, PricedDeal] = {}
        self.notified: set[str] = set()

    def scan_deals(self) -> list[dict[str, Any]]:
        result = scan(self.settings, self.memory, self.fetcher)
        fill_report(result, self.report)
        self.deals = {deal_id(d.url): d for d in result.deals}
        return [{"id": k, "title": d.title, "price": d.price} for k, d in self.deals.items()]

    def estimate_value(self, deal_ids: list[str]) -> list[dict[str, Any]] | dict[str, str]:
        known = [i for i in dict.fromkeys(deal_ids) if i in self.deals and i not in self.priced]
        if not known:
            return {"error": "no unestimated scanned deal among these ids"}
        for deal in price_deals([self.deals[i] for i in known], self.pricer, self.settings.deals):
            self.priced[deal.id] = deal
        return [
            {
                "id": i,
                "price": self.priced[i].price,
                "estimate": self.priced[i].estimate,
                "low": self.priced[i].low,
                "high": self.priced[i].high,
            }
            for i in known
        ]

    def notify_user(self, deal_id: str) -> dict[str, str]:
        if deal_id not in self.priced or self.priced[deal_id].estimate is None:
            return {"error": "estimate the deal before notifying"}
        self.notified.add(deal_id)
        return {"status": "queued"}

    def call(self, name: str, arguments: str) -> Any:
        try:
            args = json.loads(arguments or "{}")
            if name not in {"scan_deals", "estimate_value", "notify_user"} or not isinstance(args, dict):
                return {"error": f"unknown tool {name!r}"}
            return getattr(self, name)(**args)
        except (TypeError, ValueError) as exc:
            return {"error": f"bad arguments for {name}: {exc}"}


def run_autonomous(settings: Settings | None = None, pricer: Pricer | str | None = None) -> ScanReport:
    """One scan planned by the LLM. Stops when the model stops calling tools or at the iteration cap."""
    settings = settings or get_settings()
    model = resolve_pricer(pricer, settings)
    started, clock = utcnow(), time.perf_counter()
    report = ScanReport(started_at=started.isoformat(timespec="seconds"), pricer=type(model).__name__)
    with scan_session(settings) as (memory, fetcher, messenger):
        alerts = Counter(messenger.deliver_due())
        tools = _Tools(settings, memory, fetcher, model, report)
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": "Find today's best deal."},
        ]
        for turn in range(settings.deals.max_agent_iterations):
            try:
                message = chat(settings.deals, {"messages": messages, "tools": TOOLS})
            except LLMError as exc:
                report.errors.append(str(exc))
                break
            calls = message.get("tool_calls") or []
            messages.append(
                {"role": "assistant", "content": message.get("content"), "tool_calls": calls or None}
            )
            if not calls:
                break
            for call in calls:
                function = call.get("function", {})
                result = tools.call(function.get("name", ""), function.get("arguments", "{}"))
                messages.append(
                    {"role": "tool", "tool_call_id": call.get("id", ""), "content": json.dumps(result)}
                )
        else:
            report.errors.append(
                f"stopped at the iteration cap ({settings.deals.max_agent_iterations} turns)"
            )
            log.warning("autonomous planner stopped at the iteration cap after %d turns", turn + 1)
        priced = [replace(d, is_opportunity=d.id in tools.notified) for d in tools.priced.values()]
        report.priced = sum(d.estimate is not None for d in priced)
        report.opportunities = [d.summary() for d in priced if d.is_opportunity]
        # No feed validators are saved: deals the model did not estimate must come back next scan.
        memory.record_scan(priced, messenger.channels, json.dumps(report.to_dict()), started)
        alerts.update(messenger.deliver_due())
        report.alerts = dict(alerts)
    report.seconds = time.perf_counter() - clock
    return report
