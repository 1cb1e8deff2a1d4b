"""The contact log (来电记录): enquiries, suggestions, praise (and complaints told
but not registered), logged in a few keys against the customer and counted by kind.
Flushes, never commits."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy import func, select

from models import ContactLog, Customer, User, ValidationError, db
from models.aftercare import CONTACT_CHANNELS, CONTACT_KINDS
from workshop.core import audit
from workshop.core.clock import local_now
from workshop.intake import customers
from workshop.jobs import loading as job_service


def log(actor: User, *, kind: str, note: str, channel: str = "phone", phone: str = "", name: str = "",
        job: str | None = None) -> ContactLog:
    """Log a call or visit.  The customer is the job's, else found by ``phone`` at the
    actor's service point (a phone not yet known is kept as typed, normalised).
    Raises ValidationError for an unknown kind or channel, no note, a bad phone;
    NotFound/PermissionDenied for a job one may not see."""
    errors: dict[str, list[str]] = {}
    if kind not in CONTACT_KINDS:
        errors["kind"] = [gettext("Kind is one of: %(choices)s.", choices=', '.join(CONTACT_KINDS))]
    if channel not in CONTACT_CHANNELS:
        errors["channel"] = [gettext("Channel is one of: %(choices)s.", choices=', '.join(CONTACT_CHANNELS))]
    note = (note or "").strip()[:4000]
    if not note:
        errors["note"] = [gettext("Say what the call was about.")]
    e164 = ""
    if (phone or "").strip():
        try:
            e164 = customers.normalise_phone(phone)
        except ValueError as exc:
            errors["phone"] = [str(exc)]
    if errors:
        raise ValidationError(gettext("The contact was not logged."), errors=errors)
    the_job = job_service.get_job(actor, job) if job else None
    customer = the_job.customer if the_job is not None else None
    if customer is None and e164:
        customer = db.session.scalar(select(Customer).where(Customer.service_point_id == actor.service_point_id,
                                                            Customer.phone == e164))
    entry = ContactLog(service_point_id=(the_job.service_point_id if the_job else actor.service_point_id),
                       customer=customer, job=the_job, kind=kind, channel=channel,
                       name=(name or (customer.name if customer else "")).strip()[:120],
                       phone=e164 or (customer.phone if customer else ""), note=note, recorded_by=actor)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "contact.log", entry, kind=kind)
    return entry


def recent(actor: User, *, customer: Customer | None = None, limit: int = 100) -> list[ContactLog]:
    stmt = select(ContactLog).where(ContactLog.service_point_id.in_(actor.service_point_ids))
    if customer is not None:
        stmt = stmt.where(ContactLog.customer_id == customer.id)
    return list(db.session.scalars(stmt.order_by(ContactLog.id.desc()).limit(limit)))


def counts(actor: User, *, since: dt.date | None = None) -> dict[str, int]:
    """Contacts per kind at the actor's service points (since a local date, if given)."""
    stmt = select(ContactLog.kind, func.count(ContactLog.id)).where(
        ContactLog.service_point_id.in_(actor.service_point_ids)).group_by(ContactLog.kind)
    rows = dict(db.session.execute(stmt).all())
    if since is not None:
        rows = {}
        for entry in db.session.scalars(select(ContactLog).where(
                ContactLog.service_point_id.in_(actor.service_point_ids))):
            sp = actor.service_point
            if local_now(sp, entry.at).date() >= since:
                rows[entry.kind] = rows.get(entry.kind, 0) + 1
    return {kind: int(rows.get(kind, 0)) for kind in CONTACT_KINDS}
