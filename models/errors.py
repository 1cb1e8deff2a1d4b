"""Domain errors raised by models and services.

Views turn them into form errors or flashes, the API into problem+json, the CLI
into a message and a non-zero exit.  Each carries an HTTP-ish status so the
translation lives in one place (workshop/errors).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a rule of the workshop refused the operation."""

    status = 400
    title = "Request refused"

    def __init__(self, message: str, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})


class ValidationError(DomainError):
    """Input that breaks a rule; ``errors`` maps field names to messages."""

    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class PermissionDenied(DomainError):
    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    """The request clashes with the current state (a forbidden move, short stock...)."""

    status = 409
    title = "Conflict"


class WorkflowError(Conflict):
    """A status move the workflow does not allow from the job's current status."""

    title = "Move not allowed"


class StockShortage(Conflict):
    title = "Not enough stock"
