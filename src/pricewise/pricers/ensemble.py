"""The stacked ensemble: registered pricers as members, a stacker trained on their out-of-fold
predictions (:mod:`pricewise.pricers.stackers`).

``fit`` cross-fits every member inside the training items (inner folds) to get honest predictions
for the stacker, fits one stacker per subset of members, then refits the members on all items.
Fitting a stacker for every subset is what lets ``predict`` fall back: when a member is down (an API
outage, a model that failed to load) or gives NaN for an item, that item is priced by the stacker of
the members that did answer, and the result says which members were used.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pricewise.config import get_settings
from pricewise.data.item import Item
from pricewise.errors import ConfigError
from pricewise.pricers import registry
from pricewise.pricers.base import Estimates, Pricer, as_items
from pricewise.pricers.intervals import LogConformal
from pricewise.pricers.stackers import STACKERS, Stacker, combine, fit_subset_stackers

log = logging.getLogger(__name__)

MAX_MEMBERS = 8
STATE_FILE = "ensemble.joblib"


@dataclass(frozen=True)
class EnsembleEstimates(Estimates):
    """Estimates plus, for each item, the members whose predictions were combined, and the members
    that were unavailable for the whole batch. ``fallback`` marks items priced without every member."""

    members_used: tuple[tuple[str, ...], ...] = ()
    missing: tuple[str, ...] = ()
    members: tuple[str, ...] = ()

    @property
    def fallback(self) -> np.ndarray:
        return np.array([used != self.members for used in self.members_used], dtype=bool)


class EnsemblePricer(Pricer):
    """Stacks ``members`` (registry names; default ``settings.ensemble.members``) with ``stacker``."""

    name = "ensemble"
    gives_intervals = True

    def __init__(
        self,
        members: Sequence[str] | None = None,
        member_params: dict[str, dict[str, Any]] | None = None,
        stacker: str | None = None,
        inner_folds: int | None = None,
        coverage: float | None = None,
        seed: int = 42,
    ):
        self.members = list(members) if members is not None else None
        self.member_params = member_params
        self.stacker = stacker
        self.inner_folds = inner_folds
        self.coverage = coverage
        self.seed = seed

    def _resolved(self) -> tuple[list[str], str, int]:
        config = get_settings().ensemble
        members = self.members if self.members is not None else list(config.members)
        stacker = self.stacker or config.stacker
        folds = self.inner_folds or config.inner_folds
        if not members or len(members) > MAX_MEMBERS or len(set(members)) != len(members):
            raise ConfigError(f"an ensemble needs 1..{MAX_MEMBERS} distinct members, got {members}")
        if "ensemble" in members:
            raise ConfigError("an ensemble cannot contain itself")
        unknown = sorted(set(members) - set(registry.available()))
        if unknown:
            raise ConfigError(
                f"unknown ensemble member(s) {unknown}; known: {', '.join(sorted(registry.available()))}"
            )
        if stacker not in STACKERS:
            raise ConfigError(f"unknown stacker {stacker!r}; known: {', '.join(STACKERS)}")
        return members, stacker, folds

    def _new_member(self, name: str) -> Pricer:
        return registry.create(name, **(self.member_params or {}).get(name, {}))

    def _inner_oof(self, name: str, items: list[Item], folds: int) -> np.ndarray:
        """Out-of-fold predictions of a fresh ``name`` on ``items`` (NaN where it gave none)."""
        from sklearn.model_selection import KFold

        oof = np.full(len(items), np.nan)
        for train_index, test_index in KFold(folds, shuffle=True, random_state=self.seed).split(items):
            member = self._new_member(name).fit([items[i] for i in train_index])
            oof[test_index] = member.predict([items[i] for i in test_index]).estimate
        return oof

    def fit(self, items: Sequence[Item]) -> EnsemblePricer:
        members, stacker, folds = self._resolved()
        items = [item for item in items if item.has_price]
        if len(items) < 2 * folds:
            raise ValueError(f"the ensemble needs at least {2 * folds} priced items, got {len(items)}")
        truth = np.array([item.price for item in items], dtype=float)
        columns, fitted = {}, {}
        for name in members:
            try:
                columns[name] = self._inner_oof(name, items, folds)
                fitted[name] = self._new_member(name).fit(items)
            except Exception as exc:  # noqa: BLE001 - a member that cannot be trained is left out, loudly
                log.warning("ensemble member %r left out: it failed to train (%s)", name, exc)
        if not fitted:
            raise ValueError(f"no ensemble member could be trained out of {members}")
        self.members_: dict[str, Pricer] = fitted
        self.member_names_: tuple[str, ...] = tuple(fitted)
        self.stackers_: dict[tuple[str, ...], Stacker] = fit_subset_stackers(
            {name: columns[name] for name in self.member_names_}, truth, stacker
        )
        self.oof_ = {name: columns[name] for name in self.member_names_}
        self.conformal_ = self._calibrate(items, truth)
        return self

    def _calibrate(self, items: list[Item], truth: np.ndarray) -> dict[tuple[str, ...], LogConformal]:
        """Interval of each subset's stacker from its residuals on the inner out-of-fold predictions,
        on the in-domain items when there are enough of them (the distribution we are asked to price)."""
        settings = get_settings().pricers
        in_domain = np.array([item.source in settings.in_domain_sources for item in items])
        rows = in_domain if in_domain.sum() >= 20 else np.ones(len(items), dtype=bool)
        names = self.member_names_
        matrix = np.column_stack([self.oof_[n] for n in names])
        conformal = {}
        for subset, stacker in self.stackers_.items():
            sub = matrix[:, [names.index(n) for n in subset]]
            usable = rows & np.isfinite(sub).all(axis=1)
            if usable.sum() >= 2:
                estimate = stacker.predict(sub[usable])
                conformal[subset] = LogConformal(self.coverage or settings.interval_coverage).fit(
                    truth[usable], estimate
                )
        return conformal

    @property
    def weights_(self) -> dict[str, Any]:
        """The full stacker's weights by feature, for reports."""
        subset = self.member_names_
        stacker = self.stackers_[subset]
        labels = list(subset) + (["min", "max"] if stacker.kind == "linear" else [])
        return {
            "kind": stacker.kind,
            "intercept": stacker.intercept,
            **dict(zip(labels, stacker.weights.tolist())),
        }

    def predict(self, items: Sequence[Item | str]) -> EnsembleEstimates:
        batch = as_items(items)
        names = self.member_names_
        matrix = np.full((len(batch), len(names)), np.nan)
        missing = [name for name in names if name not in self.members_]
        for j, name in enumerate(names):
            if name in missing:
                continue
            try:
                matrix[:, j] = self.members_[name].predict(batch).estimate
            except Exception as exc:  # noqa: BLE001 - a member down must not take the ensemble down
                log.warning("ensemble member %r failed to predict, falling back without it (%s)", name, exc)
                missing.append(name)
        estimate, used = combine(matrix, names, self.stackers_)
        low, high = np.full(len(batch), np.nan), np.full(len(batch), np.nan)
        for subset in set(used):
            rows = np.array([u == subset for u in used])
            if subset in self.conformal_:
                low[rows], high[rows] = self.conformal_[subset].interval(estimate[rows])
        result = EnsembleEstimates(
            estimate,
            low,
            high,
            self.coverage or get_settings().pricers.interval_coverage,
            members_used=tuple(used),
            missing=tuple(missing),
            members=names,
        )
        fallbacks = int(result.fallback.sum())
        if fallbacks:
            log.warning("ensemble priced %d of %d items without every member", fallbacks, len(batch))
        return result

    def save_state(self, directory: Path) -> None:
        """Members are saved each in their own folder (some cannot be pickled), stackers with joblib."""
        import joblib

        from pricewise.pricers.persistence import save_pricer

        for name, member in self.members_.items():
            save_pricer(member, Path(directory) / "members" / name, {})
        state = {
            "params": self.get_params(),
            "stackers": self.stackers_,
            "conformal": self.conformal_,
            "members": list(self.member_names_),
        }
        joblib.dump(state, Path(directory) / STATE_FILE)

    @classmethod
    def load_state(cls, directory: Path) -> EnsemblePricer:
        """Loads the members it can; one that is missing or broken is logged and left out."""
        import joblib

        from pricewise.errors import ModelError
        from pricewise.pricers.persistence import load_pricer

        state = joblib.load(Path(directory) / STATE_FILE)
        pricer = cls(**state["params"])
        pricer.stackers_ = state["stackers"]
        pricer.conformal_ = state["conformal"]
        pricer.member_names_ = tuple(state["members"])
        pricer.members_ = {}
        for name in state["members"]:
            try:
                pricer.members_[name] = load_pricer(
                    Path(directory) / "members" / name, trusted_root=directory
                )
            except (ModelError, OSError, ImportError) as exc:
                log.warning(
                    "ensemble member %r not loaded, the ensemble falls back without it (%s)", name, exc
                )
        if not pricer.members_:
            raise ModelError(f"{directory}: none of the ensemble members {state['members']} could be loaded")
        return pricer
