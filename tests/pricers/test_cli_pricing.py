"""``pricewise train`` on a tiny data dir written here, then ``pricewise price``."""

import json

import pytest
from typer.testing import CliRunner

from pricewise.cli import app
from pricewise.config import get_settings
from pricewise.errors import DataError, ModelError
from tests.pricers.conftest import synthetic_items


@pytest.fixture
def tiny_data_dir(tmp_path, monkeypatch):
    amazon = tmp_path / "data" / "amazon"
    amazon.mkdir(parents=True)
    with (amazon / "pricer_test_dev.jsonl").open("w") as handle:
        for item in synthetic_items(200, seed=3):
            handle.write(json.dumps(item.to_dict()) + "\n")
    with (amazon / "extra_software.jsonl").open("w") as handle:
        for item in synthetic_items(50, seed=4, source="extra_software"):
            handle.write(json.dumps({**item.to_dict(), "id": "sw-" + item.id}) + "\n")
    monkeypatch.setenv("PRICEWISE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PRICEWISE_PRICERS__DEFAULT", "tfidf")
    get_settings.cache_clear()
    return amazon


def test_train_saves_the_default_pricer_with_its_metadata_and_price_uses_it(tiny_data_dir, settings):
    runner = CliRunner()
    result = runner.invoke(app, ["train", "--extra", "software"])
    assert result.exit_code == 0, result.output
    assert "trained tfidf on 250 items" in result.output
    meta = json.loads((get_settings().models_dir / "tfidf" / "pricer.json").read_text())
    assert meta["pricer"] == "tfidf" and meta["extras"] == ["software"] and len(meta["training_data_sha256"]) == 64
    assert "scikit-learn" in meta["libraries"] and meta["training_items"] == 250

    cheap = runner.invoke(app, ["price", "Guitar strings nickel acoustic gauge"])
    dear = runner.invoke(app, ["price", "Laptop ssd processor memory screen premium pro"])
    assert cheap.exit_code == 0 and dear.exit_code == 0
    assert "80% interval" in cheap.output and "[tfidf]" in cheap.output

    def dollars(output):
        return float(output.split()[0].lstrip("$").replace(",", ""))

    assert dollars(dear.output) > 5 * dollars(cheap.output)


def test_price_without_a_trained_model_is_a_user_error(tiny_data_dir):
    result = CliRunner().invoke(app, ["price", "A cordless drill"])
    assert isinstance(result.exception, ModelError) and "pricewise train" in str(result.exception)


@pytest.mark.parametrize("args", [["price", "   "], ["price"], ["price", "--file", "x.csv"]])
def test_bad_price_arguments_are_user_errors(args, tiny_data_dir):
    assert isinstance(CliRunner().invoke(app, args).exception, DataError)


def test_unknown_extra_file_is_refused(tiny_data_dir):
    result = CliRunner().invoke(app, ["train", "--extra", "nope"])
    assert isinstance(result.exception, DataError) and "unknown extra" in str(result.exception)


def test_train_records_the_cv_figures_of_the_matching_benchmark_row(tiny_data_dir, tmp_path, monkeypatch):
    results = tmp_path / "results"
    monkeypatch.setenv("PRICEWISE_BENCH__RESULTS_DIR", str(results))
    get_settings.cache_clear()
    figures = {m: {"value": v} for m, v in (("mae", 90.0), ("rmsle", 0.7), ("hits", 45.0))}
    for label, params in (("other", {"alpha": "2.0"}), ("match", {})):
        (results / label).mkdir(parents=True)
        row = {"label": label, "pricer": "tfidf", "params": params, "extras": [], "test250": figures}
        (results / label / "row.json").write_text(json.dumps(row))
    result = CliRunner().invoke(app, ["train", "--pricer", "tfidf", "--extra", "software"])
    assert "out-of-fold" not in result.output  # the rows ran without extras: no figures claimed
    from pricewise.pricers.training import cv_figures

    assert cv_figures("tfidf", {}, []) == {"label": "match", "test250": {"mae": 90.0, "rmsle": 0.7, "hits": 45.0}}
