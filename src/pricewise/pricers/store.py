"""Trained pricers on disk: ``<artifacts>/models/<name>/``. Everything that serves prices (CLI,
service, deal planner, batch engines) loads models through here."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pricewise.config import Settings, get_settings
from pricewise.data.item import Item
from pricewise.errors import ModelError
from pricewise.pricers import registry
from pricewise.pricers.base import Pricer
from pricewise.pricers.persistence import load_pricer


def model_dir(name: str, settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.models_dir / name


def load_trained(name: str | None = None, settings: Settings | None = None) -> Pricer:
    """The trained pricer ``name`` (default: ``settings.pricers.default``), read from the artifacts dir."""
    settings = settings or get_settings()
    name = name or settings.pricers.default
    directory = model_dir(name, settings)
    if not directory.is_dir():
        raise ModelError(f"no trained pricer {name!r} in {directory}: run `pricewise train --pricer {name}`")
    return load_pricer(directory, trusted_root=settings.artifacts_dir)


def fit_and_save(
    name: str,
    items: Sequence[Item],
    metadata: dict[str, Any] | None = None,
    settings: Settings | None = None,
    **params: Any,
) -> Path:
    """Fit a new ``name`` pricer on ``items`` and save it where ``load_trained`` finds it."""
    pricer = registry.create(name, **params).fit(items)
    return pricer.save(model_dir(name, settings), metadata=metadata)
