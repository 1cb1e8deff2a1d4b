"""Job numbers: ``<service point code>-<6+ digit sequence>``, e.g. ``SZ01-000123``.

Short enough for the smallest label, unique across the chain (the code is), and safe
under concurrent intakes: the per-service-point counter is incremented with a single
``UPDATE … RETURNING`` (row-locked on PostgreSQL, under SQLite's write lock), and
``jobs.number`` is UNIQUE as the last line of defence.
"""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite

from models import JobSequence, ServicePoint, db


def _ensure_counter(service_point_id: int) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(JobSequence)
        .values(service_point_id=service_point_id, last_value=0)
        .on_conflict_do_nothing(index_elements=["service_point_id"])
    )


_NEXT = (update(JobSequence).where(JobSequence.service_point_id == bindparam("sp_id"))
         .values(last_value=JobSequence.last_value + 1).returning(JobSequence.last_value))


def next_job_number(service_point: ServicePoint) -> str:
    """Reserve and return the next job number for ``service_point`` (not committed)."""
    value = db.session.execute(_NEXT, {"sp_id": service_point.id}).scalar()
    if value is None:  # the service point's first job: make its counter, then count
        _ensure_counter(service_point.id)
        value = db.session.execute(_NEXT, {"sp_id": service_point.id}).scalar_one()
    return f"{service_point.code}-{value:06d}"
