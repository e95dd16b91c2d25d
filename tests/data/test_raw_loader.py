"""Local raw Amazon-Reviews-2023 files: .jsonl and .jsonl.gz, bad lines counted, wrong schemas refused."""

import json
from pathlib import Path

import pandas as pd
import pytest

from pricewise.data.build import build_raw
from pricewise.data.raw import category_from_name, read_raw_chunks
from pricewise.errors import DataError


def _bad_rows_file(tmp_path: Path, name: str, raw_row, write_jsonl) -> Path:
    """Six good rows and one row of every bad kind."""
    good = [raw_row(n, price=p) for n, p in enumerate([0.5, 12.99, "$12.99", 150, 260.5, 999.49])]
    bad = [
        "{this is not json",
        b'{"title": "Caf\xe9 grinder", "price": 20}',  # Latin-1 byte: not UTF-8
        raw_row(90, description=["x" * 10_000_000]),  # a 10 MB description
        raw_row(91, price=None),
        raw_row(92, price=""),
        raw_row(93, price="NaN"),
        raw_row(94, price=-4.0),
        raw_row(95, price="$1,299.99"),
        raw_row(96, price=0.49),
        raw_row(97, price=999.5),
        raw_row(98, title=""),
        raw_row(99, description=[], features=[], details={}),
        "",  # blank lines are not rows
    ]
    return write_jsonl(tmp_path / name, good[:3] + bad + good[3:])


EXPECTED_SKIPS = {
    "malformed_json": 1,
    "not_utf8": 1,
    "too_large": 1,
    "missing_price": 3,
    "price_out_of_range": 4,
    "missing_title": 1,
    "missing_text": 1,
}


@pytest.mark.parametrize("name", ["meta_Appliances.jsonl", "meta_Appliances.jsonl.gz"])
def test_raw_build_keeps_good_rows_and_counts_every_bad_kind(tmp_path, settings, raw_row, write_jsonl, name):
    path = _bad_rows_file(tmp_path, name, raw_row, write_jsonl)
    report = build_raw([path], settings, out_dir=tmp_path / "out")
    manifest = report.manifest
    assert manifest["skipped"] == EXPECTED_SKIPS
    assert manifest["rows_read"] == 6 + sum(EXPECTED_SKIPS.values())
    assert manifest["rows_kept"] == manifest["curated"] == 6
    kept = pd.concat(pd.read_parquet(f) for f in report.files.values())
    assert sorted(kept["price"]) == [0.5, 12.99, 12.99, 150.0, 260.5, 999.49]
    assert set(kept["category"]) == {"Appliances"}
    assert (
        json.loads((tmp_path / "out" / "manifest.json").read_text())["content_hash"]
        == manifest["content_hash"]
    )


def test_gzip_and_plain_files_give_the_same_data(tmp_path, settings, raw_row, write_jsonl):
    rows = [raw_row(n, price=10 + n) for n in range(5)] + ["{broken"]
    plain = build_raw([write_jsonl(tmp_path / "meta_Toys.jsonl", rows)], settings, out_dir=tmp_path / "a")
    gz = build_raw([write_jsonl(tmp_path / "meta_Toys.jsonl.gz", rows)], settings, out_dir=tmp_path / "b")
    assert plain.manifest["content_hash"] == gz.manifest["content_hash"]
    assert plain.manifest["skipped"] == {"malformed_json": 1}


def test_parallel_workers_give_the_same_data_as_one(tmp_path, settings, raw_row, write_jsonl):
    path = write_jsonl(tmp_path / "meta_Toys.jsonl", [raw_row(n, price=5 + n) for n in range(40)] + ["{bad"])
    one = settings.model_copy(
        update={"data": settings.data.model_copy(update={"workers": 1, "chunk_size": 7})}
    )
    two = settings.model_copy(
        update={"data": settings.data.model_copy(update={"workers": 2, "chunk_size": 7})}
    )
    a = build_raw([path], one, out_dir=tmp_path / "one")
    b = build_raw([path], two, out_dir=tmp_path / "two")
    assert a.manifest["content_hash"] == b.manifest["content_hash"]
    assert a.manifest["rows_kept"] == b.manifest["rows_kept"] == 40


def test_chunks_report_bytes_read(tmp_path, raw_row, write_jsonl):
    path = write_jsonl(tmp_path / "meta_Toys.jsonl", [raw_row(n) for n in range(5)])
    chunks = list(read_raw_chunks(path, 2))
    assert [len(lines) for lines, _ in chunks] == [2, 2, 1]
    assert chunks[-1][1] == path.stat().st_size


def test_category_comes_from_the_file_name_or_the_option_or_the_rows(
    tmp_path, settings, raw_row, write_jsonl
):
    assert category_from_name(Path("raw_meta_Musical_Instruments.jsonl.gz")) == "Musical_Instruments"
    assert category_from_name(Path("meta_Automotive.jsonl")) == "Automotive"
    assert category_from_name(Path("products.jsonl")) is None
    path = write_jsonl(tmp_path / "products.jsonl", [raw_row(1, main_category="Tools")])
    assert build_raw([path], settings, out_dir=tmp_path / "a").manifest["splits"]["train"]["categories"] == {
        "Tools": 1
    }
    named = build_raw([path], settings, category="Automotive", out_dir=tmp_path / "b")
    assert named.manifest["splits"]["train"]["categories"] == {"Automotive": 1}


def test_the_2018_schema_is_refused_naming_the_missing_field(shared_data, settings):
    with pytest.raises(DataError, match=r"2018 Amazon metadata schema.*missing field\(s\): features"):
        build_raw([shared_data / "amazon" / "raw_meta_2018_appliances_sample.jsonl"], settings)


def test_an_unknown_schema_is_refused_naming_the_missing_fields(tmp_path, settings, write_jsonl):
    path = write_jsonl(tmp_path / "catalog.jsonl", ["{oops", {"name": "Lamp", "title": "Lamp", "cost": 3}])
    with pytest.raises(DataError, match=r"missing field\(s\) features, description, details, price"):
        build_raw([path], settings)


def test_missing_and_corrupt_files_are_clear_errors(tmp_path, settings):
    with pytest.raises(DataError, match="not found"):
        build_raw([tmp_path / "nope.jsonl"], settings)
    broken = tmp_path / "meta_Toys.jsonl.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00 definitely not gzip")
    with pytest.raises(DataError, match="cannot read"):
        build_raw([broken], settings)
