"""The handling agreement (处理协议): the problem restated, the customer's preferred
solution, the agreed remedies, and the customer's word on it.

:func:`record` keeps the customer's acceptance (or refusal); :func:`document` gives
the plain data ``labels.agreements`` lays out as an A5 PDF.  Flushes, never commits.
"""

from __future__ import annotations

import datetime as dt

from models import Complaint, User, ValidationError, db, utcnow
from workshop.core.clock import as_utc, local_now

from . import complaints


def record(complaint: Complaint, actor: User, *, accepted, note: str = "", preferred_solution: str | None = None,
           now: dt.datetime | None = None) -> Complaint:
    """Record whether the customer accepts the handling; acceptance may resolve the
    complaint (:func:`complaints.settle`).  Raises ValidationError unless ``accepted``
    is true or false, Conflict unless the complaint is open.  Flushes only."""
    if not isinstance(accepted, bool):
        raise ValidationError("Say whether the customer accepted the agreement (true or false).", field="accepted")
    complaints._require_open(complaint, "the agreement is recorded")
    now = as_utc(now or utcnow())
    if preferred_solution is not None:
        complaint.preferred_solution = preferred_solution.strip()[:4000]
    complaint.agreement_accepted = accepted
    complaint.agreement_at = now
    complaint.add_event("agreement", actor, note=(note or "").strip()[:4000],
                        data={"accepted": accepted, "preferred_solution": complaint.preferred_solution})
    db.session.flush()
    complaints.settle(complaint, actor, now=now)
    return complaint


def document(complaint: Complaint) -> dict:
    """The agreement's content as plain data (for ``labels.agreements``)."""
    sp = complaint.service_point
    job = complaint.job
    return {
        "number": complaint.number,
        "service_point": {"code": sp.code, "name": sp.name, "address": sp.address or "", "phone": sp.phone or ""},
        "registered_at": local_now(sp, as_utc(complaint.registered_at)).replace(tzinfo=None),
        "customer": {"name": complaint.customer.name, "phone": complaint.customer.phone},
        "job": job.number if job is not None else "",
        "handset": " ".join(p for p in ((job.brand, job.model) if job else ()) if p),
        "imei": complaint.imei or "",
        "channel": complaint.channel, "category": complaint.category, "level": complaint.level,
        "problem": complaint.description,
        "demand": complaint.demand,
        "preferred_solution": complaint.preferred_solution or complaint.demand,
        "remedies": [{"kind": r.kind, "amount": r.amount, "status": r.status, "note": r.note}
                     for r in complaint.remedies],
    }
