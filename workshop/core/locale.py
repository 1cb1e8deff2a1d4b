"""The customer's language: one rule for receipts, messages and the tracking page.

In order: the language recorded for the customer; else the language of whoever reads
it now, when someone does (the counter's for a receipt printed at the counter, the
browser's on the tracking page); else Chinese for a mainland (+86) number; else the
app's default (``BABEL_DEFAULT_LOCALE``).  A message is read later, by the customer
alone: it passes no reader.
"""

from __future__ import annotations

from workshop.core.settings import setting

#: The languages customers are written to in.
LANGUAGES = ("en", "zh_Hans")


def known(value: str | None) -> str | None:
    """``value`` (zh, zh-CN, zh_Hans, en-GB...) as one of :data:`LANGUAGES`, or None."""
    raw = (value or "").replace("-", "_").lower()
    if raw.startswith("zh"):
        return "zh_Hans"
    if raw.startswith("en"):
        return "en"
    return None


def phone_language(phone: str | None) -> str | None:
    """The language a phone number suggests: Chinese for +86, else None."""
    return "zh_Hans" if (phone or "").startswith("+86") else None


def choose(recorded: str | None, reader: str | None = None, phone_hint: str | None = None) -> str:
    """The rule itself, from its parts (the tracking page has no customer object)."""
    return (known(recorded) or known(reader) or known(phone_hint)
            or known(setting("BABEL_DEFAULT_LOCALE", "en")) or "en")


def language_for(customer, reader: str | None = None) -> str:
    """The language to write to ``customer`` in (one of :data:`LANGUAGES`); ``reader``
    is the language of whoever reads it now, when someone does."""
    return choose(getattr(customer, "locale", None), reader, phone_language(getattr(customer, "phone", None)))
