"""``pricewise serve-llm`` on a tiny randomly initialised causal LM: the real server on 127.0.0.1,
driven over HTTP by the project's own frontier client and pricer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from live_server import LiveServer, free_port

from pricewise.config import FrontierSettings, Settings, get_settings
from pricewise.data.item import Item
from pricewise.llm.server import (
    GenerationQueue,
    create_app,
    greedy_generate,
    load_served_model,
    render_prompt,
)
from pricewise.pricers import registry
from pricewise.pricers.chat_client import ChatClient
from pricewise.pricers.chat_prompts import messages_for
from pricewise.pricers.price_parsing import parse_price

from .conftest import build_model

NAME = "tiny-digit-lm"
ITEMS = [
    Item(title=t, summary=f"{t}\n{d}", id=f"pricer-test-{k}")
    for k, (t, d) in enumerate(
        [
            ("blue widget", "steel blue widget"),
            ("red gadget lamp", "a red gadget lamp"),
            ("steel lamp", "blue steel lamp 3"),
            ("red widget", "red widget 12"),
            ("blue gadget", "blue gadget lamp steel red"),
            ("steel red", "steel red 340"),
            ("widget lamp", "lamp widget"),
            ("gadget", "gadget gadget blue"),
        ]
    )
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return build_model("digit", tmp_path_factory.mktemp("serve-llm-tiny"))


@pytest.fixture(scope="module")
def served(model_dir):
    settings = Settings(serve_llm={"model": str(model_dir), "name": NAME})
    return load_served_model(settings=settings)


@pytest.fixture(scope="module")
def server(served):
    """The real app on 127.0.0.1: prompts of at most 120 tokens, 32 completion tokens, 100 kB bodies."""
    settings = Settings(
        serve_llm={"max_prompt_tokens": 120, "max_tokens_limit": 32, "max_batch": 8, "max_body_bytes": 100_000}
    )
    app = create_app(settings, served=served)
    with LiveServer(app) as url:
        yield url, app


def _client(url: str, concurrency: int = 4, model: str = NAME, **config) -> ChatClient:
    return ChatClient(
        FrontierSettings(base_url=f"{url}/v1", model=model, concurrency=concurrency, retries=2,
                         backoff_seconds=0.01, **config),
        cache=None,
    )


def _reference(served, messages, max_new: int = 8) -> tuple[list[int], list[int]]:
    """Prompt ids rendered as plain text and the greedy continuation by ``transformers.generate``."""
    import torch

    text = "\n\n".join(m["content"] for m in messages)
    prompt = served.tokenizer(text)["input_ids"]
    with torch.inference_mode():
        out = served.model.generate(
            torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
            max_new_tokens=max_new, do_sample=False, pad_token_id=served.tokenizer.pad_token_id,
        )
    return prompt, out[0, len(prompt):].tolist()


def test_prefill_is_continued_and_usage_counts_the_tokens(server, served):
    url, _ = server
    conversations = [messages_for(item) for item in ITEMS[:4]]
    assert all(c[-1] == {"role": "assistant", "content": "Price is $"} for c in conversations)
    for messages in conversations:
        body = {"model": NAME, "messages": messages, "max_tokens": 8, "temperature": 0}
        answer = httpx.post(f"{url}/v1/chat/completions", json=body, timeout=30).json()
        prompt, generated = _reference(served, messages)
        assert served.tokenizer.decode(prompt).endswith("Price is $")  # the pre-fill ends the prompt
        eos = served.tokenizer.eos_token_id
        expected = served.tokenizer.decode([t for t in generated if t != eos], skip_special_tokens=True)
        assert answer["choices"][0]["message"] == {"role": "assistant", "content": expected}
        assert answer["usage"] == {
            "prompt_tokens": len(prompt),
            "completion_tokens": len(generated),
            "total_tokens": len(prompt) + len(generated),
        }
        assert answer["model"] == NAME and answer["object"] == "chat.completion"
        assert answer["choices"][0]["finish_reason"] == ("stop" if generated[-1] == eos else "length")

    # without the pre-fill the prompt is shorter by the pre-fill's tokens, and the model starts afresh
    bare = httpx.post(
        f"{url}/v1/chat/completions", json={"messages": messages_for(ITEMS[0], prefill=False), "max_tokens": 8}
    ).json()
    prompt, _ = _reference(served, messages_for(ITEMS[0]))
    assert bare["usage"]["prompt_tokens"] == len(prompt) - 3  # "Price", "is", "$"


def test_the_frontier_pricer_prices_through_it_with_usage_cost_and_model_name(server, served, monkeypatch):
    url, _ = server
    monkeypatch.setenv("PRICEWISE_FRONTIER__BASE_URL", f"{url}/v1")
    monkeypatch.setenv("PRICEWISE_FRONTIER__MODEL", NAME)
    monkeypatch.setenv(
        "PRICEWISE_FRONTIER__PRICE_TABLE", json.dumps({NAME: {"input_per_million": 2.0, "output_per_million": 10.0}})
    )
    get_settings.cache_clear()
    pricer = registry.create("frontier").fit([])
    estimates = pricer.predict(ITEMS)
    report = pricer.last_report_
    references = [_reference(served, messages_for(item), get_settings().frontier.max_tokens) for item in ITEMS]
    prompt_tokens = sum(len(p) for p, _ in references)
    completion_tokens = sum(len(g) for _, g in references)
    assert (report.requests, report.http_calls, report.retries) == (len(ITEMS), len(ITEMS), 0)
    assert report.served_models == [NAME]
    assert (report.prompt_tokens, report.completion_tokens) == (prompt_tokens, completion_tokens)
    assert report.cost_usd == pytest.approx((prompt_tokens * 2.0 + completion_tokens * 10.0) / 1e6)
    eos = served.tokenizer.eos_token_id
    replies = [served.tokenizer.decode([t for t in g if t != eos], skip_special_tokens=True) for _, g in references]
    np.testing.assert_array_equal(estimates.estimate, np.array([parse_price(r) for r in replies]))
    # a second run is answered from the response cache, with the same usage
    again = registry.create("frontier")
    again.predict(ITEMS)
    assert again.last_report_.cache_hits == len(ITEMS) and again.last_report_.http_calls == 0
    assert again.last_report_.prompt_tokens == prompt_tokens


def test_concurrent_requests_get_the_sequential_answers(server):
    url, app = server
    conversations = [messages_for(item) for item in ITEMS] + [messages_for(item, prefill=False) for item in ITEMS]
    sequential, seq_report = _client(url, concurrency=1).complete_many(conversations)
    batches_before = app.state.generator.stats.batches
    concurrent, con_report = _client(url, concurrency=16).complete_many(conversations)
    assert concurrent == sequential
    assert (con_report.prompt_tokens, con_report.completion_tokens) == (
        seq_report.prompt_tokens,
        seq_report.completion_tokens,
    )
    assert con_report.failures == 0
    assert app.state.generator.stats.batches - batches_before <= len(conversations)


def test_a_batch_generates_what_each_prompt_generates_alone(served):
    prompts = [render_prompt(served.tokenizer, messages_for(item)) for item in ITEMS]
    budgets = [1, 2, 3, 5, 8, 8, 13, 4]
    alone = [greedy_generate(served, [p], [n])[0] for p, n in zip(prompts, budgets)]
    queue = GenerationQueue(served, max_batch=8)
    futures = [queue.submit(p, n) for p, n in zip(prompts, budgets)]  # all waiting before the worker starts
    queue.start()
    together = [f.result(timeout=60) for f in futures]
    queue.stop()
    assert together == alone
    assert (queue.stats.batches, queue.stats.largest_batch) == (1, 8)
    assert all(len(c.tokens) <= n for c, n in zip(together, budgets))

    one_at_a_time = GenerationQueue(served, max_batch=1)
    futures = [one_at_a_time.submit(p, n) for p, n in zip(prompts[:3], budgets[:3])]
    one_at_a_time.start()
    assert [f.result(timeout=60) for f in futures] == alone[:3]
    one_at_a_time.stop()
    assert (one_at_a_time.stats.batches, one_at_a_time.stats.largest_batch) == (3, 1)


def test_temperature_is_accepted_and_decoding_stays_greedy(server):
    url, _ = server
    body = {"model": NAME, "messages": messages_for(ITEMS[1]), "max_tokens": 8}
    greedy = httpx.post(f"{url}/v1/chat/completions", json=body).json()
    warm = httpx.post(f"{url}/v1/chat/completions", json=body | {"temperature": 0.9, "top_p": 0.5, "seed": 3}).json()
    assert warm["choices"][0]["message"] == greedy["choices"][0]["message"]
    # the newer max_completion_tokens name, and the default when neither is given
    short = httpx.post(f"{url}/v1/chat/completions", json=body | {"max_completion_tokens": 2}).json()
    assert short["usage"]["completion_tokens"] <= 2
    default = httpx.post(f"{url}/v1/chat/completions", json={"messages": body["messages"]}).json()
    assert default["usage"]["completion_tokens"] <= Settings().serve_llm.default_max_tokens


def test_stop_strings_cut_the_answer(server):
    url, _ = server
    body = {"messages": messages_for(ITEMS[2]), "max_tokens": 16}
    full = httpx.post(f"{url}/v1/chat/completions", json=body).json()["choices"][0]["message"]["content"]
    assert len(full) >= 2, f"the seeded tiny model must write at least two characters here, wrote {full!r}"
    stop = full[1:]
    cut = httpx.post(f"{url}/v1/chat/completions", json=body | {"stop": [stop]}).json()["choices"][0]
    assert cut["message"]["content"] == full[: full.find(stop)]
    assert cut["finish_reason"] == "stop"


def test_models_and_health(server):
    url, _ = server
    models = httpx.get(f"{url}/v1/models").json()
    assert [m["id"] for m in models["data"]] == [NAME] and models["object"] == "list"
    health = httpx.get(f"{url}/healthz").json()
    assert health["model"] == NAME and health["max_batch"] == 8


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}, 404, "is not served here"),
        ({"messages": []}, 400, "messages"),
        ({"model": NAME}, 400, "messages"),
        ({"messages": [{"role": "tool", "content": "x"}]}, 400, "messages.0.role"),
        ({"messages": [{"role": "user"}]}, 400, "no text"),
        ({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 0}, 400, "max_tokens"),
        ({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 33}, 400, "limit of 32"),
        ({"messages": [{"role": "user", "content": "hi"}], "temperature": 3}, 400, "temperature"),
        ({"messages": [{"role": "user", "content": "hi"}], "stream": True}, 400, "stream"),
        ({"messages": [{"role": "user", "content": "hi"}], "n": 2}, 400, "n=2"),
        (
            {"messages": [{"role": "user", "content": "hi"}], "response_format": {"type": "json_schema"}},
            400,
            "response_format",
        ),
        ({"messages": [{"role": "user", "content": "blue " * 200}]}, 400, "over the limit of 120"),
        ([1, 2], 400, "JSON object"),
    ],
)
def test_bad_requests_get_a_4xx_that_says_what_to_fix(server, body, status, says):
    url, _ = server
    response = httpx.post(f"{url}/v1/chat/completions", json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert says in error["message"] and error["type"] == "invalid_request_error"


def test_malformed_bodies_and_routes(server):
    url, _ = server
    response = httpx.post(
        f"{url}/v1/chat/completions", content=b'{"messages": [', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]["message"]
    latin1 = '{"messages": [{"role": "user", "content": "caf\u00e9 cr\u00e8me"}]}'.encode("latin-1")
    response = httpx.post(f"{url}/v1/chat/completions", content=latin1, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "not valid UTF-8 (byte 46)" in response.json()["error"]["message"]
    big = json.dumps({"messages": [{"role": "user", "content": "x" * 200_000}]})
    response = httpx.post(f"{url}/v1/chat/completions", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "over the limit" in response.json()["error"]["message"]
    assert httpx.get(f"{url}/v1/chat/completions").status_code == 405
    assert httpx.get(f"{url}/v1/nothing").status_code == 404


def test_a_4xx_is_a_counted_failure_in_the_client_and_not_retried(server):
    url, _ = server
    client = _client(url, model="gpt-4o-mini")
    replies, report = client.complete_many([messages_for(ITEMS[0])])
    assert replies == [None] and report.failures == 1 and report.http_calls == 1
    assert "HTTP 404" in report.errors[0] and "tiny-digit-lm" in report.errors[0]


def test_chat_template_is_used_and_a_trailing_assistant_turn_is_continued(served):
    tokenizer = served.tokenizer
    template = (
        "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }} <eos>\n{% endfor %}"
        "{% if add_generation_prompt %}[assistant] {% endif %}"
    )
    original = getattr(tokenizer, "chat_template", None)
    tokenizer.chat_template = template
    try:
        messages = messages_for(ITEMS[0])
        prefilled = render_prompt(tokenizer, messages)
        rendered = (
            f"<bos>[system] {messages[0]['content']} <eos>\n[user] {messages[1]['content']} <eos>\n"
            "[assistant] Price is $"
        )
        assert prefilled == tokenizer(rendered, add_special_tokens=False)["input_ids"]
        assert prefilled.count(tokenizer.bos_token_id) == 1
        fresh = render_prompt(tokenizer, messages[:2])
        assert fresh == tokenizer(rendered.removesuffix(" Price is $") + " ", add_special_tokens=False)["input_ids"]
    finally:
        tokenizer.chat_template = original


def test_a_lora_adapter_is_merged_and_named(model_dir, served, tmp_path):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(base, config).save_pretrained(tmp_path / "my-adapter")
    with_adapter = load_served_model(str(model_dir), adapter=tmp_path / "my-adapter", settings=Settings())
    assert with_adapter.name == f"{model_dir.name}+my-adapter"
    assert str(model_dir) in with_adapter.aliases
    prompt = render_prompt(served.tokenizer, messages_for(ITEMS[0]))
    weights = dict(with_adapter.model.named_parameters())
    assert not any("lora" in name for name in weights)  # merged
    plain = dict(served.model.named_parameters())
    changed = [n for n in plain if not torch.equal(plain[n], weights[n])]
    assert changed and all("q_proj" in n or "v_proj" in n for n in changed)
    assert greedy_generate(with_adapter, [prompt], [4])[0].tokens  # it generates


def test_pricewise_serve_llm_command(model_dir, tmp_path):
    port = free_port()
    env = os.environ | {"PRICEWISE_SERVE_LLM__MAX_BATCH": "2"}
    command = [sys.executable, "-m", "pricewise.cli", "serve-llm", "--model", str(model_dir), "--port", str(port),
               "--name", "tiny-cli"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve-llm did not start"
                time.sleep(0.5)
        assert health["model"] == "tiny-cli" and health["max_batch"] == 2
        answer = httpx.post(
            f"http://127.0.0.1:{port}/v1/chat/completions",
            json={"model": "tiny-cli", "messages": messages_for(ITEMS[0]), "max_tokens": 4},
            timeout=30,
        ).json()
        assert answer["model"] == "tiny-cli" and answer["usage"]["completion_tokens"] >= 1
    finally:
        process.terminate()
        process.wait(20)

    missing = subprocess.run(
        [sys.executable, "-m", "pricewise.cli", "serve-llm", "--model", str(model_dir),
         "--adapter", str(tmp_path / "none")],
        capture_output=True, text=True, timeout=120,
    )
    assert missing.returncode == 2 and "adapter folder" in missing.stderr and "not found" in missing.stderr
