"""Status and role codes as people read them, for messages that name them.

A message such as "job SZ01-000123 is ready" must not show the code (``ready``) to
someone reading Chinese: domain code passes the code through :func:`status_words` or
:func:`role_words`, which give the lazily translated words (English when no locale is
active, e.g. on the command line).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

STATUS_WORDS = {
    # jobs
    "received": _l("Received"),
    "diagnosing": _l("Diagnosing"),
    "awaiting_approval": _l("Awaiting approval"),
    "awaiting_parts": _l("Awaiting parts"),
    "repairing": _l("Repairing"),
    "qc": _l("Quality check"),
    "ready": _l("Ready for pickup"),
    "collected": _l("Collected"),
    "cancelled": _l("Cancelled"),
    "unrepairable": _l("Unrepairable"),
    # requisitions, defective parts, loaners
    # (in the middle of a sentence: "Requisition R000001 is already issued.")
    "pending": lazy_pgettext("status", "pending"),
    "issued": lazy_pgettext("status", "issued"),
    "kept": lazy_pgettext("status", "kept"),
    "sent": lazy_pgettext("status", "sent"),
    "credited": lazy_pgettext("status", "credited"),
    "available": lazy_pgettext("status", "available"),
    "lent": lazy_pgettext("status", "lent"),
    "retired": lazy_pgettext("status", "retired"),
}
#: Transfers: "received" means received by the other service point, not taken in.
TRANSFER_WORDS = {
    "in_transit": lazy_pgettext("transfer", "in transit"),
    "received": lazy_pgettext("transfer", "received"),
    "cancelled": _l("Cancelled"),
}
ROLE_WORDS = {
    "receptionist": _l("Receptionist"),
    "engineer": _l("Engineer"),
    "clerk": _l("Parts clerk"),
    "manager": _l("Manager"),
    "admin": _l("Admin"),
}


def _code(value) -> str:
    return str(getattr(value, "value", value) or "")


def status_words(value, table: dict | None = None) -> str:
    """The words for a status code (a StrEnum or its value) in the current locale; an
    unknown code is returned as it is."""
    code = _code(value)
    word = (table or STATUS_WORDS).get(code)
    return str(word) if word is not None else code.replace("_", " ")


def statuses_words(values) -> str:
    """Several statuses in words, comma-separated; "none" (translated) when empty."""
    shown = [status_words(v) for v in values]
    return ", ".join(shown) if shown else str(lazy_pgettext("statuses", "none"))


def role_words(value) -> str:
    """The words for a role code in the current locale."""
    code = _code(value)
    word = ROLE_WORDS.get(code)
    return str(word) if word is not None else code
