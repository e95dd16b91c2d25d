"""Importing a user's own catalog: column mapping, currency, every bad-row kind, the real Flipkart file."""

import csv
import io
import json

import pandas as pd
import pytest

from pricewise.data.catalog import category_label, import_catalog, parse_mapping
from pricewise.data.dataset import read_items
from pricewise.errors import ConfigError, DataError

FLIPKART_MAP = "title=name,description=description,price=retail_price,category=product_category_tree"
HEADER = ["uniq_id", "product_name", "product_category_tree", "retail_price", "description"]
TEXT = (
    "Key Features of this product: soft cotton fabric, machine washable, pack of three in assorted colours."
)


def _flipkart_csv(tmp_path):
    rows = [
        [
            "u1",
            "Alisha Solid Women's Cycling Shorts",
            '["Clothing >> Women\'s Clothing >> Shorts"]',
            "999",
            TEXT,
        ],
        ["u2", "FabHomeDecor Sofa Bed SKU1234567", '["Furniture >> Living Room"]', "₹1,299", TEXT],
        ["u3", "No price", '["Clothing"]', "", TEXT],
        ["u4", "NaN price", '["Clothing"]', "nan", TEXT],
        ["u5", "Negative price", '["Clothing"]', "-100", TEXT],
        ["u6", "Too dear", '["Clothing"]', "100000", TEXT],
        ["u7", "Too cheap", '["Clothing"]', "Rs. 30", TEXT],
        ["u8", "", '["Clothing"]', "500", TEXT],
        ["u9", "No description", '["Clothing"]', "500", ""],
        ["u10", "Latin-1 bytes", '["Clothing"]', "500", "BROKEN"],
        ["u11", "Huge description", '["Clothing"]', "500", "x" * 10_000_000],
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = tmp_path / "flipkart_like.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8").replace(b"BROKEN", b"caf\xe9 cr\xe8me"))
    return path


def test_flipkart_shaped_csv_in_inr(tmp_path, settings):
    report = import_catalog(_flipkart_csv(tmp_path), parse_mapping(FLIPKART_MAP), "INR", settings)
    manifest = report.manifest
    assert manifest["skipped"] == {
        "missing_price": 2,
        "price_out_of_range": 3,
        "missing_title": 1,
        "missing_text": 1,
        "not_utf8": 1,
        "too_large": 1,
    }
    assert manifest["rows_read"] == 11 and manifest["rows_kept"] == 2
    assert manifest["columns"]["title"] == "product_name"  # "name" found as the only *_name column
    items = read_items(report.files["items"])
    assert [(i.id, i.price, i.category) for i in items] == [
        ("u1", 11.99, "Clothing"),
        ("u2", 15.59, "Furniture"),
    ]
    assert items[1].summary.startswith("FabHomeDecor Sofa Bed\nKey Features")  # scrubbed: no part number
    assert items[0].source == "flipkart_like"
    assert report.files["items"].parent == settings.artifacts_dir / "data" / "imported"


def test_the_real_flipkart_sample(shared_data, settings):
    path = shared_data / "catalogs" / "flipkart_sample.csv"
    report = import_catalog(path, parse_mapping(FLIPKART_MAP), "INR", settings)
    frame = pd.read_csv(path)
    usd = frame["retail_price"] * settings.data.currency_rates["INR"]
    priced = frame["retail_price"].notna()
    in_range = priced & usd.between(0.5, 999.49)
    expected_kept = int((in_range & frame["description"].notna()).sum())
    manifest = report.manifest
    assert manifest["rows_read"] == len(frame) == 999
    assert manifest["rows_kept"] == expected_kept
    assert manifest["skipped"]["missing_price"] == int((~priced).sum())
    assert manifest["skipped"]["price_out_of_range"] == int((priced & ~in_range).sum())
    items = read_items(report.files["items"])
    assert all(0.5 <= i.price <= 999.49 for i in items)
    assert "Clothing" in {i.category for i in items}


def test_jsonl_and_parquet_catalogs(tmp_path, settings):
    rows = [
        {
            "sku": "a",
            "name": "Desk lamp",
            "blurb": "LED desk lamp with a dimmer and USB port.",
            "cost": "€25",
        },
        {"sku": "b", "name": "Chair", "blurb": "Office chair", "cost": 80},
    ]
    jsonl = tmp_path / "shop.jsonl"
    jsonl.write_bytes(b"\n".join(json.dumps(r).encode() for r in rows) + b"\n{broken\n\n")
    mapping = parse_mapping("title=name,description=blurb,price=cost,id=sku")
    report = import_catalog(jsonl, mapping, "EUR", settings, out=tmp_path / "out" / "shop.parquet")
    assert [i.price for i in read_items(report.files["items"])] == [27.0, 86.4]
    assert report.manifest["skipped"] == {"malformed_json": 1}
    assert (tmp_path / "out" / "shop.manifest.json").is_file()
    parquet = tmp_path / "shop.parquet"
    pd.DataFrame(rows).assign(cost=[25.0, 80.0]).to_parquet(parquet)
    again = import_catalog(parquet, mapping, "eur", settings, out=tmp_path / "p.parquet")
    assert [i.id for i in read_items(again.files["items"])] == ["a", "b"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("title", "write FIELD=COLUMN"),
        ("colour=name", "unknown field 'colour'"),
    ],
)
def test_bad_mappings_are_clear_errors(spec, message):
    with pytest.raises(DataError, match=message):
        parse_mapping(spec)


def test_missing_columns_and_fields_are_named(tmp_path, settings):
    path = tmp_path / "c.csv"
    path.write_text("label,amount\nLamp,3\n")
    with pytest.raises(DataError, match=r"no column 'cost' for price; columns are label, amount"):
        import_catalog(path, {"title": "label", "price": "cost"}, "USD", settings)
    with pytest.raises(DataError, match=r"missing field\(s\) title, price"):
        import_catalog(path, {}, "USD", settings)


def test_unknown_currency_and_format_are_clear_errors(tmp_path, settings):
    path = tmp_path / "c.csv"
    path.write_text("title,price\nLamp,3\n")
    with pytest.raises(ConfigError, match="no exchange rate for 'XYZ'"):
        import_catalog(path, {}, "XYZ", settings)
    sheet = tmp_path / "c.xlsx"
    sheet.write_text("x")
    with pytest.raises(DataError, match="unknown format '.xlsx'"):
        import_catalog(sheet, {}, "USD", settings)


def test_category_label_takes_the_top_of_a_path():
    assert category_label('["Home >> Kitchen >> Cups"]') == "Home"
    assert category_label(["Toys", "Games"]) == "Toys"
    assert category_label("Tools > Saws") == "Tools"
    assert category_label(None) == "" and category_label(float("nan")) == ""


def test_currency_rates_come_from_the_environment(tmp_path, monkeypatch):
    from pricewise.config import get_settings

    monkeypatch.setenv("PRICEWISE_DATA__CURRENCY_RATES__INR", "0.02")
    get_settings.cache_clear()
    path = tmp_path / "c.csv"
    path.write_text("title,price,description\nLamp,500,An LED desk lamp\n")
    report = import_catalog(path, {}, "INR", out=tmp_path / "inr.parquet")
    assert [i.price for i in read_items(report.files["items"])] == [10.0]
    usd = import_catalog(path, {}, "USD", out=tmp_path / "usd.parquet")  # USD needs no rate in the table
    assert [i.price for i in read_items(usd.files["items"])] == [500.0]
