"""The structured-output extractor and the autonomous planner against a fake OpenAI-compatible server."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from pricewise.agents.autonomous import run_autonomous
from pricewise.agents.planner import open_memory, run_scan

YXK = "https://www.dealnews.com/products/Yxk/Yxk-16-1200-p-144-Hz-HDR-IPS-Portable-Gaming-Monitor/537005.html?iref=rss-c39"
VICTUS_LINK_PART = "HP-Victus"


@pytest.fixture
def llm_settings(deal_settings, chat_server):
    deal_settings.deals.llm_base_url = chat_server.base_url
    deal_settings.deals.llm_api_key = SecretStr("sk-test")
    return deal_settings


def _links(request) -> list[str]:
    return [
        line.removeprefix("URL: ")
        for line in request["messages"][-1]["content"].splitlines()
        if line.startswith("URL: ")
    ]


def test_llm_extractor_keeps_only_confident_feed_deals(llm_settings, chat_server):
    def respond(request):
        victus = next(u for u in _links(request) if VICTUS_LINK_PART in u)
        deals = [
            {
                "product_description": "A 16-inch 1200p 144Hz portable monitor.",
                "price": 59.99,
                "url": YXK.replace("iref=rss-c39", "iref=rss-other"),
            },  # same deal, other tracking param
            {
                "product_description": "HP Victus gaming laptop.",
                "price": 375.0,
                "url": victus,
            },  # "$375 off"? no: title
            {"product_description": "Made up.", "price": 10.0, "url": "https://evil.example/not-in-feed"},
        ]
        return {"content": json.dumps({"deals": deals})}

    chat_server.respond = respond
    llm_settings.deals.extractor = "llm"
    report = run_scan(llm_settings)
    assert report.ok, report.errors
    assert report.dropped["llm: URL not in the feed"] == 1
    request = chat_server.requests[0]
    assert request["auth"] == "Bearer sk-test" and request["model"] == "gpt-4o-mini"
    assert request["response_format"]["json_schema"]["name"] == "DealSelection"
    assert '"$XXX off"' in request["messages"][0]["content"]
    with open_memory(llm_settings) as memory:
        prices = sorted(d["price"] for d in memory.deals())
    assert prices == [59.99, 375.0]


def test_llm_price_that_is_a_dollar_off_amount_is_dropped(llm_settings, chat_server, feed_server):
    feed = (
        b"<rss version='2.0'><channel><title>t</title><item><title>Samsung Galaxy Watch Ultra: up to $350 off "
        b"w/ trade-in</title><link>https://www.dealnews.com/watch/1.html</link><description>Trade in and save."
        b"</description></item></channel></rss>"
    )
    feed_server.custom["watch.xml"] = (feed, "application/rss+xml")
    llm_settings.deals.feeds = [f"{feed_server.url}/custom/watch.xml"]
    llm_settings.deals.extractor = "llm"
    chat_server.respond = lambda r: {
        "content": json.dumps(
            {
                "deals": [
                    {
                        "product_description": "Samsung Galaxy Watch Ultra",
                        "price": 350,
                        "url": "https://www.dealnews.com/watch/1.html",
                    }
                ]
            }
        )
    }
    report = run_scan(llm_settings)
    assert report.dropped == {"llm: price is a '$X off' amount": 1}
    assert report.new_deals == 0


def test_llm_garbage_or_500_is_a_reported_scan_error(llm_settings, chat_server):
    llm_settings.deals.extractor = "llm"
    chat_server.respond = lambda r: {"content": "Sure! Here are some deals: ..."}
    report = run_scan(llm_settings)
    assert "not a DealSelection" in report.errors[0]
    chat_server.respond = lambda r: None
    assert "500" in run_scan(llm_settings).errors[0]
    with open_memory(llm_settings) as memory:
        assert memory.deals() == []


def test_llm_extractor_without_endpoint_is_a_config_error(deal_settings):
    deal_settings.deals.extractor = "llm"
    report = run_scan(deal_settings)
    assert "PRICEWISE_DEALS__LLM_BASE_URL" in report.errors[0]


def _tool_call(n: int, name: str, args: dict) -> dict:
    return {"id": f"call_{n}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


def test_autonomous_planner_scans_estimates_and_notifies(llm_settings, chat_server, push_server):
    def respond(request):
        tool_results = [json.loads(m["content"]) for m in request["messages"] if m["role"] == "tool"]
        assert {t["function"]["name"] for t in request["tools"]} == {
            "scan_deals",
            "estimate_value",
            "notify_user",
        }
        if not tool_results:
            return {"content": None, "tool_calls": [_tool_call(1, "scan_deals", {})]}
        if len(tool_results) == 1:
            ids = [d["id"] for d in tool_results[0][:3]]
            return {"content": None, "tool_calls": [_tool_call(2, "estimate_value", {"deal_ids": ids})]}
        if len(tool_results) == 2:
            best = max(tool_results[1], key=lambda d: d["estimate"] - d["price"])
            return {
                "content": None,
                "tool_calls": [
                    _tool_call(3, "notify_user", {"deal_id": best["id"]}),
                    _tool_call(4, "notify_user", {"deal_id": "made-up"}),
                ],
            }
        assert tool_results[-1] == {"error": "estimate the deal before notifying"}
        return {"content": "Notified the user about the Acer monitor."}

    chat_server.respond = respond
    report = run_autonomous(llm_settings)
    assert report.ok, report.errors
    assert report.priced == 3 and len(report.opportunities) == 1
    assert report.opportunities[0]["title"].startswith("Refurb Acer PM161Q")  # $40 vs $400: the best of the 3
    assert report.alerts == {"sent": 1} and len(push_server.received) == 1
    with open_memory(llm_settings) as memory:
        assert (
            len(memory.deals()) == 3
        )  # only what was estimated is remembered; the rest comes back next scan
    assert run_scan(llm_settings).new_deals == 15


def test_autonomous_planner_stops_at_the_iteration_cap(llm_settings, chat_server):
    llm_settings.deals.max_agent_iterations = 3
    chat_server.respond = lambda r: {"content": None, "tool_calls": [_tool_call(1, "scan_deals", {})]}
    report = run_autonomous(llm_settings)
    assert len(chat_server.requests) == 3
    assert report.errors == ["stopped at the iteration cap (3 turns)"]
