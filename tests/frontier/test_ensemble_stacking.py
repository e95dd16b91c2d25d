import re
import shutil

import numpy as np
import pytest

from pricewise.config import get_settings
from pricewise.data.item import Item
from pricewise.errors import ConfigError
from pricewise.pricers import registry
from pricewise.pricers.base import Estimates, Pricer, as_items
from pricewise.pricers.ensemble import EnsemblePricer
from pricewise.pricers.persistence import load_pricer

_HINT = re.compile(r"hint ([0-9.]+)")


class HintPricer(Pricer):
    """A member that reads a noisy price hint from the text (NaN where there is none)."""

    name = "hint"

    def fit(self, items):
        return self

    def predict(self, items):
        values = [_HINT.search(item.text) for item in as_items(items)]
        return Estimates(np.array([float(m.group(1)) if m else np.nan for m in values]))


class LookupPricer(Pricer):
    """Memorises training prices by id: it can only 'predict' items it was trained on."""

    name = "lookup"

    def fit(self, items):
        self.prices_ = {item.id: item.price for item in items}
        return self

    def predict(self, items):
        return Estimates(np.array([self.prices_.get(item.id, np.nan) for item in as_items(items)]))


class FlakyPricer(HintPricer):
    """A hint reader whose service can go down after training (``down = True``)."""

    name = "flaky"
    down = False

    def predict(self, items):
        if self.down:
            raise ConnectionError("service unavailable")
        return Estimates(super().predict(items).estimate * 1.5)


@pytest.fixture(autouse=True)
def members(monkeypatch):
    for name, cls in {"hint": HintPricer, "lookup": LookupPricer, "flaky": FlakyPricer}.items():
        monkeypatch.setitem(registry.BUILTIN, name, f"{__name__}:{cls.__name__}")
    FlakyPricer.down = False


def make_items(n, seed, hint_every=1):
    rng = np.random.default_rng(seed)
    prices = np.exp(rng.uniform(1, 6, n))
    noisy = prices * np.exp(rng.normal(0, 0.2, n))
    return [
        Item(
            title=f"Thing {seed}-{i}",
            summary=f"Thing {seed}-{i}\n" + (f"hint {noisy[i]:.2f}" if i % hint_every == 0 else "no hint"),
            price=float(prices[i]),
            id=f"t{seed}-{i}",
        )
        for i in range(n)
    ]


def mae(items, estimates):
    return float(np.mean(np.abs(np.array([i.price for i in items]) - estimates.estimate)))


def test_stacks_members_and_beats_the_weak_one():
    train, test = make_items(200, 0), make_items(100, 1)
    ensemble = registry.create("ensemble", members=["constant", "hint"]).fit(train)
    weights = ensemble.weights_
    assert weights["kind"] == "nnls-log" and weights["constant"] >= 0 and weights["hint"] > 0.8
    result = ensemble.predict(test)
    assert not result.fallback.any() and result.missing == ()
    assert result.members_used[0] == ("constant", "hint")
    constant = registry.create("constant").fit(train).predict(test)
    assert mae(test, result) < 0.5 * mae(test, constant)


def test_member_predictions_for_the_stacker_are_out_of_fold():
    ensemble = EnsemblePricer(members=["lookup", "hint"]).fit(make_items(100, 0))
    # a memoriser cannot price items it was not trained on: in-fold leakage would show up here
    assert np.isnan(ensemble.oof_["lookup"]).all()
    assert ("hint",) in ensemble.stackers_ and ("lookup", "hint") not in ensemble.stackers_


def test_member_down_at_prediction_time_falls_back_and_says_so():
    ensemble = EnsemblePricer(members=["constant", "flaky"]).fit(make_items(200, 0))
    test = make_items(50, 1)
    full = ensemble.predict(test)
    FlakyPricer.down = True
    degraded = ensemble.predict(test)
    assert degraded.missing == ("flaky",) and degraded.fallback.all()
    assert set(degraded.members_used) == {("constant",)}
    expected = ensemble.stackers_[("constant",)].predict(
        np.full((50, 1), ensemble.members_["constant"].mean_)
    )
    assert np.allclose(degraded.estimate, expected)
    assert np.isfinite(degraded.estimate).all() and not np.allclose(degraded.estimate, full.estimate)


