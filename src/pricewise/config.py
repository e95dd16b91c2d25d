"""The one typed place for configuration.

Precedence, highest first: keyword arguments, environment variables (``PRICEWISE_`` prefix, nested
with ``__``, e.g. ``PRICEWISE_DEALS__MIN_DISCOUNT_USD=60``), a ``.env`` file, a TOML file
(``pricewise.toml`` in the working directory, or the path in ``PRICEWISE_CONFIG``), then defaults.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

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

    default: str = "constant"
    extras: list[str] = Field(default_factory=list)


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
