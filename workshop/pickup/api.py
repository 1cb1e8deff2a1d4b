"""Pickup API: ``POST /api/v1/jobs/{number}/pickup`` hands a ready handset back
(CONTRACT.md), ``GET /api/v1/jobs/{number}/bill`` shows what is due."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates_schema

from models import db
from workshop.jobs import loading as job_service
from workshop.jobs.schemas import JobSchema, utc_iso
from workshop.pickup import collection as pickup_service
from workshop.web import idempotent

blp = Blueprint("api_pickup", __name__, url_prefix="/api/v1", description="Pickup")

IDEMPOTENCY_HEADER = {
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"},
    "description": "The same key returns the first answer and collects nothing twice.",
}


class PaymentIn(Schema):
    method = fields.String(required=True, metadata={"description": "cash, card, wechat, alipay or transfer"})
    amount = fields.Decimal(required=True, places=2, as_string=True,
                            metadata={"description": "Exactly the balance due (see GET .../bill)."})
    reference = fields.String(load_default="", metadata={"description": "Card slip or transaction number."})


class PickupIn(Schema):
    phone_last4 = fields.String(metadata={"description": "Last 4 digits of the customer's phone."})
    id_checked = fields.Boolean(
        load_default=True,
        metadata={"description": "With phone_last4: the counter checked an ID document (default true; "
                                 "false refuses the hand-over)."})
    stub_code = fields.String(metadata={"description": "Instead of phone_last4: the code scanned from the "
                                                       "customer's receipt stub (the job number)."})
    payment = fields.Nested(PaymentIn, allow_none=True, load_default=None,
                            metadata={"description": "Omit (or amount 0) when nothing is due."})
    accessories_returned = fields.List(fields.String(), load_default=None,
                                       metadata={"description": "Default: everything left with the handset."})
    accessories_note = fields.String(load_default="", metadata={"description": "Why an accessory stays."})
    note = fields.String(load_default="")

    @validates_schema
    def _one_way(self, data, **_kwargs):
        if not data.get("phone_last4") and not data.get("stub_code"):
            raise ValidationError(gettext("Give phone_last4 (with id_checked) or stub_code."), field_name="phone_last4")


class BillSchema(Schema):
    chargeable = fields.Boolean()
    free_reason = fields.String(allow_none=True)
    lines = fields.List(fields.Dict())
    subtotal = fields.String()
    discount = fields.String()
    discount_reason = fields.String(allow_none=True)
    total = fields.String()
    deposit = fields.String()
    balance = fields.String()


def _pickup(job) -> dict | None:
    record = pickup_service.pickup_record(job)
    if record is None:
        return None
    return {
        "collected_at": utc_iso(record.collected_at),
        "collected_on": record.collected_on.isoformat(),
        "collected_by": record.collected_by.username,
        "verified_by": record.verified_by,
        "paid": str(record.paid),
        "accessories_returned": list(record.accessories_returned or []),
        "repair_warranty_days": record.repair_warranty_days,
        "repair_warranty_ends_on": record.repair_warranty_ends_on.isoformat()
        if record.repair_warranty_ends_on else None,
        "receipt_url": f"/jobs/{job.number}/pickup-receipt.pdf",
    }


class PickedUpJobSchema(JobSchema):
    bill = fields.Function(lambda j: pickup_service.bill(j).as_dict())
    pickup = fields.Function(_pickup)


@blp.route("/jobs/<number>/pickup")
class JobPickup(MethodView):
    @blp.arguments(PickupIn)
    @blp.response(200, PickedUpJobSchema)
    @blp.doc(security=[{"bearerAuth": []}], parameters=[IDEMPOTENCY_HEADER])
    def post(self, body, number):
        """Hand a ready handset back: verify the customer, take the balance, collect.

        403 when verification fails (nothing changes; the attempt is logged), 409 when
        the job is not ready or a loaner is still out, 422 for a payment that is not
        the balance due or accessories not accounted for.
        """
        job = job_service.get_job(current_user, number, for_update=True)
        verification = pickup_service.Verification(
            method="stub" if body.get("stub_code") else "phone_id", stub_code=body.get("stub_code") or "",
            phone_last4=body.get("phone_last4") or "", id_checked=bool(body.get("id_checked")))
        paid = body.get("payment")
        payment = pickup_service.PaymentInput(method=paid["method"], amount=paid["amount"],
                                              reference=paid.get("reference") or "") if paid else None

        @idempotent(f"api.pickup.{job.number}")
        def create():
            try:
                pickup_service.collect(job, current_user, verification=verification, payment=payment,
                                       accessories_returned=body.get("accessories_returned"),
                                       accessories_note=body.get("accessories_note") or "",
                                       note=body.get("note") or "")
            except pickup_service.VerificationFailed as exc:
                # The refused hand-over leaves nothing behind; the attempt is logged on its own.
                db.session.rollback()
                pickup_service.log_failed_verification(current_user, job, exc, verification)
                db.session.commit()
                raise
            return PickedUpJobSchema().dump(job), 200

        return create


@blp.route("/jobs/<number>/bill")
class JobBill(MethodView):
    @blp.response(200, BillSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, number):
        """The job's bill: parts and labour (zero for warranty work), discount, deposit,
        and the balance to pay at pickup (the bill as charged once collected)."""
        job = job_service.get_job(current_user, number)
        return pickup_service.bill(job).as_dict()
