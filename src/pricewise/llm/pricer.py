"""The ``llm`` pricer (a LoRA-fine-tuned causal LM) and ``llm-zero-shot`` (the base model as it is).

``fit`` fine-tunes (a GPU is the place for it; a CPU manages only tiny models); ``predict`` prices in
batches with the decoding of :mod:`pricewise.llm.decoding` and gives an interval from the quantiles
of the decoded price distribution. The model loads on the first ``predict``, not before.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from pricewise.config import get_settings
from pricewise.data.item import Item
from pricewise.errors import ConfigError, ModelError
from pricewise.pricers.base import Estimates, Pricer, as_items

STATE_FILE = "llm.json"
ADAPTER_DIR = "adapter"
METHODS = ("expected", "greedy")


def _project_path(path: Path) -> Path:
    """A relative path as given, or else relative to the source checkout (where the adapter is committed)."""
    if path.is_absolute() or path.exists():
        return path
    return Path(__file__).resolve().parents[3] / path


class LLMPricer(Pricer):
    """A causal LM that completes "Price is $", with LoRA adapter ``adapter`` (None: the base model)."""

    name: ClassVar[str] = "llm"
    gives_intervals: ClassVar[bool] = True

    def __init__(
        self,
        base_model: str | None = None,
        adapter: str | Path | None = None,
        decoding: str | None = None,
        beam: int | None = None,
        top_k: int | None = None,
        batch_size: int | None = None,
        max_prompt_tokens: int | None = None,
        preset: str | None = None,
        train_options: dict[str, Any] | None = None,
        cpu_int8: bool | None = None,
    ) -> None:
        cfg = get_settings().llm
        self.base_model = base_model or cfg.base_model
        default_adapter = _project_path(cfg.adapter) if cfg.adapter and base_model is None else None
        self.adapter = Path(adapter) if adapter is not None else default_adapter
        self.decoding = decoding or cfg.decoding
        if self.decoding not in METHODS:
            raise ConfigError(f"unknown LLM decoding {self.decoding!r}; choose one of {', '.join(METHODS)}")
        self.beam = beam or cfg.beam
        self.top_k = top_k or cfg.top_k
        self.batch_size = batch_size or cfg.batch_size
        self.max_prompt_tokens = max_prompt_tokens or cfg.max_prompt_tokens
        self.preset = preset or cfg.preset
        self.train_options = dict(train_options or {})
        self.cpu_int8 = cfg.cpu_int8 if cpu_int8 is None else bool(cpu_int8)
        self._loaded: tuple[Any, Any, Any] | None = None

    def fit(self, items: Sequence[Item]) -> LLMPricer:
        from pricewise.llm.train import preset, train

        settings = get_settings()
        runs = settings.artifacts_dir / "llm" / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        output = Path(tempfile.mkdtemp(prefix="fit-", dir=runs))
        config = preset(
            self.preset,
            base_model=self.base_model,
            max_prompt_tokens=self.max_prompt_tokens,
            output_dir=str(output),
            **self.train_options,
        )
        self.train_stats = train(config, items, settings, progress=False)
        self.adapter, self._loaded = output, None
        return self

    def _model(self) -> tuple[Any, Any, Any]:
        if self._loaded is None:
            import torch

            from pricewise.llm.decoding import PriceVocab
            from pricewise.llm.models import load_model, load_tokenizer

            cfg = get_settings().llm
            if self.adapter is not None and not Path(self.adapter).is_dir():
                raise ModelError(f"LoRA adapter {self.adapter} not found: run `pricewise finetune` or set PRICEWISE_LLM__ADAPTER")
            cuda = torch.cuda.is_available()
            if not cuda:
                torch.set_num_threads(cfg.threads)
            model = load_model(
                self.base_model,
                dtype="bfloat16" if cuda else cfg.cpu_dtype,
                adapter=self.adapter,
                cpu_int8=self.cpu_int8 and not cuda,
            )
            model = model.to("cuda" if cuda else "cpu").eval()
            tokenizer = load_tokenizer(self.base_model)
            self._loaded = (model, tokenizer, PriceVocab.from_tokenizer(tokenizer))
        return self._loaded

    def predict(self, items: Sequence[Item | str]) -> Estimates:
        from pricewise.llm.encoding import prompt_ids
        from pricewise.llm.inference import length_sorted_batches, point_estimate, price_distributions

        items = as_items(items)
        estimate, low, high = (np.full(len(items), np.nan) for _ in range(3))
        todo = [i for i, item in enumerate(items) if item.text.strip()]
        if todo:
            model, tokenizer, vocab = self._model()
            tail = (1 - get_settings().llm.interval_coverage) / 2
            prompts = [prompt_ids(tokenizer, items[i].text, self.max_prompt_tokens) for i in todo]
            # batches of similar length (less left padding); results go back to the items' own rows
            for batch in length_sorted_batches([len(p) for p in prompts], self.batch_size):
                rows = [todo[k] for k in batch]
                dists = price_distributions(
                    model, vocab, [prompts[k] for k in batch], tokenizer.pad_token_id, self.decoding, self.beam
                )
                for i, dist in zip(rows, dists):
                    estimate[i] = point_estimate(dist, self.decoding, vocab, self.top_k)
                    low[i], high[i] = dist.quantile(tail), dist.quantile(1 - tail)
        return Estimates(estimate, low, high, coverage=get_settings().llm.interval_coverage)

    def get_params(self) -> dict[str, Any]:
        params = super().get_params()
        params["adapter"] = str(self.adapter) if self.adapter is not None else None
        return params

    def save_state(self, directory: Path) -> None:
        """The adapter files (a few MB) and the parameters; the base model is named, not copied."""
        params = self.get_params()
        if self.adapter is not None:
            if not (Path(self.adapter) / "adapter_config.json").is_file():
                raise ModelError(f"{self.adapter} holds no LoRA adapter (adapter_config.json missing)")
            shutil.copytree(self.adapter, directory / ADAPTER_DIR, dirs_exist_ok=True)
            params["adapter"] = ADAPTER_DIR
        (directory / STATE_FILE).write_text(json.dumps(params, indent=2), encoding="utf-8")

    @classmethod
    def load_state(cls, directory: Path) -> LLMPricer:
        path = directory / STATE_FILE
        if not path.is_file():
            raise ModelError(f"{directory} holds no LLM pricer ({STATE_FILE} missing)")
        params = json.loads(path.read_text(encoding="utf-8"))
        if params.get("adapter"):
            params["adapter"] = directory / params["adapter"]
        return cls(**params)


class ZeroShotLLMPricer(LLMPricer):
    """The base model without fine-tuning: the yardstick the fine-tuned rows are measured against."""

    name: ClassVar[str] = "llm-zero-shot"

    def __init__(self, base_model: str | None = None, **params: Any) -> None:
        params.pop("adapter", None)
        super().__init__(base_model=base_model or get_settings().llm.base_model, adapter=None, **params)

    def fit(self, items: Sequence[Item]) -> ZeroShotLLMPricer:
        """Nothing to learn: the base model prices as it is."""
        return self
