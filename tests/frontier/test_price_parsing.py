import math

import pytest

from pricewise.pricers.price_parsing import parse_price


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("$1,299.99", 1299.99),
        ("1,299", 1299.0),
        ("Price is $99.00", 99.0),
        ("about 45 dollars", 45.0),
        ("45-50", 47.5),
        ("$45 to $50", 47.5),
        ("between 10 and 20 dollars", 15.0),
        ("1299.99 USD", 1299.99),
        (".99", 0.99),
        ('{"price": 12.5}', 12.5),
        ('{"price": "$1,000"}', 1000.0),
        ("12 - 10", 12.0),  # a descending "range" is not a range: the first number
    ],
)
def test_prices_are_read_by_the_documented_rules(reply, expected):
    assert parse_price(reply) == pytest.approx(expected)


@pytest.mark.parametrize(
    "reply", [None, "", "I cannot help with that.", "-5", "0", "0.00", '{"price": null}', '{"price": true}']
)
def test_no_price_is_nan_never_zero(reply):
    assert math.isnan(parse_price(reply))
