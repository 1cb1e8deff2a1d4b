"""Bench API: scan a code to its job, assign engineers, and move jobs through the
workflow (the same services as the bench pages, so the same rules)."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from models import JobStatus, User, ValidationError, db
from workshop.bench import assignment
from workshop.jobs import loading as job_service
from workshop.jobs import scan as scan_service
from workshop.jobs import workflow
from workshop.jobs.schemas import JobWithEventsSchema

blp = Blueprint("api_bench", __name__, url_prefix="/api/v1",
                description="Bench: scan, assignment and the repair workflow")

STATUSES = [s.value for s in JobStatus]
QC_CODES = [*workflow.QC_CHECKS, workflow.QC_OTHER]
SECURITY = [{"bearerAuth": []}]


class AssignIn(Schema):
    engineer = fields.String(load_default=None, allow_none=True,
                             metadata={"description": "Username; omit (or null) for the proposed engineer."})


class StatusIn(Schema):
    to = fields.String(required=True, validate=validate.OneOf(STATUSES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000),
                         metadata={"description": "Required (the reason) for cancelled and unrepairable."})
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                             metadata={"description": "Where the handset goes; default depends on the status."})
    checks = fields.List(fields.String(validate=validate.OneOf(list(workflow.QC_CHECKS))), load_default=None,
                         metadata={"description": "Leaving qc: the checks that passed (a pass needs all; "
                                                  "omitted on a pass: the whole checklist)."})
    failed_checks = fields.List(fields.String(validate=validate.OneOf(QC_CODES)), load_default=None,
                                metadata={"description": "Leaving qc for repairing: what failed."})
    channel = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(list(workflow.APPROVAL_CHANNELS)),
                            metadata={"description": "Leaving awaiting_approval: how the customer answered."})


class DiagnosisIn(Schema):
    findings = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    estimate = fields.Decimal(load_default=None, allow_none=True, places=2, as_string=True,
                              validate=validate.Range(min=0),
                              metadata={"description": "Price to the customer now the fault is known."})
    next = fields.String(load_default=JobStatus.REPAIRING.value,
                         validate=validate.OneOf([s.value for s in workflow.DIAGNOSIS_NEXT]))


class ApprovalIn(Schema):
    approved = fields.Boolean(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(list(workflow.APPROVAL_CHANNELS)))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


def _engineer_named(name: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.username) == name.strip().lower()))
    if user is None:
        raise ValidationError(gettext("There is no user %(username)s.", username=name), field="engineer")
    return user


@blp.route("/scan/<path:code>")
class Scan(MethodView):
    @blp.response(200, JobWithEventsSchema)
    @blp.doc(security=SECURITY)
    def get(self, code):
        """The job a scanned job number, ticket barcode or IMEI/serial belongs to (its latest
        open job); 404 with what was scanned when nothing here matches."""
        return scan_service.resolve(current_user, code)


@blp.route("/jobs/<number>/assign")
class Assign(MethodView):
    @blp.arguments(AssignIn)
    @blp.response(200, JobWithEventsSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, number):
        """Assign (or reassign) the job; ``{}`` takes the proposed engineer (manager only).

        409 when the job is no longer on the bench or nobody qualified is free to propose;
        422 when the named user is not an active engineer of the job's service point.
        """
        job = job_service.get_job(current_user, number, for_update=True)
        engineer = _engineer_named(body["engineer"]) if body.get("engineer") else None
        assignment.assign(job, engineer, current_user)
        db.session.commit()
        return job


@blp.route("/jobs/<number>/status")
class Status(MethodView):
    @blp.arguments(StatusIn)
    @blp.response(200, JobWithEventsSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, number):
        """Move the job through the workflow (staff by step).

        409 for a move the workflow forbids (the message names the allowed moves), 403 for a
        move this user may not make (role, not their job, QC of their own repair), 422 for a
        missing reason or an incomplete QC checklist.
        """
        job = job_service.get_job(current_user, number, for_update=True)
        workflow.move(job, body["to"], current_user, note=body.get("note"), location=body.get("location"),
                      checks=body.get("checks"), failed_checks=body.get("failed_checks"),
                      channel=body.get("channel"))
        db.session.commit()
        return job


@blp.route("/jobs/<number>/diagnosis")
class Diagnosis(MethodView):
    @blp.arguments(DiagnosisIn)
    @blp.response(200, JobWithEventsSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, number):
        """Record the diagnosis; above the ceiling the customer agreed, the job goes to
        awaiting_approval, otherwise on to ``next``."""
        job = job_service.get_job(current_user, number, for_update=True)
        workflow.record_diagnosis(job, current_user, findings=body["findings"], estimate=body.get("estimate"),
                                  next_status=body["next"])
        db.session.commit()
        return job


@blp.route("/jobs/<number>/approval")
class Approval(MethodView):
    @blp.arguments(ApprovalIn)
    @blp.response(200, JobWithEventsSchema)
    @blp.doc(security=SECURITY)
    def post(self, body, number):
        """Record the customer's answer to an estimate overrun (desk): approved goes on with
        the repair, declined sends the handset to ready, unrepaired."""
        job = job_service.get_job(current_user, number, for_update=True)
        workflow.record_approval(job, current_user, body["approved"], body["channel"], note=body.get("note"))
        db.session.commit()
        return job
