"""Pricers by name. Built-ins are listed here as import paths (nothing heavy is imported until a
pricer is asked for); plugins register through the ``pricewise.pricers`` entry-point group."""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import Any

from pricewise.errors import ConfigError
from pricewise.pricers.base import Pricer

BUILTIN: dict[str, str] = {
    "random": "pricewise.pricers.baselines:RandomPricer",
    "constant": "pricewise.pricers.baselines:ConstantPricer",
    "llm": "pricewise.llm.pricer:LLMPricer",
    "llm-zero-shot": "pricewise.llm.pricer:ZeroShotLLMPricer",
    "features-lr": "pricewise.pricers.course:FeatureLinearPricer",
    "bow-lr": "pricewise.pricers.course:BagOfWordsPricer",
    "word2vec-lr": "pricewise.pricers.course:Word2VecPricer",
    "word2vec-svr": "pricewise.pricers.course:Word2VecSVRPricer",
    "word2vec-rf": "pricewise.pricers.course:Word2VecForestPricer",
    "tfidf": "pricewise.pricers.tfidf:TfidfPricer",
    "embed": "pricewise.pricers.embedding_regressor:EmbeddingPricer",
    "lgbm": "pricewise.pricers.gbm:LightGBMPricer",
    "knn": "pricewise.pricers.knn:KnnPricer",
    "frontier": "pricewise.pricers.frontier:FrontierPricer",
    "rag": "pricewise.pricers.rag:RagPricer",
    "ensemble": "pricewise.pricers.ensemble:EnsemblePricer",
}


def available() -> dict[str, str]:
    """Every known pricer name and where it lives (built-ins, then entry-point plugins)."""
    names = dict(BUILTIN)
    for ep in importlib.metadata.entry_points(group="pricewise.pricers"):
        names.setdefault(ep.name, ep.value)
    return names


def pricer_class(name: str) -> type[Pricer]:
    known = available()
    if name not in known:
        raise ConfigError(f"unknown pricer {name!r}; known: {', '.join(sorted(known))}")
    module_name, _, attr = known[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(
            f"pricer {name!r} needs an optional dependency ({exc.name}): pip install 'pricewise[all]'"
        ) from exc
    return getattr(module, attr)


def create(name: str, **params: Any) -> Pricer:
    """A new, unfitted pricer."""
    return pricer_class(name)(**params)
