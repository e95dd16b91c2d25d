import json

import numpy as np
import pytest

from pricewise.data.item import Item
from pricewise.pricers.features import (
    STRUCTURED_NAMES,
    course_features,
    dimensions_inches,
    is_top_electronics_brand,
    mean_rank,
    structured_features,
    weight_pounds,
)


@pytest.mark.parametrize(
    "text, pounds",
    [("19.3 pounds", 19.3), ("8 ounces", 0.5), ("453.592 grams", 1.0), ("2 Kilograms", 4.409), ("150 hundredths pounds", 1.5)],
)
def test_weight_is_converted_to_pounds(text, pounds):
    assert weight_pounds({"Item Weight": text}) == pytest.approx(pounds, rel=1e-3)


@pytest.mark.parametrize("value", ["heavy", "", "12 stones", None, 5])
def test_unreadable_weight_is_missing_not_an_error(value):
    assert weight_pounds({"Item Weight": value}) is None


def test_rank_is_the_mean_over_categories_and_brand_flag_is_case_insensitive():
    assert mean_rank({"Best Sellers Rank": {"A": 100, "B": 300}}) == 200
    assert mean_rank({"Best Sellers Rank": "1 in Tools"}) is None
    assert is_top_electronics_brand({"Brand": "Samsung "}) and not is_top_electronics_brand({"Brand": "Acme"})


def test_dimensions_in_centimetres_become_inches():
    assert dimensions_inches({"Product Dimensions": "2.54 x 5.08 x 25.4 cm; 1 Pounds"}) == pytest.approx([1, 2, 10])


def test_feature_matrices_mark_missing_values_with_nan():
    full = Item(title="TV", summary="TV\nbig screen 55 inch", details=json.dumps({"Item Weight": "30 pounds", "Brand": "Sony"}))
    bare = Item(title="x", summary="x", details="not json")
    course = course_features([full, bare])
    assert course[0, 0] == 30 and np.isnan(course[1, 0]) and course[0, 3] == 1
    assert course[0, 2] == len(full.test_prompt())
    dense = structured_features([full, bare])
    assert dense.shape == (2, len(STRUCTURED_NAMES))
    assert np.isnan(dense[1, 0]) and dense[0, 0] == pytest.approx(np.log1p(30))