def test_items_a_member_cannot_price_use_the_others():
    ensemble = EnsemblePricer(members=["constant", "hint"]).fit(make_items(200, 0, hint_every=2))
    result = ensemble.predict(make_items(10, 1, hint_every=2))
    assert np.isfinite(result.estimate).all()
    assert result.fallback.tolist() == [False, True] * 5
    assert result.members_used[1] == ("constant",)


def test_frontier_member_outage_falls_back(fake_openai):
    train = make_items(60, 0)
    fake_openai.answer = lambda body: _HINT.search(body["messages"][1]["content"]).group(1)
    ensemble = EnsemblePricer(members=["constant", "frontier"], inner_folds=3).fit(train)
    assert ensemble.weights_["frontier"] > 0.5
    fake_openai.default = "500"
    result = ensemble.predict(make_items(5, 1))
    assert result.fallback.all() and np.isfinite(result.estimate).all()


def test_saved_ensemble_loads_without_a_lost_member(settings):
    # built-in members only: loading refuses classes outside the pricewise package
    ensemble = EnsemblePricer(members=["constant", "random"]).fit(make_items(100, 0))
    directory = ensemble.save(settings.models_dir / "ensemble")
    test = make_items(20, 1)
    loaded = load_pricer(directory, trusted_root=settings.artifacts_dir)
    assert np.allclose(loaded.predict(test).estimate, ensemble.predict(test).estimate)
    shutil.rmtree(directory / "members" / "random")
    degraded = load_pricer(directory, trusted_root=settings.artifacts_dir).predict(test)
    assert (
        degraded.missing == ("random",) and degraded.fallback.all() and np.isfinite(degraded.estimate).all()
    )


def test_course_linear_stacker_uses_min_and_max():
    ensemble = EnsemblePricer(members=["constant", "hint"], stacker="linear").fit(make_items(200, 0))
    assert set(ensemble.weights_) == {"kind", "intercept", "constant", "hint", "min", "max"}
    assert np.isfinite(ensemble.predict(make_items(10, 1)).estimate).all()


def test_default_members_come_from_settings(monkeypatch):
    monkeypatch.setenv("PRICEWISE_ENSEMBLE__MEMBERS", '["constant", "hint"]')
    get_settings.cache_clear()
    ensemble = registry.create("ensemble").fit(make_items(50, 0))
    assert ensemble.member_names_ == ("constant", "hint")


@pytest.mark.parametrize(
    "params",
    [
        {"members": []},
        {"members": ["hint", "hint"]},
        {"members": ["ensemble"]},
        {"members": ["hint"], "stacker": "magic"},
    ],
)
def test_bad_configurations_are_user_errors(params):
    with pytest.raises(ConfigError):
        EnsemblePricer(**params).fit(make_items(50, 0))


def test_unknown_member_is_a_user_error():
    with pytest.raises(ConfigError):
        EnsemblePricer(members=["no-such-pricer"]).fit(make_items(50, 0))


def test_intervals_cover_about_the_stated_share_also_in_fallback():
    ensemble = EnsemblePricer(members=["constant", "flaky"], coverage=0.8).fit(make_items(400, 0))
    test = make_items(400, 1)
    truth = np.array([i.price for i in test])
    full = ensemble.predict(test)
    assert full.coverage == 0.8
    inside = (full.low <= truth) & (truth <= full.high)
    assert 0.7 < inside.mean() < 0.9
    FlakyPricer.down = True
    degraded = ensemble.predict(test)
    # the constant-only stacker is far less sure, and says so with wider intervals
    assert np.median(degraded.high / degraded.low) > 3 * np.median(full.high / full.low)
    assert 0.7 < ((degraded.low <= truth) & (truth <= degraded.high)).mean() < 0.9
