import numpy as np
import pytest

from pricewise.pricers.intervals import LogConformal, out_of_fold


def test_log_conformal_covers_held_out_lognormal_errors_at_the_stated_rate():
    rng = np.random.default_rng(0)
    truth = np.exp(rng.normal(4, 1, 4000))
    estimate = truth * np.exp(rng.normal(0, 0.5, truth.size))
    conformal = LogConformal(0.8).fit(truth[:2000], estimate[:2000])
    low, high = conformal.interval(estimate[2000:])
    covered = np.mean((truth[2000:] >= low) & (truth[2000:] <= high))
    assert 0.77 <= covered <= 0.83
    assert np.all(low <= estimate[2000:]) and np.all(high >= estimate[2000:])
    assert np.all(low >= 0)


def test_interval_is_multiplicative_so_it_widens_with_the_price():
    conformal = LogConformal(0.8).fit(np.array([10.0, 20, 30, 40, 50] * 10), np.array([12.0, 18, 33, 38, 52] * 10))
    low, high = conformal.interval(np.array([10.0, 1000.0]))
    assert (high[1] - low[1]) > 50 * (high[0] - low[0])


@pytest.mark.parametrize("coverage", [0, 1, 1.5])
def test_coverage_must_be_a_probability(coverage):
    with pytest.raises(ValueError):
        LogConformal(coverage)


def test_out_of_fold_never_predicts_a_row_from_a_fit_that_saw_it():
    seen = []

    def fit_predict(train, test):
        assert not set(train) & set(test)
        seen.extend(test.tolist())
        return test.astype(float) * 2

    held_out = np.array([1, 3, 5, 7, 9, 11])
    predictions = out_of_fold(fit_predict, 12, held_out, folds=3)
    assert sorted(seen) == held_out.tolist()
    assert predictions.tolist() == (held_out * 2).tolist()
