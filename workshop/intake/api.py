"""Intake API: the request body of ``POST /api/v1/jobs`` (CONTRACT.md), the live
warranty preview of the intake screen, and finding a customer by phone.

The schemas check types only (strings, dates, amounts, booleans); presence and
the workshop's rules are checked by ``workshop.intake.take_in`` so every field
error comes back at once, under the same dotted names.
"""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from models import Job, ValidationError, db
from workshop.intake import customers
from workshop.intake import take_in as intake_service
from workshop.vocabulary import warranty_reasons

blp = Blueprint("api_intake", __name__, url_prefix="/api/v1", description="Front-desk intake")

_text = {"allow_none": True}


class CustomerIn(Schema):
    name = fields.String(**_text, metadata={"description": "Required."})
    phone = fields.String(**_text, metadata={
        "description": "Required; normalised to E.164 (numbers without a country code: WORKSHOP_PHONE_REGION)."})
    email = fields.String(**_text)
    update = fields.Boolean(**_text, metadata={
        "description": "Set to change a returning customer's name to the one given; otherwise a different "
                       "name for a known phone number is refused (422 on customer.name)."})
    previous_phone = fields.String(**_text, metadata={
        "description": "A returning customer with a new phone: the phone on their record now. The record "
                       "takes the new phone (audited, noted in the job's history); earlier jobs keep their "
                       "receipts' name. Without it a new phone is a new customer."})


class DeviceIn(Schema):
    imei = fields.String(**_text, metadata={"description": "15 digits; spaces, dashes and slashes are removed. "
                                                           "Required unless serial_number is given."})
    imei2 = fields.String(**_text, metadata={"description": "Second IMEI of a dual-SIM handset."})
    serial_number = fields.String(**_text, metadata={"description": "For a device without an IMEI."})
    brand = fields.String(**_text, metadata={"description": "Default: from the TAC table."})
    model = fields.String(**_text, metadata={"description": "Default: from the TAC table."})
    colour = fields.String(**_text)


class ProofIn(Schema):
    kind = fields.String(**_text, metadata={"description": "invoice | warranty_card"})
    number = fields.String(**_text)
    purchase_date = fields.Date(**_text)
    seller = fields.String(**_text)
    imei = fields.String(**_text, metadata={"description": "The IMEI printed on the invoice or card."})


class FaultIn(Schema):
    category = fields.String(**_text, metadata={"description": "Required: " + ", ".join(
        intake_service.FAULT_CATEGORIES)})
    description = fields.String(**_text)
    component = fields.String(**_text, metadata={"description": "handset | battery | charger | wired_headset"})


class ConditionIn(Schema):
    liquid_damage = fields.Boolean(**_text)
    physical_damage = fields.Boolean(**_text)
    seals_intact = fields.Boolean(**_text, metadata={"description": "Default true."})
    unauthorised_repair = fields.Boolean(**_text)
    documents_altered = fields.Boolean(**_text)
    notes = fields.String(**_text)


class EstimateIn(Schema):
    amount = fields.Decimal(as_string=True, **_text)
    ceiling = fields.Decimal(as_string=True, **_text, metadata={
        "description": "Above this the customer is asked again."})


class ConsentIn(Schema):
    data_disclaimer = fields.Boolean(**_text)
    lock_removed = fields.Boolean(**_text)


class IntakeIn(Schema):
    customer = fields.Nested(CustomerIn, **_text)
    device = fields.Nested(DeviceIn, **_text)
    proof = fields.Nested(ProofIn, **_text, metadata={"description": "null: no invoice or warranty card."})
    fault = fields.Nested(FaultIn, **_text)
    condition = fields.Nested(ConditionIn, **_text)
    accessories = fields.List(fields.String(), **_text, metadata={
        "description": ", ".join(intake_service.ACCESSORIES)})
    estimate = fields.Nested(EstimateIn, **_text)
    consent = fields.Nested(ConsentIn, **_text)
    promised_by = fields.Date(**_text, metadata={"description": "Default: today + the policy's promise_days."})
    policy = fields.String(**_text, metadata={"description": "Warranty policy code; default: the counter's."})
    service_point = fields.String(**_text, metadata={"description": "Code; default: the caller's own."})
    blocked_override_reason = fields.String(**_text, metadata={
        "description": "A manager's reason to take in a blocked IMEI."})
    open_job_override_reason = fields.String(**_text, metadata={
        "description": "A manager's reason to take in a handset that has an open job (otherwise refused "
                       "with 422 on device.imei naming the open job)."})


