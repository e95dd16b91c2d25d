"""``pricewise serve-llm``: a small OpenAI-compatible chat endpoint over a local causal LM.

Routes: ``POST /v1/chat/completions``, ``GET /v1/models``, ``GET /healthz``. The model (any Hugging
Face id or path, or the offline Gemma 3 270M alias, optionally with a LoRA adapter) is loaded once,
when the app is created, with the project's loader (:mod:`pricewise.llm.models`).

- Messages are rendered with the tokenizer's chat template when it has one, else as plain text: the
  contents joined by blank lines (the offline Gemma is a base model). An assistant message last in the
  list is a pre-fill: the model continues it (the frontier pricer pre-fills "Price is $"), and the
  answer holds only the continuation, as OpenAI-style servers do.
- Decoding is greedy; ``temperature``, ``top_p`` and ``seed`` are accepted and change nothing.
- One worker thread owns the model. Requests waiting while it generates are taken together (up to
  ``serve_llm.max_batch``), left-padded, and decoded in one forward pass per token over a shared
  KV cache; ``max_batch = 1`` serves them strictly one at a time.
- The answer names the model that answered and counts prompt and completion tokens, so the frontier
  pricer's usage and cost accounting works. A bad request is a 4xx whose message says what to fix,
  in OpenAI's ``{"error": {"message": ...}}`` shape.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
import uuid
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pricewise.config import Settings, get_settings
from pricewise.errors import ModelError

if TYPE_CHECKING:
    from fastapi import FastAPI
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------- model


@dataclass
class ServedModel:
    """A loaded causal LM, its tokenizer, and the name it answers under."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    name: str
    #: Names a request may ask for (the served name and the names it was loaded by).
    aliases: frozenset[str]
    eos_ids: frozenset[int]
    #: The most positions the model handles (prompt plus completion); None when unknown.
    context: int | None = None


def default_name(model: str, adapter: Path | str | None = None) -> str:
    """``gemma-3-270m`` for the offline alias, the folder name for a local path, else the hub id;
    ``+<adapter folder>`` when an adapter is on top."""
    from pricewise.llm.models import OFFLINE_GEMMA

    if model == OFFLINE_GEMMA:
        base = "gemma-3-270m"
    elif Path(model).exists():
        base = Path(model).resolve().name
    else:
        base = model
    return f"{base}+{Path(adapter).resolve().name}" if adapter else base


def load_served_model(
    model: str | None = None,
    adapter: Path | str | None = None,
    name: str | None = None,
    settings: Settings | None = None,
) -> ServedModel:
    """Load ``model`` (default ``serve_llm.model``, else ``llm.base_model``) for serving."""
    import torch

    from pricewise.llm.models import load_model, load_tokenizer

    settings = settings or get_settings()
    cfg = settings.serve_llm
    model = model or cfg.model or settings.llm.base_model
    adapter = adapter if adapter is not None else cfg.adapter
    if adapter is not None and not Path(adapter).is_dir():
        raise ModelError(f"LoRA adapter folder {adapter} not found")
    cuda = torch.cuda.is_available()
    dtype = cfg.dtype or ("bfloat16" if cuda else settings.llm.cpu_dtype)
    if not cuda:
        torch.set_num_threads(cfg.threads or settings.llm.threads)
    log.info("loading %s%s (%s)", model, f" + adapter {adapter}" if adapter else "", dtype)
    lm = load_model(model, dtype=dtype, adapter=adapter, settings=settings)
    lm = lm.to("cuda" if cuda else "cpu").eval()
    tokenizer = load_tokenizer(model, settings)
    eos = lm.generation_config.eos_token_id if lm.generation_config is not None else None
    eos_ids = {eos} if isinstance(eos, int) else set(eos or [])
    if tokenizer.eos_token_id is not None:
        eos_ids.add(tokenizer.eos_token_id)
    served_name = name or cfg.name or default_name(model, adapter)
    return ServedModel(
        model=lm,
        tokenizer=tokenizer,
        name=served_name,
        aliases=frozenset({served_name, model, default_name(model, adapter)}),
        eos_ids=frozenset(eos_ids),
        context=getattr(lm.config, "max_position_embeddings", None),
    )


