import json

import numpy as np
import pandas as pd
import pytest

from pricewise.data.sources import dev_items, fold_of, is_test250
from pricewise.errors import DataError
from pricewise.evaluation.benchmark import fold_splits, record_predictions, run_benchmark
from pricewise.evaluation.leaderboard import format_rate, human_row, load_rows, write_leaderboard
from pricewise.pricers.base import Estimates


@pytest.fixture(autouse=True)
def results_dir(tmp_path, monkeypatch):
    from pricewise.config import get_settings

    monkeypatch.setenv("PRICEWISE_BENCH__RESULTS_DIR", str(tmp_path / "bench" / "results"))
    monkeypatch.setenv("PRICEWISE_BENCH__BOOTSTRAP_RESAMPLES", "200")
    get_settings.cache_clear()
    return tmp_path / "bench" / "results"


def test_fold_of_is_id_number_mod_5():
    assert [fold_of(f"pricer-test-{n}") for n in (0, 1, 4, 5, 249, 1499)] == [0, 1, 4, 0, 4, 4]
    with pytest.raises(DataError):
        fold_of("not-a-test-id")


def test_fold_splits_partition_the_dev_items():
    items = dev_items()
    splits = fold_splits(items, 5)
    assert sorted(np.concatenate(splits).tolist()) == list(range(len(items)))
    assert all(len(s) == 300 for s in splits)
    assert all(fold_of(items[i].id) == 2 for i in splits[2])


def test_human_row_reproduces_the_published_figures(settings):
    row = human_row(settings)["test250"]
    assert row["n"] == 250
    assert round(row["mae"]["value"], 2) == 126.55
    assert round(row["rmsle"]["value"], 2) == 1.00
    assert round(row["hits"]["value"], 1) == 32.0


def test_constant_pricer_benchmark_is_out_of_fold(results_dir):
    row = run_benchmark("constant")
    oof = pd.read_csv(results_dir / "constant" / "oof.csv")
    items = dev_items()
    prices = np.array([i.price for i in items])
    folds = np.array([fold_of(i.id) for i in items])
    for k in range(5):
        expected = prices[folds != k].mean()  # trained on the other four folds only
        got = oof.loc[folds == k, "estimate"].unique()
        assert got == pytest.approx([expected])
    assert row["dev1500"]["n"] == 1500 and row["test250"]["n"] == 250
    truth = oof["truth"].to_numpy()
    assert row["dev1500"]["mae"]["value"] == pytest.approx(np.abs(oof["estimate"] - truth).mean())
    assert json.loads((results_dir / "constant" / "row.json").read_text())["label"] == "constant"


def test_record_predictions_with_intervals_and_partial_sets(results_dir):
    items = [i for i in dev_items() if is_test250(i.id)]
    truth = np.array([i.price for i in items])
    estimates = Estimates(truth * 1.1, truth * 0.9, truth * 1.2, coverage=0.8)
    row = record_predictions("perfectish", [i.id for i in items], estimates, 1.0, 100.0, "test box")
    assert "dev1500" not in row  # only test250 was recorded
    assert row["test250"]["coverage"] == pytest.approx(100.0)
    assert row["test250"]["hits"]["value"] == pytest.approx(100.0)
    with pytest.raises(DataError):
        record_predictions("partial", [i.id for i in items[:10]], estimates.take(range(10)), None, None, "x")
    with pytest.raises(DataError):
        record_predictions("unknown", ["nope"], Estimates(np.array([1.0])), None, None, "x")


def test_leaderboard_files_and_chart(results_dir):
    run_benchmark("constant")
    run_benchmark("random")
    paths = write_leaderboard()
    markdown = paths["markdown"].read_text()
    assert "| human |" in markdown and "| constant |" in markdown and "| random |" in markdown
    assert markdown.index("| constant |") < markdown.index("| random |")  # sorted by test250 error
    assert paths["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    labels = [r["label"] for r in load_rows()]
    assert labels == ["human", "constant", "random"]


def test_rates_below_ten_keep_a_decimal():
    assert [format_rate(v) for v in (None, 0.4, 9.94, 10.0, 2674.3)] == ["–", "0.4", "9.9", "10", "2,674"]
