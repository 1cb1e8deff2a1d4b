"""core.locale.language_for: one rule for receipts, messages and the tracking page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from workshop.core.locale import choose, language_for


def customer(locale=None, phone="+4930123456"):
    return SimpleNamespace(locale=locale, phone=phone)


@pytest.mark.parametrize(("who", "reader", "language"), [
    (customer("zh-CN"), "en", "zh_Hans"),  # what the customer recorded comes first
    (customer("en_GB", "+8613800138000"), "zh_Hans", "en"),
    (customer(None), "zh_Hans", "zh_Hans"),  # then whoever reads it now
    (customer(None, "+8613800138000"), None, "zh_Hans"),  # then a mainland number
    (customer(None), None, "en"),  # then the default
    (customer("fr"), None, "en"),
])
def test_the_customer_s_language(who, reader, language):
    assert language_for(who, reader) == language


def test_the_tracking_page_uses_the_same_rule_from_its_parts():
    assert choose(None, "en", "zh_Hans") == "en"  # the browser before the phone's hint
    assert choose(None, None, "zh_Hans") == "zh_Hans"
    assert choose("zh_Hans", "en", None) == "zh_Hans"
