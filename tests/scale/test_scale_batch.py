"""price_file with the local engine, and ``pricewise price --file`` end to end (pricewise.scale.batch)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scale_helpers import FailingPricer, LengthPricer, catalog_frame, read_output, write_catalog

from pricewise.data.sources import dev_items
from pricewise.errors import ConfigError, DataError, ModelError
from pricewise.pricers.store import fit_and_save
from pricewise.scale.batch import price_file


@pytest.fixture(scope="module")
def items():
    return dev_items()


@pytest.fixture(scope="module")
def length_pricer(items):
    return LengthPricer().fit(items)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_prices_every_row_with_the_pricer_in_the_output_format(tmp_path, items, length_pricer, suffix):
    frame = catalog_frame(items, 50)
    source = write_catalog(frame, tmp_path / f"catalog{suffix}")
    report = price_file(
        source, tmp_path / f"priced{suffix}", pricer=length_pricer, batch_size=16, progress=False
    )
    out = read_output(tmp_path / f"priced{suffix}")
    assert list(out.columns) == ["id", "estimate", "low", "high", "pricer", "error"]
    assert list(out["id"]) == list(frame["id"])
    texts = [f"{t}\n{d}" for t, d in zip(frame["title"], frame["description"])]
    expected = length_pricer.predict(texts)
    np.testing.assert_allclose(out["estimate"], expected.estimate)
    np.testing.assert_allclose(out["low"], expected.low)
    assert (out["pricer"] == "length").all() and out["error"].isna().all()
    assert (report.rows, report.priced, report.failed) == (50, 50, 0)
    assert not list(tmp_path.glob(".*partial")), "the temporary output was left behind"


def test_bad_rows_get_errors_and_the_rest_is_priced(tmp_path, items, length_pricer):
    frame = catalog_frame(items, 8)
    frame.loc[1, ["title", "description"]] = ""
    frame.loc[2, "title"] = "x" * 2_000_000
    frame.loc[3, "title"] = "POISON pill"
    frame.loc[5, "description"] = None
    source = write_catalog(frame, tmp_path / "catalog.jsonl")
    with source.open("ab") as handle:
        handle.write(b'{"id": "raw-bytes", "title": "\xff\xfe"}\n')
    report = price_file(
        source, tmp_path / "priced.parquet", pricer=FailingPricer().fit(items), batch_size=4, progress=False
    )
    out = read_output(tmp_path / "priced.parquet").set_index("id")
    assert report.rows == 9 and report.failed == 4 and report.priced == 5
    assert out.loc["sku-1", "error"] == "empty text"
    assert "over the limit" in out.loc["sku-2", "error"]
    assert out.loc["sku-3", "error"] == "pricer failed: RuntimeError: cannot price POISON"
    assert "not valid UTF-8" in out.loc["8", "error"]
    # sku-0 shared a failing batch with the POISON row: bisection still priced it.
    for good in ("sku-0", "sku-4", "sku-5", "sku-6", "sku-7"):
        assert np.isfinite(out.loc[good, "estimate"]) and pd.isna(out.loc[good, "error"])
    assert out.loc[["sku-1", "sku-2", "sku-3", "8"], "estimate"].isna().all()


def test_trained_default_pricer_is_loaded_from_the_artifacts_dir(tmp_path, items, settings):
    source = write_catalog(catalog_frame(items, 5), tmp_path / "catalog.csv")
    with pytest.raises(ModelError, match="no trained pricer 'constant'"):
        price_file(source, tmp_path / "priced.csv", progress=False)
    assert not (tmp_path / "priced.csv").exists()
    fit_and_save("constant", items)
    report = price_file(source, tmp_path / "priced.csv", progress=False)
    out = read_output(tmp_path / "priced.csv")
    mean = float(np.mean([i.price for i in items]))
    assert report.pricer == settings.pricers.default == "constant"
    np.testing.assert_allclose(out["estimate"], mean)


def test_invalid_requests_are_user_errors(tmp_path, length_pricer):
    source = write_catalog(pd.DataFrame({"title": ["a"]}), tmp_path / "c.csv")
    with pytest.raises(ConfigError, match="unknown engine 'spark'"):
        price_file(source, tmp_path / "o.csv", pricer=length_pricer, engine="spark")
    with pytest.raises(ConfigError, match="--address"):
        price_file(source, tmp_path / "o.csv", pricer=length_pricer, address="auto")
    with pytest.raises(DataError, match="overwrite the input"):
        price_file(source, source, pricer=length_pricer)
    with pytest.raises(DataError, match="unknown catalog format"):
        price_file(source, tmp_path / "o.xlsx", pricer=length_pricer)
    with pytest.raises(DataError, match="no such file"):
        price_file(tmp_path / "missing.csv", tmp_path / "o.csv", pricer=length_pricer)


def _price_cli(*args: str) -> subprocess.CompletedProcess:
    """``pricewise price ...`` in a child process, as a user runs it."""
    command = [sys.executable, "-m", "pricewise.cli", "price", *args]
    return subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), timeout=120, check=False)


def test_cli_prices_a_file(tmp_path, items):
    fit_and_save("constant", items)
    source = write_catalog(catalog_frame(items, 30), tmp_path / "catalog.parquet")
    out_path = tmp_path / "priced.jsonl"
    run = _price_cli("--file", str(source), "--out", str(out_path), "--batch-size", "7")
    assert run.returncode == 0, run.stderr
    assert "priced 30 of 30 rows (0 failed) with constant" in run.stdout
    assert len(read_output(out_path)) == 30
    bad = _price_cli("--file", str(source), "--out", str(out_path), "--engine", "dask")
    assert bad.returncode == 2 and "unknown engine 'dask'" in bad.stderr
