"""Curation of one raw 2023 row: the course's order of checks and the Llama-3 token budget."""

import pytest

from pricewise.config import DataSettings
from pricewise.data.curate import Chunk, curate_chunk, curate_row, parse_record
from pricewise.data.skips import Reason, Skip
from pricewise.data.tokens import load_tokenizer

RULES = DataSettings()


@pytest.fixture(scope="module")
def llama3():
    return load_tokenizer("llama3")


def test_llama3_tokenizer_has_one_token_per_integer_below_1000(llama3):
    assert len(llama3.encode("Price is $765.00")) == 6
    assert llama3.decode(llama3.encode("Price is $765.00")) == "Price is $765.00"


def test_curated_summary_is_scrubbed_title_then_text_within_150_to_160_tokens(raw_row, llama3):
    item = curate_row(raw_row(7), RULES, llama3, "Appliances")
    title_line, text = item.summary.split("\n", 1)
    assert title_line == "Acme Fridge Filter 7 Model"  # the part number WF2CB12345X is gone
    assert text.startswith("This replacement water filter fits most side-by-side refrigerators")
    assert 150 < len(llama3.encode(item.summary)) <= 160 + 1  # decode/encode may merge one boundary
    assert item.price == 49.99 and item.category == "Appliances" and item.id == "B000000007"
    assert item.title == "Acme Fridge Filter 7 Model WF2CB12345X"


def test_details_join_the_text_without_the_removed_noise(raw_row, llama3):
    row = raw_row(description=["Short description of a sturdy item."], features=[])
    row["details"] = {
        "Brand": "Acme",
        "Batteries Included?": "No",
        "Date First Available": "May 1, 2020",
        "Material": "Stainless steel " + "with a brushed finish and rounded edges " * 30,
    }
    item = curate_row(row, RULES, llama3)
    assert "Brand Acme" in item.summary and "Material Stainless steel" in item.summary
    assert "Batteries" not in item.summary and "Date First" not in item.summary
    assert item.category == "Appliances"  # from main_category when the source gives none


def test_text_of_300_characters_or_fewer_is_too_short(raw_row, llama3):
    row = raw_row(description=["x" * 290], features=[], details={})
    row_len = len(
        "x" * 290 + "\n" + "{}\n"
    )  # description + the empty details JSON, as the course joined them
    assert row_len <= 300
    with pytest.raises(Skip) as caught:
        curate_row(row, RULES, llama3)
    assert caught.value.reason is Reason.TOO_SHORT


def test_150_tokens_or_fewer_is_too_few(raw_row, llama3):
    row = raw_row(
        description=["supercalifragilistic " * 20], features=[], details={}
    )  # > 300 chars, few tokens
    with pytest.raises(Skip) as caught:
        curate_row(row, RULES, llama3)
    assert caught.value.reason is Reason.TOO_FEW_TOKENS
    assert curate_row(row, RULES.model_copy(update={"min_tokens": 50}), llama3).summary


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"price": None}, Reason.MISSING_PRICE),
        ({"price": ""}, Reason.MISSING_PRICE),
        ({"price": "None"}, Reason.MISSING_PRICE),
        ({"price": float("nan")}, Reason.MISSING_PRICE),
        ({"price": -5}, Reason.PRICE_OUT_OF_RANGE),
        ({"price": "$1,299.99"}, Reason.PRICE_OUT_OF_RANGE),
        ({"price": 0.49}, Reason.PRICE_OUT_OF_RANGE),
        ({"price": 999.5}, Reason.PRICE_OUT_OF_RANGE),
        ({"title": None}, Reason.MISSING_TITLE),
        ({"title": "   "}, Reason.MISSING_TITLE),
        ({"description": [], "features": [], "details": ""}, Reason.MISSING_TEXT),
        ({"description": None, "features": None, "details": None}, Reason.MISSING_TEXT),
        ({"description": ["a" * 2_000_000]}, Reason.TOO_LARGE),
    ],
)
def test_bad_rows_are_skipped_with_their_reason(raw_row, llama3, change, reason):
    with pytest.raises(Skip) as caught:
        curate_row(raw_row(**change), RULES, llama3)
    assert caught.value.reason is reason


@pytest.mark.parametrize("price", [0.5, 999.49, "$12.99", "999.49"])
def test_boundary_and_string_prices_are_kept(raw_row, llama3, price):
    assert curate_row(raw_row(price=price), RULES, llama3).price == float(str(price).lstrip("$"))


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (b"{not json", Reason.MALFORMED_JSON),
        (b"[1, 2]", Reason.MALFORMED_JSON),
        (b'{"title": "caf\xe9"}', Reason.NOT_UTF8),
        (b'{"title": "' + b"a" * 1_000_001 + b'"}', Reason.TOO_LARGE),
    ],
)
def test_unreadable_lines_are_skipped_with_their_reason(record, reason):
    with pytest.raises(Skip) as caught:
        parse_record(record, RULES)
    assert caught.value.reason is reason


def test_a_chunk_counts_every_skip_and_numbers_rows_without_asin(raw_row):
    import json

    no_asin = raw_row(3)
    del no_asin["parent_asin"]
    records = [
        json.dumps(raw_row(1)).encode(),
        b"{broken",
        json.dumps(raw_row(2, price=None)).encode(),
        no_asin,
    ]
    result = curate_chunk(Chunk(records, "meta_Appliances", "Appliances", start=100), RULES)
    assert [item.id for item in result.items] == ["B000000001", "meta_Appliances-103"]
    assert {item.source for item in result.items} == {"meta_Appliances"}
    assert result.skipped.as_dict() == {"malformed_json": 1, "missing_price": 1}
