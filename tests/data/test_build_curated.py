"""The default build from the curated files in the data dir, and reading built data back."""

import json

import pandas as pd
import pytest

from pricewise.data import sources
from pricewise.data.build import build_curated
from pricewise.data.dataset import read_items
from pricewise.errors import DataError


def test_default_build_writes_dev_with_folds_and_a_deduplicated_train(settings):
    report = build_curated(settings=settings)
    dev = pd.read_parquet(report.files["dev"])
    assert len(dev) == 1500
    assert (dev["fold"] == dev["id"].str.rsplit("-", n=1).str[1].astype(int) % 5).all()
    assert dev["test250"].sum() == 250
    train = pd.read_parquet(report.files["train"])
    keys = train["title"].str.lower().str.split().str.join(" ")
    assert keys.is_unique
    assert not set(keys) & set(dev["title"].str.lower().str.split().str.join(" "))
    manifest = json.loads(report.manifest_path.read_text())
    assert manifest["rows_read"] == 1500 + sum(
        len(sources.read_curated(settings.amazon_dir / f)) for f in sources.EXTRA_FILES.values()
    )
    assert manifest["rows_kept"] == len(dev) + len(train)
    assert manifest["rows_read"] - manifest["rows_kept"] == sum(manifest["skipped"].values())
    assert manifest["splits"]["dev"]["categories"]["Automotive"] == int(
        (dev["category"] == "Automotive").sum()
    )
    assert manifest["splits"]["dev"]["price"]["max"] <= 999.49


def test_the_build_is_reproducible_and_the_hash_follows_the_content(settings, tmp_path):
    first = build_curated(["lite_appliances"], settings, out_dir=tmp_path / "a")
    second = build_curated(["lite_appliances"], settings, out_dir=tmp_path / "b")
    other = build_curated(["software"], settings, out_dir=tmp_path / "c")
    assert first.manifest["content_hash"] == second.manifest["content_hash"] != other.manifest["content_hash"]
    assert first.manifest["inputs"] == ["pricer_test_dev.jsonl", "extra_lite_appliances.jsonl"]


def test_built_items_read_back_as_items(settings):
    report = build_curated(["lite_appliances"], settings)
    dev = read_items(report.files["dev"])
    assert dev[0] == sources.dev_items(settings)[0]


def test_unknown_extra_names_and_missing_data_are_clear_errors(settings, tmp_path):
    with pytest.raises(DataError, match="unknown extra training file"):
        build_curated(["nope"], settings)
    with pytest.raises(DataError, match="PRICEWISE_DATA_DIR"):
        build_curated([], settings.model_copy(update={"data_dir": tmp_path}))
    with pytest.raises(DataError, match="not a readable Parquet"):
        (tmp_path / "x.parquet").write_text("no")
        read_items(tmp_path / "x.parquet")


def test_bad_lines_in_curated_files_are_counted_not_fatal(settings, tmp_path, shared_data):
    amazon = tmp_path / "amazon"
    amazon.mkdir()
    dev_lines = (shared_data / "amazon" / sources.DEV_FILE).read_bytes().splitlines()[:20]
    good = json.loads(dev_lines[0])
    bad = [
        b"{broken",
        b"[1, 2]",
        b'{"id": "x1", "title": "Caf\xe9", "summary": "s", "price": 3}',
        json.dumps({**good, "id": "x2", "title": "No price", "price": None}).encode(),
        json.dumps({**good, "id": "x3", "title": "Free", "price": 0}).encode(),
        json.dumps({**good, "id": "x4", "title": "Too dear", "price": 1500}).encode(),
        json.dumps({**good, "id": "x5", "title": "", "summary": ""}).encode(),
    ]
    (amazon / sources.DEV_FILE).write_bytes(b"\n".join(dev_lines) + b"\n")
    (amazon / sources.EXTRA_FILES["software"]).write_bytes(b"\n".join([*bad, dev_lines[1]]) + b"\n")
    report = build_curated(
        ["software"], settings.model_copy(update={"data_dir": tmp_path}), out_dir=tmp_path / "o"
    )
    assert report.manifest["skipped"] == {
        "duplicate": 1,
        "malformed_json": 2,
        "missing_price": 1,
        "missing_text": 1,
        "not_utf8": 1,
        "price_out_of_range": 2,
    }
    assert report.manifest["rows_read"] == 20 + 8
    assert report.manifest["splits"]["dev"]["rows"] == 20 and report.manifest["splits"]["train"]["rows"] == 0