def request_from(body: dict) -> intake_service.IntakeRequest:
    return intake_service.IntakeRequest.from_api(body or {})


class PreviewOut(Schema):
    service_point = fields.String()
    today = fields.String(metadata={"description": "The service point's local date."})
    policy = fields.Dict()
    warranty = fields.Dict(metadata={"description": (
        "{policy, status, remedies, chargeable, reasons, reason_codes, reason_args, ends_on, "
        "reasons_local}: reasons in English, reasons_local in the caller's language.")})
    dates = fields.Dict(metadata={"description": "{received_on, promised_by, loaner_due, exchange_due}"})
    default_promised_by = fields.String()
    device = fields.Dict()
    blocked = fields.Boolean()
    blocked_entries = fields.List(fields.Dict())
    blocked_message = fields.String(allow_none=True)
    history = fields.List(fields.Dict())
    rerepair_of = fields.Dict(allow_none=True)
    extension_days = fields.Integer()
    prior_repairs_same_fault = fields.Integer()
    errors = fields.Dict()


@blp.route("/intake/preview")
class Preview(MethodView):
    @blp.arguments(IntakeIn)
    @blp.response(200, PreviewOut)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, body):
        """The warranty decision and service dates for an intake as typed so far.

        Writes nothing.  Problems with fields that decide the warranty come back in
        ``errors``; the decision is then made without them.
        """
        result = intake_service.preview(current_user, request_from(body))
        warranty = result["warranty"]
        # The intake screen shows the reasons in the UI's language; ``reasons`` stay English.
        warranty["reasons_local"] = warranty_reasons(warranty["reason_codes"], warranty["reason_args"],
                                                     warranty["reasons"])
        return result


class CustomerQuery(Schema):
    phone = fields.String(required=True)


class CustomerOut(Schema):
    found = fields.Boolean()
    phone = fields.String()
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    jobs = fields.List(fields.String(), metadata={"description": "Recent job numbers, newest first (at most 10)."})
    jobs_next = fields.String(allow_none=True, metadata={
        "description": "When the customer has more jobs: the job list of this phone, from the 11th on."})


#: Job numbers the customer lookup answers with (newest first).
LOOKUP_JOBS = 10


@blp.route("/customers/lookup")
class CustomerLookup(MethodView):
    @blp.arguments(CustomerQuery, location="query")
    @blp.response(200, CustomerOut)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, args):
        """A returning customer, found by phone at the caller's service point."""
        try:
            customer = customers.find_by_phone(current_user, args["phone"])
            phone = customers.normalise_phone(args["phone"])
        except ValueError as exc:
            raise ValidationError(str(exc), field="phone") from None
        if customer is None:
            return {"found": False, "phone": phone, "name": None, "email": None, "jobs": [], "jobs_next": None}
        rows = db.session.execute(select(Job.id, Job.number).where(Job.customer_id == customer.id)
                                  .order_by(Job.id.desc()).limit(LOOKUP_JOBS + 1)).all()
        # Capped at LOOKUP_JOBS; the rest a page at a time from the job list (by phone, keyset on id).
        more = len(rows) > LOOKUP_JOBS
        rows = rows[:LOOKUP_JOBS]
        return {"found": True, "phone": customer.phone, "name": customer.name, "email": customer.email,
                "jobs": [number for _, number in rows],
                "jobs_next": url_for("api_jobs.Jobs", q=customer.phone, after=rows[-1][0]) if more else None}
