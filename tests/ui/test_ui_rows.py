"""The deals table's rows: price, estimate with its interval, discount, link; missing values shown as '?'."""

from __future__ import annotations

from pricewise.ui.app import COLUMNS, deal_rows


def test_rows_show_interval_discount_and_link():
    rows = deal_rows(
        [
            {
                "id": "a",
                "title": "Drill",
                "url": "https://x.example/a",
                "price": 49.0,
                "estimate": 120.5,
                "low": 80.0,
                "high": 1500.0,
                "discount_usd": 71.5,
                "discount_pct": 59.3,
            },
            {
                "id": "b",
                "title": "Lamp",
                "url": "",
                "price": 5.0,
                "estimate": None,
                "low": None,
                "high": None,
                "discount_usd": None,
                "discount_pct": None,
            },
        ]
    )
    assert len(rows[0]) == len(COLUMNS)
    assert rows[0] == [
        "Drill",
        "$49.00",
        "$120.50 ($80.00 to $1,500.00)",
        "$71.50 (59%)",
        "[open](https://x.example/a)",
    ]
    assert rows[1] == ["Lamp", "$5.00", "?", "?", ""]
