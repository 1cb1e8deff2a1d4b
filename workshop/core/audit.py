"""Recording audit events.  Callers commit."""

from __future__ import annotations

from models import AuditEvent, db


def record(actor, action: str, subject, *, service_point_id: int | None = None, **details) -> AuditEvent:
    """Append an audit row for ``action`` on ``subject`` (a model instance).

    ``subject`` must have been flushed (it needs its id).  Nothing is committed.
    """
    if getattr(subject, "id", None) is None:
        db.session.flush()
    if service_point_id is None:
        service_point_id = getattr(subject, "service_point_id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        service_point_id=service_point_id,
        action=action,
        subject_type=type(subject).__name__,
        subject_id=str(getattr(subject, "id", "")),
        details={k: v for k, v in details.items() if v is not None},
    )
    db.session.add(event)
    return event
