"""core.money: the one reading and showing of amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models import ValidationError
from workshop.core.money import format_money, parse_money, parse_optional_money


@pytest.mark.parametrize(("typed", "amount"), [
    ("128", Decimal("128.00")),
    ("128.5", Decimal("128.50")),
    ("¥299", Decimal("299.00")),
    ("￥ 1,234.56", Decimal("1234.56")),
    ("RMB 80", Decimal("80.00")),
    (Decimal("12.30"), Decimal("12.30")),
    (7, Decimal("7.00")),
])
def test_amounts_people_type_are_read(typed, amount):
    assert parse_money(typed) == amount


@pytest.mark.parametrize(("typed", "says"), [
    ("12.345", "two decimals"),  # refused, never rounded
    ("abc", "such as 128.00"),
    ("", "such as 128.00"),
    ("NaN", "such as 128.00"),
    ("-1", "zero or more"),
    ("100000000", "too large"),
])
def test_what_is_not_an_amount_is_refused_on_its_field(typed, says):
    with pytest.raises(ValidationError) as caught:
        parse_money(typed, "price")
    assert says in caught.value.errors["price"][0]


def test_negative_amounts_only_where_allowed_and_blank_is_nothing_where_optional():
    assert parse_money("-50", negative=True) == Decimal("-50.00")
    assert parse_optional_money("  ") is None and parse_optional_money(None) is None
    assert parse_optional_money("3") == Decimal("3.00")


def test_amounts_are_shown_with_the_configured_symbol_and_grouping():
    assert format_money(Decimal("1234.5"), "¥") == "¥1,234.50"
    assert format_money(-3, "¥", "zh_Hans") == "-¥3.00"
    assert format_money("899", "HK$") == "HK$899.00"
