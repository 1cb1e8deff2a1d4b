"""SQLAlchemy models, one module per domain.  Import from here."""

from .audit import AuditEvent
from .base import db, utcnow
from .errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    StockShortage,
    ValidationError,
    WorkflowError,
)
from .idempotency import IdempotencyKey
from .jobs import (
    DEFAULT_LOCATION,
    OPEN_STATUSES,
    TRANSITIONS,
    Customer,
    Job,
    JobEvent,
    JobSequence,
    JobStatus,
    allowed_moves,
)
from .people import (
    ROLE_VALUES,
    ApiToken,
    Role,
    ServicePoint,
    User,
    user_service_point_grants,
)

__all__ = [
    "DEFAULT_LOCATION",
    "OPEN_STATUSES",
    "ROLE_VALUES",
    "TRANSITIONS",
    "ApiToken",
    "AuditEvent",
    "Conflict",
    "Customer",
    "DomainError",
    "IdempotencyKey",
    "Job",
    "JobEvent",
    "JobSequence",
    "JobStatus",
    "NotFound",
    "PermissionDenied",
    "Role",
    "ServicePoint",
    "StockShortage",
    "User",
    "ValidationError",
    "WorkflowError",
    "allowed_moves",
    "db",
    "user_service_point_grants",
    "utcnow",
]
