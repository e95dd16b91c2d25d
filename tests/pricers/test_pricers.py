"""Every pricer of this area: fit, predict, save, load, and predict the same again."""

import numpy as np
import pytest

from pricewise.data.item import Item
from pricewise.pricers import registry
from pricewise.pricers.persistence import load_pricer
from tests.pricers.conftest import coverage, mae

#: Tiny configurations so the whole area stays fast on two cores.
CONFIGS = {
    "features-lr": {},
    "bow-lr": {},
    "word2vec-lr": {"vector_size": 16},
    "word2vec-svr": {"vector_size": 16},
    "word2vec-rf": {"vector_size": 16},
    "tfidf": {},
    "embed": {"model": "wordllama"},
    "lgbm": {"model": "wordllama", "n_estimators": 60},
    "knn": {"model": "wordllama"},
}
STRONG = ["tfidf", "embed", "lgbm", "knn"]


@pytest.fixture(scope="module")
def fitted(train_items):
    return {name: registry.create(name, **params).fit(train_items) for name, params in CONFIGS.items()}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_round_trip_gives_the_same_estimates(name, fitted, test_items, settings):
    pricer = fitted[name]
    before = pricer.predict(test_items[:50])
    directory = pricer.save(settings.models_dir / name, metadata={"note": "test"})
    loaded = load_pricer(directory)
    after = loaded.predict(test_items[:50])
    assert type(loaded) is type(pricer) and loaded.metadata["note"] == "test"
    np.testing.assert_allclose(after.estimate, before.estimate, rtol=1e-5)
    if pricer.gives_intervals:
        np.testing.assert_allclose(after.low, before.low, rtol=1e-5)
        np.testing.assert_allclose(after.high, before.high, rtol=1e-5)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_estimates_are_finite_non_negative_and_accept_raw_text(name, fitted):
    estimates = fitted[name].predict(["Cordless drill driver battery torque premium pro", "Guitar strings nickel"])
    assert len(estimates) == 2 and np.all(np.isfinite(estimates.estimate)) and np.all(estimates.estimate >= 0)


@pytest.mark.parametrize("name", ["features-lr", "word2vec-rf"] + STRONG)
def test_learns_more_than_the_mean(name, fitted, train_items, test_items):
    constant = registry.create("constant").fit(train_items).predict(test_items).estimate
    assert mae(test_items, fitted[name].predict(test_items).estimate) < 0.8 * mae(test_items, constant)


@pytest.mark.parametrize("name", STRONG)
def test_strong_pricers_give_80_percent_intervals_that_hold_on_held_out_items(name, fitted, test_items):
    estimates = fitted[name].predict(test_items)
    assert estimates.has_intervals and estimates.coverage == 0.8
    assert np.all(estimates.low <= estimates.estimate + 1e-9) and np.all(estimates.high >= estimates.estimate - 1e-9)
    assert 0.7 <= coverage(test_items, estimates.low, estimates.high) <= 0.9


@pytest.mark.parametrize("name", STRONG)
def test_empty_text_is_not_priced_but_the_rest_of_the_batch_is(name, fitted):
    estimates = fitted[name].predict(["", "Smart tv 4k hdr display premium"])
    assert np.isnan(estimates.estimate[0]) and np.isfinite(estimates.estimate[1])
    assert estimates.row(0)["estimate"] is None


def test_down_weighting_extras_pulls_estimates_towards_the_target_distribution(train_items):
    """Cheap out-of-distribution items drag a model down unless they are down-weighted."""
    cheap = [Item(title=i.title, summary=i.summary, price=1.0, id=f"x{n}", source="extra") for n, i in enumerate(train_items)]
    full = registry.create("tfidf", extra_weight=1.0).fit(train_items + cheap)
    light = registry.create("tfidf", extra_weight=0.05).fit(train_items + cheap)
    texts = [i.summary for i in train_items[:50]]
    assert np.median(light.predict(texts).estimate) > 2 * np.median(full.predict(texts).estimate)


def test_fit_refuses_data_without_prices():
    with pytest.raises(ValueError, match="priced items"):
        registry.create("tfidf").fit([Item(title="a", summary="a")])


def test_word2vec_regressor_must_be_known():
    with pytest.raises(ValueError, match="regressor"):
        registry.create("word2vec-lr", regressor="boosting")


def test_the_real_dev_items_are_the_in_distribution_source(settings):
    """Intervals are calibrated on, and extras weighted against, the dev file's items."""
    from pricewise.data.sources import dev_items
    from pricewise.pricers.log_target import calibration_index, sample_weights

    dev = dev_items(settings)[:40]
    assert np.all(sample_weights(dev, 0.1) == 1.0)
    assert calibration_index(dev).size == len(dev)