# ---------------------------------------------------------------------------------------- rendering


class RequestError(Exception):
    """A request the server cannot answer as sent: ``status`` and a message saying what to fix."""

    def __init__(self, message: str, status: int = 400, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.param, self.code = status, param, code


def message_text(content: str | list[Any] | None) -> str:
    """A message's text: a string, or the concatenated ``text`` parts of a list."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(part.text for part in content)


def render_prompt(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]]) -> list[int]:
    """The prompt's token ids. With a chat template, a trailing assistant message is continued
    (``continue_final_message``), else the generation prompt is added. Without one, the contents are
    joined by blank lines and the model continues the last of them."""
    prefill = messages[-1]["role"] == "assistant"
    if getattr(tokenizer, "chat_template", None):
        try:
            text = tokenizer.apply_chat_template(
                messages,
                tokenize=False,
                add_generation_prompt=not prefill,
                continue_final_message=prefill,
            )
        except Exception as exc:  # jinja's TemplateError, or a template that rejects a role
            raise RequestError(f"the model's chat template rejected the messages: {exc}") from exc
        # The rendered text already holds the template's special tokens (BOS included).
        return list(tokenizer(text, add_special_tokens=False)["input_ids"])
    text = "\n\n".join(m["content"] for m in messages if m["content"])
    if not text.strip():
        raise RequestError("the messages hold no text", param="messages")
    return list(tokenizer(text)["input_ids"])


# --------------------------------------------------------------------------------------- generation


@dataclass
class Completion:
    """Token ids generated for one prompt (the stop token included) and why generation stopped."""

    tokens: list[int]
    finish_reason: Literal["stop", "length"]


def greedy_generate(served: ServedModel, prompts: list[list[int]], max_new: list[int]) -> list[Completion]:
    """Greedy completions of left-padded ``prompts`` in one batch: a prompt pass, then one-token steps
    over the KV cache; only the last position's logits are computed."""
    import torch

    from pricewise.llm.encoding import collate

    model = served.model
    device = next(model.parameters()).device
    pad = served.tokenizer.pad_token_id
    batch = collate([{"input_ids": p} for p in prompts], 0 if pad is None else pad, padding_side="left")
    ids, mask = batch["input_ids"].to(device), batch["attention_mask"].to(device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    out = [Completion([], "length") for _ in prompts]
    active = [n > 0 for n in max_new]
    with torch.inference_mode():
        step = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1)
        position = positions[:, -1:]
        for _ in range(max(max_new)):
            chosen = step.logits[:, -1].argmax(-1)
            for row, token in enumerate(chosen.tolist()):
                if not active[row]:
                    continue
                out[row].tokens.append(token)
                if token in served.eos_ids:
                    out[row].finish_reason, active[row] = "stop", False
                elif len(out[row].tokens) >= max_new[row]:
                    active[row] = False
            if not any(active):
                break
            mask = torch.cat([mask, mask.new_ones(len(prompts), 1)], dim=1)
            position = position + 1
            step = model(
                input_ids=chosen[:, None],
                attention_mask=mask,
                position_ids=position,
                past_key_values=step.past_key_values,
                use_cache=True,
                logits_to_keep=1,
            )
    return out


@dataclass
class _Job:
    prompt: list[int]
    max_new: int
    future: Future = field(default_factory=Future)


@dataclass
class GenerationStats:
    requests: int = 0
    batches: int = 0
    largest_batch: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    generation_seconds: float = 0.0


class GenerationQueue:
    """One worker thread owns the model: it takes the jobs waiting when it is free (up to
    ``max_batch``) and generates them together. ``submit`` is thread-safe."""

    def __init__(self, served: ServedModel, max_batch: int = 8) -> None:
        self.served = served
        self.max_batch = max(1, max_batch)
        self.stats = GenerationStats()
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, prompt: list[int], max_new: int) -> Future:
        job = _Job(prompt, max_new)
        self._jobs.put(job)
        return job.future

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="serve-llm-generate", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _take(self) -> tuple[list[_Job], bool]:
        """The next batch, and whether the queue was told to stop."""
        first = self._jobs.get()
        if first is None:
            return [], True
        jobs, stop = [first], False
        while len(jobs) < self.max_batch:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                stop = True
                break
            jobs.append(job)
        return jobs, stop

    def _run(self) -> None:
        while True:
            jobs, stop = self._take()
            jobs = [job for job in jobs if job.future.set_running_or_notify_cancel()]
            if jobs:
                self._generate(jobs)
            if stop:
                return

    def _generate(self, jobs: list[_Job]) -> None:
        started = time.perf_counter()
        try:
            results = greedy_generate(self.served, [j.prompt for j in jobs], [j.max_new for j in jobs])
        except Exception as exc:  # the batch fails, the server keeps serving
            log.exception("generation failed for a batch of %d", len(jobs))
            for job in jobs:
                job.future.set_exception(exc)
            return
        stats = self.stats
        stats.requests += len(jobs)
        stats.batches += 1
        stats.largest_batch = max(stats.largest_batch, len(jobs))
        stats.prompt_tokens += sum(len(j.prompt) for j in jobs)
        stats.completion_tokens += sum(len(r.tokens) for r in results)
        stats.generation_seconds += time.perf_counter() - started
        for job, result in zip(jobs, results):
            job.future.set_result(result)


