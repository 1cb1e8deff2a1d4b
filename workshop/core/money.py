"""Money: one reading of amounts typed by people (forms, CSV, the API) and one way of
showing them, on Babel.

An amount is a ``Decimal`` with two places.  Typed amounts may carry a currency sign
(¥, ￥, CNY, RMB, $, €) and thousands separators; more than two decimals are refused,
never rounded (12.345 is a typing error, not 12.35).  Amounts are shown with the
``CURRENCY_SYMBOL`` setting (templates use the ``money`` filter, never a literal sign).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal, parse_pattern
from flask_babel import gettext

from models import ValidationError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: The largest amount a money column (Numeric(10, 2)) holds.
MAX_AMOUNT = Decimal("99999999.99")
#: Currency signs and codes people type with an amount.
_SIGNS = ("¥", "￥", "CNY", "RMB", "$", "€")


def parse_money(value, field: str = "amount", *, negative: bool = False, locale: str = "en") -> Decimal:
    """``value`` (text or number) as an amount with two places.

    Raises ValidationError on ``field`` for nothing given, something that is not a
    number, more than two decimals, an amount over :data:`MAX_AMOUNT`, or a negative
    amount unless ``negative`` allows it.
    """
    text = str(value if value is not None else "").strip()
    for sign in _SIGNS:
        text = text.replace(sign, "")
    text = text.strip()
    try:
        amount = parse_decimal(text, locale=locale) if text else None
    except (NumberFormatError, InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError(gettext("Enter an amount such as 128.00."), field=field)
    if amount < 0 and not negative:
        raise ValidationError(gettext("Enter an amount of zero or more."), field=field)
    if amount != amount.quantize(CENT):
        raise ValidationError(gettext("Use at most two decimals."), field=field)
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError(gettext("That amount is too large (at most %(max_amount)s).", max_amount=MAX_AMOUNT), field=field)
    return amount.quantize(CENT)


def parse_optional_money(value, field: str = "amount", **options) -> Decimal | None:
    """As :func:`parse_money`, but nothing given (None or blank) is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_money(value, field, **options)


def cents(amount) -> Decimal:
    """An amount already known to be one (a stored value, a sum of them) with two places."""
    return Decimal(amount if amount is not None else 0).quantize(CENT)


#: How an amount is shown: the sign, grouped, two places (Babel's number pattern).
_MONEY_PATTERN = parse_pattern("¤#,##0.00")


@lru_cache(maxsize=32)
def _locale(code: str) -> Locale:
    # Babel's format_currency parses the locale on every call: most of its cost, once
    # per amount on a list page.
    return Locale.parse(code)


def format_money(amount, symbol: str, locale: str = "en") -> str:
    """``amount`` shown with ``symbol`` (the ``CURRENCY_SYMBOL`` setting), grouped the
    ``locale``'s way: ``¥1,234.50``, ``-¥3.00``.  (Babel's ``format_currency`` with
    this pattern, the parsed locale kept.)"""
    # The symbol stands in as the currency: Babel shows an unknown code as itself.
    return _MONEY_PATTERN.apply(cents(amount), _locale(locale), currency=symbol, currency_digits=False)
