"""Domain errors raised by models and services.

Views turn them into form errors or flashes, the API into problem+json, the CLI
into a message and a non-zero exit.  Each carries an HTTP-ish status so the
translation lives in one place (workshop/errors).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """Base class: a rule of the workshop refused the operation."""

    status = 400
    title = _l("Request refused")

    def __init__(self, message: str, *, field: str | None = None, errors: dict | None = None):
        # ``message`` may be a lazy string (flask_babel.lazy_gettext): it is shown in the
        # reader's language; :func:`plain` gives the English text for anything stored.
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})


class ValidationError(DomainError):
    """Input that breaks a rule; ``errors`` maps field names to messages."""

    status = 422
    title = _l("Invalid input")


class NotFound(DomainError):
    status = 404
    title = _l("Not found")


class PermissionDenied(DomainError):
    status = 403
    title = _l("Forbidden")


class Conflict(DomainError):
    """The request clashes with the current state (a forbidden move, short stock...)."""

    status = 409
    title = _l("Conflict")


class WorkflowError(Conflict):
    """A status move the workflow does not allow from the job's current status."""

    title = _l("Move not allowed")


class StockShortage(Conflict):
    title = _l("Not enough stock")


def plain(message) -> str:
    """The English text of a message (lazy or not), for notes, audit rows and logs:
    a stored note must not change language with its reader."""
    from flask_babel import force_locale

    try:
        with force_locale("en"):
            return str(message)
    except RuntimeError:  # no application context: lazy strings fall back to English anyway
        return str(message)
