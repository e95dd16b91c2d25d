"""The course's two prompts, exactly."""

from pricewise.data.item import Item

SUMMARY = (
    "Samsung Assembly Ice Maker-Mech\nThis is an O.E.M. Authorized part, fits with various Samsung models"
)


def test_training_prompt_rounds_price_to_whole_dollars():
    item = Item(title="Samsung Assembly Ice Maker-Mech", summary=SUMMARY, price=117.89)
    assert item.training_prompt() == (
        "How much does this cost to the nearest dollar?\n\n"
        "Samsung Assembly Ice Maker-Mech\nThis is an O.E.M. Authorized part, fits with various Samsung models"
        "\n\nPrice is $118.00"
    )


def test_test_prompt_is_the_training_prompt_cut_after_the_dollar_sign():
    item = Item(title="t", summary=SUMMARY, price=765.0)
    assert item.test_prompt() == (
        "How much does this cost to the nearest dollar?\n\n"
        "Samsung Assembly Ice Maker-Mech\nThis is an O.E.M. Authorized part, fits with various Samsung models"
        "\n\nPrice is $"
    )
    assert item.training_prompt() == item.test_prompt() + "765.00"


def test_price_rounding_follows_python_round():
    assert Item(title="t", summary="s", price=0.49).training_prompt().endswith("Price is $0.00")
    assert Item(title="t", summary="s", price=16.52).training_prompt().endswith("Price is $17.00")
    assert Item(title="t", summary="s", price=999.49).training_prompt().endswith("Price is $999.00")
