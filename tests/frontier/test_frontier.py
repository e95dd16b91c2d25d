import logging
import math

import numpy as np
import pytest

from pricewise.config import get_settings
from pricewise.data.item import Item
from pricewise.pricers import registry
from pricewise.pricers.chat_prompts import SYSTEM_PROMPT, messages_for, user_prompt
from pricewise.pricers.response_cache import ResponseCache

ITEMS = [
    Item(title=f"Widget {i}", summary=f"Widget {i}\nA sturdy widget, model {i}.", id=f"w{i}")
    for i in range(6)
]


def test_prompt_is_the_courses():
    messages = messages_for(ITEMS[0])
    assert messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert messages[1]["content"] == "How much does this cost?\n\nWidget 0\nA sturdy widget, model 0."
    assert messages[2] == {"role": "assistant", "content": "Price is $"}
    assert len(messages_for(ITEMS[0], prefill=False)) == 2
    assert "nearest dollar" not in user_prompt(ITEMS[0])


def test_prices_a_batch_through_the_endpoint(fake_openai):
    pricer = registry.create("frontier").fit([])
    estimates = pricer.predict(ITEMS)
    assert np.allclose(estimates.estimate, 100.0)
    report = pricer.last_report_
    assert (report.requests, report.http_calls, report.failures) == (6, 6, 0)
    assert report.prompt_tokens == 600 and report.completion_tokens == 18
    # gpt-4o-mini at $0.15 / $0.60 per million tokens
    assert report.cost_usd == pytest.approx((600 * 0.15 + 18 * 0.60) / 1e6)
    body = fake_openai.bodies[0]
    assert body["model"] == "gpt-4o-mini" and body["messages"][-1] == {
        "role": "assistant",
        "content": "Price is $",
    }
    assert fake_openai.auth[0] == "Bearer sk-test-secret"


def test_second_run_is_served_from_the_cache(fake_openai, settings):
    first = registry.create("frontier").predict(ITEMS)
    calls = fake_openai.calls
    fake_openai.default = "500"  # anything that reached the server now would fail
    pricer = registry.create("frontier")
    second = pricer.predict(ITEMS)
    assert fake_openai.calls == calls
    assert np.array_equal(first.estimate, second.estimate)
    assert pricer.last_report_.cache_hits == 6 and pricer.last_report_.http_calls == 0
    assert len(ResponseCache(settings.artifacts_dir / "cache" / "frontier_responses.sqlite")) == 6


def test_another_model_is_not_served_from_that_cache(fake_openai):
    registry.create("frontier").predict(ITEMS[:2])
    pricer = registry.create("frontier", model="gpt-4o")
    pricer.predict(ITEMS[:2])
    assert pricer.last_report_.http_calls == 2 and fake_openai.bodies[-1]["model"] == "gpt-4o"


def test_rate_limit_then_success_is_retried(fake_openai):
    fake_openai.script.extend(["429", "429"])
    pricer = registry.create("frontier")
    estimates = pricer.predict(ITEMS[:1])
    assert estimates.estimate[0] == 100.0
    assert pricer.last_report_.retries == 2 and pricer.last_report_.http_calls == 3


def test_persistent_server_errors_give_nan_and_a_counted_failure(fake_openai, caplog):
    fake_openai.default = "500"
    pricer = registry.create("frontier")
    with caplog.at_level(logging.WARNING):
        estimates = pricer.predict(ITEMS[:2])
    assert np.isnan(estimates.estimate).all()
    report = pricer.last_report_
    assert report.failures == 2
    assert report.http_calls == 2 * (get_settings().frontier.retries + 1)
    assert "HTTP 500" in report.errors[0]
    assert "sk-test-secret" not in caplog.text


def test_failures_are_not_cached(fake_openai):
    fake_openai.default = "500"
    registry.create("frontier").predict(ITEMS[:1])
    fake_openai.default = "ok"
    assert registry.create("frontier").predict(ITEMS[:1]).estimate[0] == 100.0


def test_client_errors_are_not_retried(fake_openai, monkeypatch):
    monkeypatch.setenv("PRICEWISE_FRONTIER__BASE_URL", fake_openai.url + "/wrong")
    get_settings.cache_clear()
    pricer = registry.create("frontier")
    assert math.isnan(pricer.predict(ITEMS[:1]).estimate[0])
    assert pricer.last_report_.http_calls == 1 and "HTTP 404" in pricer.last_report_.errors[0]


def test_timeout_is_retried_then_answered(fake_openai):
    fake_openai.script.append("timeout")
    pricer = registry.create("frontier")
    assert pricer.predict(ITEMS[:1]).estimate[0] == 100.0
    assert pricer.last_report_.retries == 1
    assert "timed out" not in " ".join(pricer.last_report_.errors)


def test_timeouts_every_time_fail_that_item_only(fake_openai, monkeypatch):
    monkeypatch.setenv("PRICEWISE_FRONTIER__RETRIES", "1")
    monkeypatch.setenv("PRICEWISE_FRONTIER__CONCURRENCY", "1")
    get_settings.cache_clear()
    fake_openai.script.extend(["timeout", "timeout"])
    pricer = registry.create("frontier")
    estimates = pricer.predict(ITEMS[:2])
    assert math.isnan(estimates.estimate[0]) and estimates.estimate[1] == 100.0
    assert "timed out" in pricer.last_report_.errors[0]


def test_garbage_and_commas_in_replies(fake_openai, monkeypatch):
    monkeypatch.setenv("PRICEWISE_FRONTIER__CONCURRENCY", "1")
    get_settings.cache_clear()
    fake_openai.script.extend(["garbage", "comma", "malformed"])
    fake_openai.default = "malformed"
    pricer = registry.create("frontier")
    estimates = pricer.predict(ITEMS[:3])
    assert math.isnan(estimates.estimate[0])
    assert estimates.estimate[1] == pytest.approx(1299.99)
    assert math.isnan(estimates.estimate[2])
    assert pricer.last_report_.failures == 2


def test_structured_output_asks_for_a_number_field(fake_openai, monkeypatch):
    monkeypatch.setenv("PRICEWISE_FRONTIER__STRUCTURED_OUTPUT", "true")
    get_settings.cache_clear()
    fake_openai.answer = lambda body: '{"price": 42.5}'
    estimates = registry.create("frontier").predict(ITEMS[:1])
    assert estimates.estimate[0] == 42.5
    body = fake_openai.bodies[0]
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["price"]
    assert body["messages"][-1]["role"] == "user"  # no pre-filled assistant turn with a schema


def test_unreachable_endpoint_fails_the_batch_softly(monkeypatch):
    monkeypatch.setenv("PRICEWISE_FRONTIER__BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("PRICEWISE_FRONTIER__RETRIES", "0")
    get_settings.cache_clear()
    pricer = registry.create("frontier")
    assert np.isnan(pricer.predict(["A lamp\nbright"]).estimate).all()
    assert "connection failed" in pricer.last_report_.errors[0]


def test_report_names_the_model_that_answered_even_from_the_cache(fake_openai):
    fake_openai.served_model = "gemma-3-270m-it"
    first = registry.create("frontier")
    first.predict(ITEMS[:2])
    again = registry.create("frontier")
    again.predict(ITEMS[:2])
    assert first.last_report_.served_models == again.last_report_.served_models == ["gemma-3-270m-it"]
    assert again.last_report_.http_calls == 0
