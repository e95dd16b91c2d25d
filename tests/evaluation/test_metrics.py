import numpy as np
import pytest

from pricewise.evaluation.metrics import bootstrap, colours, evaluate, hit_rate, mean_absolute_error, rmsle


def test_metrics_match_hand_computed_values():
    truth = np.array([100.0, 10.0, 500.0])
    estimate = np.array([110.0, 30.0, 300.0])
    assert mean_absolute_error(truth, estimate) == pytest.approx((10 + 20 + 200) / 3)
    expected = np.sqrt(((np.log(101) - np.log(111)) ** 2 + (np.log(11) - np.log(31)) ** 2 + (np.log(501) - np.log(301)) ** 2) / 3)
    assert rmsle(truth, estimate) == pytest.approx(expected)
    # 100->110 (err 10 < 40): green; 10->30 (err 20 < 40): green; 500->300 (err 200, 40%): red
    assert hit_rate(truth, estimate) == pytest.approx(200 / 3)


def test_rmsle_clips_negative_estimates_at_zero():
    assert rmsle(np.array([9.0]), np.array([-5.0])) == pytest.approx(np.log(10))


@pytest.mark.parametrize(
    ("truth", "estimate", "expected"),
    [
        (1000.0, 1039.99, "green"),  # under $40
        (1000.0, 1040.0, "green"),  # 4% of truth: under 20%
        (100.0, 139.9, "green"),
        (100.0, 140.0, "orange"),  # $40 and 40%: not green, but under $80
        (300.0, 379.9, "orange"),  # $79.9
        (300.0, 380.0, "orange"),  # $80 but 26.7% < 40%
        (100.0, 180.0, "red"),  # $80 and 80%
        (1000.0, 1199.0, "green"),  # 19.9%
        (1000.0, 1200.0, "orange"),  # 20% exactly is not under 20%
        (1000.0, 1400.0, "red"),  # 40% exactly
    ],
)
def test_colour_boundaries(truth, estimate, expected):
    assert colours(np.array([truth]), np.array([estimate]))[0] == expected


def test_bootstrap_interval_contains_point_estimate_and_is_reproducible():
    rng = np.random.default_rng(1)
    truth = rng.uniform(1, 900, 300)
    estimate = truth * rng.lognormal(0, 0.5, 300)
    first = bootstrap(truth, estimate, resamples=1000, seed=0)
    second = bootstrap(truth, estimate, resamples=1000, seed=0)
    for name, metric in first.items():
        assert metric.low <= metric.value <= metric.high, name
        assert metric.low < metric.high
        assert second[name] == metric


def test_evaluate_counts_failures_and_interval_coverage():
    truth = np.array([10.0, 20.0, 30.0, 40.0])
    estimate = np.array([10.0, np.nan, 33.0, 20.0])
    low = np.array([5.0, 0.0, 31.0, 10.0])
    high = np.array([15.0, 0.0, 40.0, 30.0])
    result = evaluate(truth, estimate, low, high, resamples=50)
    assert (result.n, result.failed) == (3, 1)
    assert result.mae.value == pytest.approx((0 + 3 + 20) / 3)
    assert result.coverage == pytest.approx(100 / 3)  # only the first truth is inside its interval
    assert result.mean_width == pytest.approx((10 + 9 + 20) / 3)


def test_evaluate_refuses_all_failures():
    with pytest.raises(ValueError):
        evaluate(np.array([1.0]), np.array([np.nan]))
