"""Each of the course's scrub rules."""

import json

import pytest

from pricewise.config import DataSettings
from pricewise.data.scrub import scrub, scrub_details

RULES = DataSettings()


@pytest.mark.parametrize(
    "noise",
    [
        '"Batteries Included?": "No"',
        '"Batteries Included?": "Yes"',
        '"Batteries Required?": "No"',
        '"Batteries Required?": "Yes"',
    ],
)
def test_battery_flags_are_cut_from_details(noise):
    details = '{"Brand": "Acme", ' + noise + "}"
    assert scrub_details(details, RULES.detail_removals) == '{"Brand" "Acme", }'


def test_noise_words_are_cut_from_details():
    details = json.dumps(
        {
            "Is Discontinued By Manufacturer": "No",
            "Item Weight": "2 pounds",
            "Date First Available": "May 1, 2020",
            "Package Dimensions": "5 x 4 x 1 inches",
            "Number of Items": "1",
            "Best Sellers Rank": {"Tools": 12},
            "Product Dimensions": "3 x 3 x 3 inches",
            "Part Number": "X1",
        }
    )
    cleaned = scrub_details(details, RULES.detail_removals)
    for removed in (
        "By Manufacturer",
        "Item",
        "Date First",
        "Package",
        ":",
        "Number of",
        "Best Sellers",
        "Product ",
    ):
        assert removed not in cleaned
    assert cleaned == (
        '{"Is Discontinued " "No", " Weight" "2 pounds", " Available" "May 1, 2020", " Dimensions" '
        '"5 x 4 x 1 inches", " s" "1", " Rank" {"Tools" 12}, "Dimensions" "3 x 3 x 3 inches", "Part " "X1"}'
    )


def test_json_punctuation_and_whitespace_fold_to_single_spaces():
    assert scrub('{"Brand": ["Acme"]}\n\n\tColor:\u3010Red\u3011', 7) == "Brand Acme Color Red"


def test_commas_are_tidied():
    assert scrub("red , green,,,blue,,white", 7) == "red, green,blue,white"


def test_long_words_with_digits_are_dropped_as_part_numbers():
    assert (
        scrub("Filter WF2CB12345X for LG LT700P fridges 2-pack", 7) == "Filter for LG LT700P fridges 2-pack"
    )


def test_long_words_without_digits_and_short_codes_are_kept():
    assert scrub("Refrigerator ABC1234 A12345 replacement", 7) == "Refrigerator A12345 replacement"
    assert scrub("Refrigerator ABC1234", 8) == "Refrigerator ABC1234"