# ---------------------------------------------------------------------------------------- schemas


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = None


class ChatRequest(BaseModel):
    """The fields of OpenAI's chat request this server reads; other fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    model: str | None = None
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, ge=0, le=1)
    seed: int | None = None
    n: int = Field(1, ge=1)
    stream: bool = False
    stop: str | list[str] | None = None
    response_format: dict[str, Any] | None = None


def openai_error(message: str, status: int = 400, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    """OpenAI's error body: ``{"error": {"message", "type", "param", "code"}}``."""
    kind = "invalid_request_error" if status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _error(status: int, message: str, param: str | None = None, code: str | None = None) -> Any:
    from fastapi.responses import JSONResponse

    return JSONResponse(openai_error(message, status, param, code), status_code=status)


def _validation_error(request: Any, exc: Any) -> Any:
    errors = exc.errors()
    invalid = [e for e in errors if e.get("type") == "json_invalid"]
    if invalid:
        reason = invalid[0].get("ctx", {}).get("error", "")
        return _error(400, f"request body is not valid JSON: {reason}")
    if any(tuple(e["loc"]) == ("body",) for e in errors):
        return _error(400, "the request body must be a JSON object (Content-Type: application/json)")
    lines = [f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in errors]
    return _error(400, "; ".join(lines))


def _apply_stop(text: str, stop: str | list[str] | None) -> tuple[str, bool]:
    """``text`` cut before the first stop string, and whether one was found."""
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    cuts = [text.find(s) for s in stops if s and s in text]
    return (text[: min(cuts)], True) if cuts else (text, False)


# -------------------------------------------------------------------------------------------- app


