"""After-sales care API (CONTRACT.md "After-sales care (v2)"): complaints, their
remedies and agreement, the follow-up call list, and the contact log.

The schemas check shapes only; every rule (channels, levels, authority, amounts,
satisfaction) is the domain's, so refusals come back as problem JSON with the same
field names from the API, the web pages and the CLI.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, request, url_for
from flask.views import MethodView
from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from models import Complaint, FollowUp, User, ValidationError, db
from workshop.core.clock import as_utc, local_today
from workshop.jobs import loading as job_service
from workshop.web import run_once

from . import agreements, complaints, contacts, followups, remedies

blp = Blueprint("api_aftercare", __name__, url_prefix="/api/v1", description="After-sales care")

IDEMPOTENCY_HEADER = {
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"},
    "description": "The same key returns the first answer and registers nothing new.",
}
SECURITY = [{"bearerAuth": []}]


def utc_iso(moment: dt.datetime | None) -> str | None:
    return as_utc(moment).astimezone(dt.UTC).isoformat() if moment is not None else None


# -- answers ----------------------------------------------------------------------


def remedy_dict(remedy) -> dict:
    return {
        "id": remedy.id, "kind": remedy.kind, "amount": str(remedy.amount), "status": remedy.status,
        "note": remedy.note, "proposed_by": remedy.proposed_by.username if remedy.proposed_by else None,
        "approved_by": remedy.approved_by.username if remedy.approved_by else None,
        "approved_at": utc_iso(remedy.approved_at), "done_at": utc_iso(remedy.done_at),
        "done_on": remedy.done_on.isoformat() if remedy.done_on else None, "done_note": remedy.done_note,
        "job": remedy.job.number if remedy.job is not None else None,
        "entitlement": remedy.entitlement or None,
    }


def event_dict(event) -> dict:
    return {"at": utc_iso(event.at), "kind": event.kind, "actor": event.actor.username if event.actor else None,
            "note": event.note, "data": event.data or {}}


def complaint_dict(complaint: Complaint) -> dict:
    followup = complaints.latest_followup(complaint)
    return {
        "number": complaint.number, "status": complaint.status, "service_point": complaint.service_point.code,
        "channel": complaint.channel, "category": complaint.category, "level": complaint.level,
        "description": complaint.description, "demand": complaint.demand,
        "job": complaint.job.number if complaint.job is not None else None, "imei": complaint.imei,
        "customer": {"name": complaint.customer.name, "phone": complaint.customer.phone},
        "recorded_by": complaint.recorded_by.username if complaint.recorded_by else None,
        "owner": complaint.owner.username if complaint.owner else None, "escalated": complaint.escalated,
        "registered_at": utc_iso(complaint.registered_at), "respond_by": utc_iso(complaint.respond_by),
        "report_by": utc_iso(complaint.report_by), "responded_at": utc_iso(complaint.responded_at),
        "responded_on_time": complaint.responded_on_time, "reported_at": utc_iso(complaint.reported_at),
        "overdue": complaints.is_overdue(complaint), "founded": complaint.founded,
        "responsible": complaint.responsible, "promised_on": complaint.promised_on.isoformat()
        if complaint.promised_on else None,
        "agreement_accepted": complaint.agreement_accepted, "preferred_solution": complaint.preferred_solution,
        "resolved_at": utc_iso(complaint.resolved_at), "closed_at": utc_iso(complaint.closed_at),
        "root_cause": complaint.root_cause, "preventive_action": complaint.preventive_action,
        "missing": complaints.missing_for_close(complaint) if complaint.status != "closed" else [],
        "followup": followup.id if followup is not None else None,
        "agreement_url": f"/complaints/{complaint.number}/agreement.pdf",
        "remedies": [remedy_dict(r) for r in complaint.remedies],
        "events": [event_dict(e) for e in complaint.events],
    }


def followup_dict(followup: FollowUp) -> dict:
    customer = followup.customer
    return {
        "id": followup.id, "kind": followup.kind, "job": followup.job.number if followup.job else None,
        "complaint": followup.complaint.number if followup.complaint else None,
        "customer": {"name": customer.name, "phone": customer.phone},
        "due_on": followup.due_on.isoformat(), "attempts": followup.attempts, "status": followup.status,
        "outcome": followup.outcome, "satisfaction": followup.satisfaction, "fixed": followup.fixed,
        "comment": followup.comment, "answered_at": utc_iso(followup.answered_at),
        "opened_complaint": followup.opened_complaint.number if followup.opened_complaint else None,
    }


def _json(body: dict, status: int = 200, *, replayed: bool = False, location: str | None = None):
    response = current_app.json.response(body)
    response.status_code = status
    if location:
        response.headers["Location"] = location
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


# -- schemas (shapes only) ----------------------------------------------------------


class Lenient(Schema):
    class Meta:
        unknown = EXCLUDE


class ComplaintCustomerIn(Lenient):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class ComplaintIn(Lenient):
    channel = fields.String(required=True, metadata={"description": "walk_in, phone, email, online, social_media "
                                                     "(general); manufacturer, carrier, regulator (serious); "
                                                     "media, government (critical)"})
    category = fields.String(required=True, metadata={"description": "repair_quality, service_attitude, delay, "
                                                      "price, parts, product_quality, other"})
    description = fields.String(required=True)
    demand = fields.String(load_default="", allow_none=True, metadata={"description": "The customer's demand (诉求)."})
    customer = fields.Nested(ComplaintCustomerIn, load_default=None, allow_none=True)
    job = fields.String(load_default=None, allow_none=True, metadata={"description": "Job number; fills the customer."})
    level = fields.String(load_default=None, allow_none=True, metadata={"description": "Higher than the channel's."})
    imei = fields.String(load_default=None, allow_none=True)
    staff_involved = fields.String(load_default="", allow_none=True)
    promised_on = fields.Date(load_default=None, allow_none=True)


class ComplaintQuery(Lenient):
    status = fields.String()
    level = fields.String()
    overdue = fields.Boolean(load_default=False)
    job = fields.String()
    after = fields.Integer()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class NoteIn(Lenient):
    note = fields.String(load_default="", allow_none=True)


class EscalateIn(NoteIn):
    manager = fields.String(load_default=None, allow_none=True, metadata={"description": "Username; default: "
                                                                                         "the service point's."})


class LevelIn(NoteIn):
    level = fields.String(required=True)


class ReportIn(Lenient):
    report = fields.String(required=True)
    founded = fields.Boolean(load_default=None, allow_none=True)
    responsible = fields.String(load_default="", allow_none=True)


class RemedyIn(Lenient):
    kind = fields.String(required=True, metadata={"description": "apology, free_rerepair, discount, gift, refund, "
                                                  "exchange, compensation"})
    amount = fields.Raw(load_default=None, allow_none=True, metadata={"description": "Money, e.g. \"50.00\"."})
    note = fields.String(load_default="", allow_none=True)
    job = fields.String(load_default=None, allow_none=True,
                        metadata={"description": "free_rerepair: link this job instead of creating one."})


class AgreementIn(Lenient):
    accepted = fields.Raw(required=True, metadata={"description": "true or false"})
    note = fields.String(load_default="", allow_none=True)
    preferred_solution = fields.String(load_default=None, allow_none=True)


class CloseIn(Lenient):
    root_cause = fields.String(required=True, metadata={"description": "repair_quality, staff, process, parts, "
                                                        "customer_expectation, product, other"})
    note = fields.String(load_default="", allow_none=True)
    preventive_action = fields.String(load_default="", allow_none=True)


class FollowUpQuery(Lenient):
    status = fields.String(load_default="open")
    due_by = fields.Date(load_default=None)
    kind = fields.String(load_default=None)
    after = fields.Integer()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class FollowUpIn(Lenient):
    outcome = fields.String(required=True, metadata={"description": "reached, no_answer, refused"})
    satisfaction = fields.Raw(load_default=None, allow_none=True, metadata={"description": "1-5 when reached"})
    comment = fields.String(load_default="", allow_none=True)
    fixed = fields.Boolean(load_default=None, allow_none=True)
    anything_else = fields.String(load_default="", allow_none=True)
    channel = fields.String(load_default="phone")
    category = fields.String(load_default=None, allow_none=True,
                             metadata={"description": "For the complaint an unhappy answer opens."})


class ContactIn(Lenient):
    kind = fields.String(required=True, metadata={"description": "enquiry, complaint, suggestion, praise, other"})
    note = fields.String(required=True)
    channel = fields.String(load_default="phone")
    phone = fields.String(load_default="", allow_none=True)
    name = fields.String(load_default="", allow_none=True)
    job = fields.String(load_default=None, allow_none=True)


def _manager(username: str | None) -> User | None:
    if not username:
        return None
    user = db.session.scalar(db.select(User).where(User.username == username.strip()))
    if user is None:
        raise ValidationError(gettext("There is no user %(username)s.", username=username), field="manager")
    return user


# -- complaints -------------------------------------------------------------------


@blp.route("/complaints")
class Complaints(MethodView):
    @blp.arguments(ComplaintQuery, location="query")
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def get(self, args):
        """The complaint register at the caller's service points, newest first
        (``overdue=true``: past the response or report deadline)."""
        job = None
        if args.get("job"):
            job = job_service.get_job(current_user, args["job"])
        items, after = complaints.search(current_user, status=args.get("status"), level=args.get("level"),
                                         overdue=args.get("overdue", False), job=job, after=args.get("after"),
                                         limit=args["limit"])
        next_url = None
        if after is not None:
            query = {k: v for k, v in request.args.items() if k != "after"}
            next_url = url_for("api_aftercare.Complaints", **query, after=after)
        return {"items": [complaint_dict(c) for c in items], "next": next_url}

    @blp.arguments(ComplaintIn)
    @blp.doc(security=SECURITY, parameters=[IDEMPOTENCY_HEADER])
    @blp.response(201)
    def post(self, body):
        """Register a complaint (投诉登记): 201 with the number, level, deadlines and owner.
        422 naming each bad field (unknown channel or category, a level below the
        channel's, no description, a bad phone); nothing is written then."""
        customer = body.get("customer") or {}
        new = complaints.NewComplaint(
            channel=body["channel"], category=body["category"], description=body["description"],
            demand=body.get("demand") or "", customer_name=customer.get("name") or "",
            customer_phone=customer.get("phone") or "", job=body.get("job"), level=body.get("level"),
            imei=body.get("imei"), staff_involved=body.get("staff_involved") or "",
            promised_on=body.get("promised_on"))

        def create():
            complaint = complaints.register(current_user, new, source="api")
            return complaint_dict(complaint), 201

        answer, status, replayed = run_once(
            current_user, "api.complaints.create", request.headers.get("Idempotency-Key"),
            request.get_json(silent=True), create)
        return _json(answer, status, replayed=replayed,
                     location=url_for("api_aftercare.ComplaintByNumber", number=answer["number"]))


@blp.route("/complaints/<number>")
class ComplaintByNumber(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def get(self, number):
        """One complaint with its events and remedies (404 unknown, 403 another
        service point's)."""
        return complaint_dict(complaints.get(current_user, number))


def _commit(complaint: Complaint, status: int = 200):
    db.session.commit()
    return _json(complaint_dict(complaint), status)


@blp.route("/complaints/<number>/respond")
class ComplaintRespond(MethodView):
    @blp.arguments(NoteIn)
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def post(self, body, number):
        """Record the first response (with whether it was within 24 hours); 409 when
        already responded."""
        complaint = complaints.get(current_user, number)
        complaints.respond(complaint, current_user, body.get("note") or "")
        return _commit(complaint)


@blp.route("/complaints/<number>/escalate")
class ComplaintEscalate(MethodView):
    @blp.arguments(EscalateIn)
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def post(self, body, number):
        """Hand the complaint to a manager with the reason (``escalated: true``)."""
        complaint = complaints.get(current_user, number)
        complaints.escalate(complaint, current_user, body.get("note") or "", manager=_manager(body.get("manager")))
        return _commit(complaint)


@blp.route("/complaints/<number>/level")
class ComplaintLevel(MethodView):
    @blp.arguments(LevelIn)
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def post(self, body, number):
        """Raise the level (never lower: 422)."""
        complaint = complaints.get(current_user, number)
        complaints.raise_level(complaint, current_user, body["level"], body.get("note") or "")
        return _commit(complaint)


@blp.route("/complaints/<number>/report")
class ComplaintReport(MethodView):
    @blp.arguments(ReportIn)
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def post(self, body, number):
        """The written complaint report (投诉报告) of a serious or critical case."""
        complaint = complaints.get(current_user, number)
        complaints.write_report(complaint, current_user, body["report"], founded=body.get("founded"),
                                responsible=body.get("responsible") or "")
        return _commit(complaint)


@blp.route("/complaints/<number>/remedies")
class ComplaintRemedies(MethodView):
    @blp.arguments(RemedyIn)
    @blp.doc(security=SECURITY)
    @blp.response(201)
    def post(self, body, number):
        """Add a remedy: ``approved`` within the caller's authority, else
        ``pending_approval``.  422 for an unknown kind or an amount that is negative or
        not money."""
        complaint = complaints.get(current_user, number)
        remedy = remedies.propose(complaint, current_user, kind=body["kind"], amount=body.get("amount"),
                                  note=body.get("note") or "", job=body.get("job"))
        db.session.commit()
        return _json(remedy_dict(remedy), 201)


@blp.route("/complaints/<number>/remedies/<int:remedy_id>/approve")
class RemedyApprove(MethodView):
    @blp.arguments(NoteIn)
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def post(self, body, number, remedy_id):
        """A manager approves a remedy beyond staff authority; 409 unless pending."""
        complaint = complaints.get(current_user, number)
        remedy = remedies.approve(remedies.get(complaint, remedy_id), current_user, body.get("note") or "")
        db.session.commit()
        return _json(remedy_dict(remedy))


@blp.route("/complaints/<number>/remedies/<int:remedy_id>/done")
class RemedyDone(MethodView):
    @blp.arguments(NoteIn)
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def post(self, body, number, remedy_id):
        """Record that the remedy was carried out; 409 unless approved."""
        complaint = complaints.get(current_user, number)
        remedy = remedies.carry_out(remedies.get(complaint, remedy_id), current_user, body.get("note") or "")
        db.session.commit()
        return _json(remedy_dict(remedy))


@blp.route("/complaints/<number>/agreement")
class ComplaintAgreement(MethodView):
    @blp.arguments(AgreementIn)
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def post(self, body, number):
        """The customer's word on the handling agreement (处理协议)."""
        complaint = complaints.get(current_user, number)
        agreements.record(complaint, current_user, accepted=body["accepted"], note=body.get("note") or "",
                          preferred_solution=body.get("preferred_solution"))
        return _commit(complaint)


@blp.route("/complaints/<number>/close")
class ComplaintClose(MethodView):
    @blp.arguments(CloseIn)
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def post(self, body, number):
        """Close the case with its root cause; 409 naming what is missing."""
        complaint = complaints.get(current_user, number)
        complaints.close(complaint, current_user, root_cause=body["root_cause"], note=body.get("note") or "",
                         preventive_action=body.get("preventive_action") or "")
        return _commit(complaint)


# -- follow-ups -------------------------------------------------------------------


@blp.route("/followups")
class FollowUps(MethodView):
    @blp.arguments(FollowUpQuery, location="query")
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def get(self, args):
        """The call list, oldest due date first (``due_by`` a local date)."""
        status = args.get("status")
        items, after = followups.call_list(current_user, status=None if status == "all" else status,
                                           due_by=args.get("due_by"), kind=args.get("kind"),
                                           after=args.get("after"), limit=args["limit"])
        next_url = None
        if after is not None:
            query = {k: v for k, v in request.args.items() if k != "after"}
            next_url = url_for("api_aftercare.FollowUps", **query, after=after)
        return {"items": [followup_dict(f) for f in items], "next": next_url,
                "today": local_today(current_user.service_point).isoformat()}


@blp.route("/followups/<int:followup_id>")
class FollowUpById(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def get(self, followup_id):
        """One follow-up call."""
        return followup_dict(followups.get(current_user, followup_id))

    @blp.arguments(FollowUpIn)
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def post(self, body, followup_id):
        """Record a call: ``reached`` (satisfaction 1-5), ``no_answer`` (counted; the
        third makes it unreachable) or ``refused``.  An answer of 1-2 opens or reopens
        a complaint, returned as ``complaint``."""
        followup = followups.get(current_user, followup_id)
        followups.record(followup, current_user, outcome=body["outcome"], satisfaction=body.get("satisfaction"),
                         comment=body.get("comment") or "", fixed=body.get("fixed"),
                         anything_else=body.get("anything_else") or "", channel=body.get("channel") or "phone",
                         category=body.get("category"))
        db.session.commit()
        answer = followup_dict(followup)
        unhappy = followup.satisfaction is not None and followup.satisfaction <= followups.UNHAPPY_UP_TO
        answer["complaint"] = complaint_dict(followup.opened_complaint) if unhappy and followup.opened_complaint \
            else None
        if followup.complaint is not None:
            answer["for_complaint"] = followup.complaint.number
        return _json(answer)


# -- contact log ------------------------------------------------------------------


def contact_dict(entry) -> dict:
    return {"id": entry.id, "kind": entry.kind, "channel": entry.channel, "name": entry.name, "phone": entry.phone,
            "note": entry.note, "job": entry.job.number if entry.job else None, "at": utc_iso(entry.at),
            "recorded_by": entry.recorded_by.username}


@blp.route("/contacts")
class Contacts(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def get(self):
        """The latest contacts and the count per kind."""
        return {"items": [contact_dict(e) for e in contacts.recent(current_user)],
                "counts": contacts.counts(current_user)}

    @blp.arguments(ContactIn)
    @blp.doc(security=SECURITY)
    @blp.response(201)
    def post(self, body):
        """Log an enquiry, suggestion or praise (来电记录)."""
        entry = contacts.log(current_user, kind=body["kind"], note=body["note"], channel=body.get("channel") or "phone",
                             phone=body.get("phone") or "", name=body.get("name") or "", job=body.get("job"))
        db.session.commit()
        return _json(contact_dict(entry), 201)
