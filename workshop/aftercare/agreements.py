"""The handling agreement (处理协议): the problem restated, the customer's preferred
solution, the agreed remedies, and the customer's word on it.

:func:`record` keeps the customer's acceptance (or refusal); :func:`document` gives
the plain data ``labels.agreements`` lays out as an A5 PDF.  Flushes, never commits.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale, gettext

import labels.agreements as sheets
from models import Complaint, User, ValidationError, db, utcnow
from workshop.core.clock import as_utc, local_now
from workshop.core.locale import language_for

from . import complaints, words


def record(complaint: Complaint, actor: User, *, accepted, note: str = "", preferred_solution: str | None = None,
           now: dt.datetime | None = None) -> Complaint:
    """Record whether the customer accepts the handling; acceptance may resolve the
    complaint (:func:`complaints.settle`).  Raises ValidationError unless ``accepted``
    is true or false, Conflict unless the complaint is open.  Flushes only."""
    if not isinstance(accepted, bool):
        raise ValidationError(gettext("Say whether the customer accepted the agreement (true or false)."), field="accepted")
    complaints._require_open(complaint, gettext("the agreement is recorded"))
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


def _event_line(complaint: Complaint, event) -> str:
    when = local_now(complaint.service_point, as_utc(event.at)).strftime("%Y-%m-%d %H:%M")
    who = event.actor.label if event.actor is not None else "—"
    what = str(words.EVENT_WORDS.get(event.kind, event.kind))
    return f"{when} {who}: {what}" + (f" — {event.note}" if event.note else "")


def pdf(complaint: Complaint, actor: User | None, kind: str = "agreement", *, currency: str = "¥",
        record_print: bool = True) -> bytes:
    """The handling agreement (``kind`` "agreement") or the written complaint report
    ("report") as A5 PDF bytes, in the customer's language, with a ``printed`` event
    unless ``record_print`` is False (a plain GET of the PDF, not a person's print).

    Raises Conflict for the report of a general complaint.  Flushes only.
    """
    if kind == "report" and complaint.level == "general":
        raise complaints.Conflict(gettext("A written report is for serious and critical complaints."))
    locale = language_for(complaint.customer)
    data = document(complaint)
    with force_locale(locale):
        doc = sheets.Agreement(
            number=complaint.number, service_point_name=data["service_point"]["name"],
            registered_at=data["registered_at"], customer_name=data["customer"]["name"],
            customer_phone=data["customer"]["phone"], job_number=data["job"], handset=data["handset"],
            imei=data["imei"], channel=str(words.CHANNEL_WORDS[complaint.channel]),
            category=str(words.CATEGORY_WORDS[complaint.category]), level=str(words.LEVEL_WORDS[complaint.level]),
            problem=data["problem"], demand=data["demand"], preferred_solution=data["preferred_solution"],
            remedies=[sheets.Remedy(kind=str(words.REMEDY_WORDS[r.kind]), amount=r.amount, note=r.note)
                      for r in complaint.remedies],
            captions="zh" if locale == "zh_Hans" else "en", currency=currency,
            owner=complaint.owner.label if complaint.owner is not None else "",
            response=complaint.response_note, founded=complaint.founded, responsible=complaint.responsible,
            report_text=complaint.report_text,
            root_cause=str(words.ROOT_CAUSE_WORDS.get(complaint.root_cause, "")) if complaint.root_cause else "",
            preventive_action=complaint.preventive_action,
            events=[_event_line(complaint, e) for e in complaint.events] if kind == "report" else (),
        )
    body = sheets.agreement_pdf(doc, kind=kind)
    if record_print:
        complaint.add_event("printed", actor, data={"document": kind})
        db.session.flush()
    return body
