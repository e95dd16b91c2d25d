"""The pricing service over real HTTP: answers, every 4xx, auth, CORS, metrics, the deal memory."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import numpy as np
import pytest

from pricewise.pricers.store import load_trained

DRILL = {"title": "DEWALT 20V MAX cordless drill driver kit", "description": "Two batteries, charger, bag."}
WAX = {"title": "Car wash soap", "description": "Concentrated foam, 64 oz bottle."}


def post(url: str, body, **kwargs) -> httpx.Response:
    return httpx.post(f"{url}/v1/price", json=body, timeout=30, **kwargs)


def test_one_and_many_items_match_the_trained_pricer(serve, make_settings):
    pricer = load_trained(settings=make_settings())
    expected = pricer.predict(
        [
            "DEWALT 20V MAX cordless drill driver kit\nTwo batteries, charger, bag.",
            "Car wash soap\nConcentrated foam, 64 oz bottle.",
        ]
    )
    with serve() as url:
        one = post(url, DRILL)
        many = post(url, {"items": [DRILL, WAX]})
        health = httpx.get(f"{url}/healthz").json()
    assert one.status_code == 200 and many.status_code == 200
    assert one.json()["pricer"] == "tfidf" and one.json()["model_version"] == health["model_version"]
    assert health["model_version"].startswith("tfidf-")
    prices = many.json()["prices"]
    assert [p["estimate"] for p in prices] == pytest.approx(list(expected.estimate))
    assert [p["low"] for p in prices] == pytest.approx(list(expected.low))
    assert prices[0] == one.json()["prices"][0]
    assert all(p["low"] < p["estimate"] < p["high"] and p["coverage"] == 0.8 for p in prices)
    assert prices[0]["estimate"] != prices[1]["estimate"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"title": "  ", "description": ""}, 422, "item 0: title and description are both empty"),
        ({"items": [DRILL, {"title": ""}]}, 422, "item 1: title and description are both empty"),
        ({"items": []}, 422, "items is empty"),
        ({}, 422, "send a title and/or description, or a list of items"),
        ({"title": "a", "items": [DRILL]}, 422, "not both"),
        ({"title": 42}, 422, "title: Input should be a valid string"),
        ({"items": "drill"}, 422, "items: Input should be a valid list"),
        ({"items": [{"title": "drill", "price": 3}]}, 422, "items.0.price: Extra inputs are not permitted"),
        ({"title": "x" * 101}, 413, "item 0: text of 101 bytes is over the limit of 100"),
        ({"title": "é" * 51}, 413, "item 0: text of 102 bytes"),
        ({"items": [DRILL] * 4}, 413, "4 items in one request; the limit is 3"),
        ([DRILL], 422, "Input should be a valid dictionary"),
    ],
)
def test_bad_requests_get_clear_4xx(serve, body, status, message):
    with serve(max_text_bytes=100, max_items=3) as url:
        response = post(url, body)
        assert response.status_code == status, response.text
        assert message in response.json()["detail"]
        assert post(url, DRILL).status_code == 200  # nothing broke


def test_undecodable_and_oversized_bodies(serve):
    with serve(max_text_bytes=100, max_items=3) as url:
        headers = {"content-type": "application/json"}
        bad_utf8 = httpx.post(f"{url}/v1/price", content=b'{"title": "caf\xe9 table"}', headers=headers)
        not_json = httpx.post(f"{url}/v1/price", content=b'{"title": ', headers=headers)
        huge = httpx.post(f"{url}/v1/price", content=b'{"title": "' + b"a" * 100_000 + b'"}', headers=headers)
        empty = httpx.post(f"{url}/v1/price", headers=headers)
        form = httpx.post(f"{url}/v1/price", data={"title": "lamp"})
    assert bad_utf8.status_code == 400 and "not valid UTF-8 (byte 14)" in bad_utf8.json()["detail"]
    assert not_json.status_code == 400 and "not valid JSON" in not_json.json()["detail"]
    assert huge.status_code == 413 and "over the limit" in huge.json()["detail"]
    assert empty.status_code == 422 and "body: Field required" in empty.json()["detail"]
    assert form.status_code == 422


def test_bearer_token_guards_every_route_but_health(serve, caplog):
    secret = "s3cret-token-value"
    caplog.set_level(logging.DEBUG)
    with serve(token=secret) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
        for method, path in [
            ("POST", "/v1/price"),
            ("GET", "/v1/deals"),
            ("GET", "/v1/opportunities"),
            ("GET", "/metrics"),
            ("GET", "/docs"),
            ("GET", "/openapi.json"),
        ]:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": secret}):
                response = httpx.request(method, f"{url}{path}", json=DRILL, headers=headers)
                assert response.status_code == 401, (path, headers)
                assert response.headers["www-authenticate"] == "Bearer"
        good = post(url, DRILL, headers={"Authorization": f"Bearer {secret}"})
        docs = httpx.get(f"{url}/openapi.json", headers={"Authorization": f"Bearer {secret}"})
    assert good.status_code == 200
    assert "/v1/price" in docs.json()["paths"]
    assert "/v1/price" in caplog.text  # the access log was captured ...
    assert secret not in caplog.text  # ... and the key is not in it


def test_without_token_routes_are_open(serve):
    with serve() as url:
        assert post(url, DRILL).status_code == 200
        assert httpx.get(f"{url}/openapi.json").status_code == 200


def test_cors_allows_only_configured_origins(serve):
    with serve(cors_origins=["http://shop.example"], token="t") as url:
        preflight = httpx.options(
            f"{url}/v1/price",
            headers={
                "Origin": "http://shop.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        allowed = post(url, DRILL, headers={"Origin": "http://shop.example", "Authorization": "Bearer t"})
        other = post(url, DRILL, headers={"Origin": "http://evil.example", "Authorization": "Bearer t"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://shop.example"
    assert allowed.headers["access-control-allow-origin"] == "http://shop.example"
    assert "access-control-allow-origin" not in other.headers


def _metric(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def test_metrics_count_requests_statuses_and_batches(serve):
    with serve() as url:
        for _ in range(3):
            post(url, DRILL)
        post(url, {"items": [DRILL, WAX]})
        post(url, {"title": ""})
        text = httpx.get(f"{url}/metrics").text
    assert _metric(text, 'pricewise_http_requests_total{method="POST",route="/v1/price",status="200"}') == 4
    assert _metric(text, 'pricewise_http_requests_total{method="POST",route="/v1/price",status="422"}') == 1
    assert _metric(text, "pricewise_items_priced_total") == 5
    assert _metric(text, "pricewise_batch_items_sum") == 5
    assert _metric(text, 'pricewise_http_request_seconds_count{route="/v1/price"}') == 5


def test_deals_and_opportunities_come_from_the_memory(serve, make_settings):
    from pricewise.agents.memory import Memory, PricedDeal

    settings = make_settings()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with Memory(settings.deals.memory_path) as memory:
        for n in range(3):
            deal = PricedDeal(
                id=f"d{n}",
                url=f"https://example.com/{n}",
                title=f"Deal {n}",
                description="text",
                price=10.0 + n,
                retailer="Shop",
                feed="feed",
                estimate=100.0,
                low=60.0,
                high=150.0,
                is_opportunity=n != 1,
            )
            memory.record_scan(
                [deal], channels=[], report="test", started=start, now=start + timedelta(hours=n)
            )
    with serve() as url:
        deals = httpx.get(f"{url}/v1/deals").json()
        two = httpx.get(f"{url}/v1/deals", params={"limit": 2}).json()
        opportunities = httpx.get(f"{url}/v1/opportunities").json()
        bad_limit = httpx.get(f"{url}/v1/deals", params={"limit": 0})
    assert [d["id"] for d in deals["items"]] == ["d2", "d1", "d0"] and deals["count"] == 3
    assert [d["id"] for d in two["items"]] == ["d2", "d1"]
    assert [o["id"] for o in opportunities["items"]] == ["d2", "d0"]
    assert opportunities["items"][0]["discount_usd"] == pytest.approx(88.0)
    assert bad_limit.status_code == 422 and "limit" in bad_limit.json()["detail"]


def test_a_failing_pricer_gives_503_and_the_service_lives_on(serve):
    from pricewise.pricers.base import Estimates, Pricer

    class FlakyPricer(Pricer):
        """Fails on texts mentioning 'explode', as a real pricer may on a poisoned input."""

        name = "flaky"

        def fit(self, items):
            return self

        def predict(self, items):
            texts = [i if isinstance(i, str) else i.text for i in items]
            if any("explode" in t for t in texts):
                raise RuntimeError("model crashed")
            return Estimates(np.array([float(len(t)) for t in texts]))

    with serve(pricer=FlakyPricer()) as url:
        failed = post(url, {"title": "explode"})
        fine = post(url, {"title": "lamp"})
    assert failed.status_code == 503 and "pricer flaky failed" in failed.json()["detail"]
    assert fine.status_code == 200 and fine.json()["prices"][0]["estimate"] == 4.0