def create_app(settings: Settings | None = None, served: ServedModel | None = None) -> FastAPI:
    """The app. ``served`` defaults to ``load_served_model(settings=settings)``: the model is loaded
    here, once, so a model that cannot load stops the command at start-up."""
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from pricewise.service.middleware import BodyGuard

    settings = settings or get_settings()
    cfg = settings.serve_llm
    served = served or load_served_model(settings=settings)
    generator = GenerationQueue(served, cfg.max_batch)
    created = int(time.time())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        generator.start()
        log.info("serving %s, batches of up to %d", served.name, generator.max_batch)
        yield
        await asyncio.to_thread(generator.stop)

    app = FastAPI(
        title="pricewise serve-llm",
        summary="An OpenAI-compatible chat endpoint over a local causal LM (greedy decoding).",
        lifespan=lifespan,
        exception_handlers={RequestValidationError: _validation_error},
    )
    app.state.generator = generator
    app.state.served = served

    @app.exception_handler(RequestError)
    async def request_error(request: Request, exc: RequestError) -> Any:
        return _error(exc.status, str(exc), exc.param, exc.code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        return _error(exc.status_code, str(exc.detail))

    def check(request: ChatRequest) -> tuple[list[int], int]:
        """The prompt's token ids and the completion budget, or a RequestError."""
        if request.model and request.model not in served.aliases:
            raise RequestError(
                f"model {request.model!r} is not served here; this server serves {served.name!r} (GET /v1/models)",
                status=404,
                param="model",
                code="model_not_found",
            )
        if request.stream:
            raise RequestError("stream=true is not supported: ask without streaming", param="stream")
        if request.n != 1:
            raise RequestError(f"n={request.n}: greedy decoding gives one choice, ask with n=1", param="n")
        fmt = (request.response_format or {}).get("type", "text")
        if fmt != "text":
            raise RequestError(
                f"response_format {fmt!r} is not supported (plain text only): ask without it",
                param="response_format",
            )
        max_new = request.max_completion_tokens or request.max_tokens or cfg.default_max_tokens
        if max_new > cfg.max_tokens_limit:
            raise RequestError(
                f"max_tokens={max_new} is over this server's limit of {cfg.max_tokens_limit}", param="max_tokens"
            )
        messages = [
            {"role": "system" if m.role == "developer" else m.role, "content": message_text(m.content)}
            for m in request.messages
        ]
        prompt = render_prompt(served.tokenizer, messages)
        if len(prompt) > cfg.max_prompt_tokens:
            raise RequestError(
                f"the prompt has {len(prompt)} tokens, over the limit of {cfg.max_prompt_tokens} "
                "(serve_llm.max_prompt_tokens)",
                param="messages",
                code="context_length_exceeded",
            )
        if served.context and len(prompt) + max_new > served.context:
            raise RequestError(
                f"the prompt's {len(prompt)} tokens plus max_tokens={max_new} exceed the model's "
                f"context of {served.context} positions",
                param="messages",
                code="context_length_exceeded",
            )
        return prompt, max_new

    @app.post("/v1/chat/completions", tags=["chat"])
    async def chat_completions(request: ChatRequest) -> dict[str, Any]:
        """A greedy completion; a trailing assistant message is continued (pre-fill)."""
        prompt, max_new = check(request)
        try:
            result: Completion = await asyncio.wrap_future(generator.submit(prompt, max_new))
        except Exception as exc:
            raise RequestError(f"generation failed: {exc!r}", status=500) from None
        tokenizer = served.tokenizer
        kept = [t for t in result.tokens if t not in served.eos_ids]
        text = tokenizer.decode(kept, skip_special_tokens=True)
        text, stopped = _apply_stop(text, request.stop)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": served.name,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "logprobs": None,
                    "finish_reason": "stop" if stopped else result.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": len(prompt),
                "completion_tokens": len(result.tokens),
                "total_tokens": len(prompt) + len(result.tokens),
            },
        }

    @app.get("/v1/models", tags=["chat"])
    def models() -> dict[str, Any]:
        """The one model this server answers with."""
        return {
            "object": "list",
            "data": [{"id": served.name, "object": "model", "created": created, "owned_by": "pricewise"}],
        }

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, Any]:
        """The served model and what the generator has done so far."""
        stats = generator.stats
        return {
            "status": "ok",
            "model": served.name,
            "max_batch": generator.max_batch,
            "requests": stats.requests,
            "batches": stats.batches,
            "largest_batch": stats.largest_batch,
            "prompt_tokens": stats.prompt_tokens,
            "completion_tokens": stats.completion_tokens,
            "generation_seconds": round(stats.generation_seconds, 3),
        }

    app.add_middleware(BodyGuard, max_bytes=cfg.max_body_bytes, shape=openai_error)
    return app
