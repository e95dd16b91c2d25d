"""Price parsing and the course's price range."""

import math

import pytest

from pricewise.config import DataSettings
from pricewise.data.prices import checked_price, parse_price
from pricewise.data.skips import Reason, Skip

RULES = DataSettings()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12.0),
        (12.5, 12.5),
        ("12.50", 12.5),
        ("$1,299.99", 1299.99),
        ("US $5", 5.0),
        ("₹1,499", 1499.0),
        ("Rs. 300", 300.0),
        ("12.5 USD", 12.5),
        (" $ 7.25 ", 7.25),
    ],
)
def test_prices_are_parsed(value, expected):
    assert parse_price(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, "", "  ", "None", "null", "NaN", math.nan])
def test_missing_prices_are_skipped_as_missing(value):
    with pytest.raises(Skip) as caught:
        parse_price(value)
    assert caught.value.reason is Reason.MISSING_PRICE


@pytest.mark.parametrize("value", ["$10 - $20", "1.299,99", "free", "12..5", True, [12]])
def test_ambiguous_prices_are_not_guessed(value):
    with pytest.raises(Skip) as caught:
        parse_price(value)
    assert caught.value.reason is Reason.UNPARSEABLE_PRICE


@pytest.mark.parametrize("value", [0.5, 999.49, "0.50", "$999.49", 1, 240])
def test_range_boundaries_are_inclusive(value):
    assert checked_price(value, RULES) == pytest.approx(float(str(value).lstrip("$")))


@pytest.mark.parametrize("value", [0.49, 999.5, "$1,299.99", -3, "-0.01", 0, math.inf])
def test_out_of_range_prices_are_skipped(value):
    with pytest.raises(Skip) as caught:
        checked_price(value, RULES)
    assert caught.value.reason is Reason.PRICE_OUT_OF_RANGE
