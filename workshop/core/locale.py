"""The customer's language: one rule for receipts, messages and the tracking page."""

from __future__ import annotations

from workshop.core.settings import setting


def language_for(customer) -> str:
    """The language to write to a customer in: their recorded locale, else Chinese
    for a mainland (+86) number, else the app's default (``BABEL_DEFAULT_LOCALE``)."""
    raw = (getattr(customer, "locale", None) or "").replace("-", "_").lower()
    if raw.startswith("zh"):
        return "zh_Hans"
    if raw.startswith("en"):
        return "en"
    if (getattr(customer, "phone", "") or "").startswith("+86"):
        return "zh_Hans"
    return setting("BABEL_DEFAULT_LOCALE", "en")
