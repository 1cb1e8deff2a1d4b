"""Schemas shared by several API areas (the job as the API shows it)."""

import datetime as dt

from marshmallow import Schema, fields

from workshop.core.clock import as_utc
from workshop.warranty import promise


def utc_iso(moment: dt.datetime | None) -> str | None:
    """A stored time as ISO 8601 UTC, as CONTRACT.md wants every time in the API: SQLite
    hands back naive values (stored as UTC), PostgreSQL aware ones in the session's zone."""
    return as_utc(moment).astimezone(dt.UTC).isoformat() if moment is not None else None


class UTCDateTime(fields.DateTime):
    """A date-time field that always answers in UTC with its offset (see :func:`utc_iso`)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return utc_iso(value)


def label_url(number: str) -> str:
    """The job's device tag, a fixed path from CONTRACT.md (served by workshop/printing)."""
    return f"/jobs/{number}/label.pdf"


def ticket_url(number: str) -> str:
    """The customer's receipt, a fixed path from CONTRACT.md (served by workshop/printing)."""
    return f"/jobs/{number}/ticket.pdf"


class EventSchema(Schema):
    at = UTCDateTime()
    kind = fields.String()
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    location = fields.String()
    note = fields.String()
    data = fields.Dict()


class WarrantySchema(Schema):
    policy = fields.String(attribute="warranty_policy")
    status = fields.String(attribute="warranty_status")
    remedies = fields.List(fields.String(), attribute="warranty_remedies")
    chargeable = fields.Boolean(attribute="warranty_chargeable")
    reasons = fields.List(fields.String(), attribute="warranty_reasons")
    ends_on = fields.Date(attribute="warranty_ends_on", allow_none=True)


_WARRANTY = WarrantySchema()  # built once: a schema instance is reusable and costs ~0.1 ms to make


class JobSchema(Schema):
    """A job as the API returns it.  Areas may add fields here (one place)."""

    number = fields.String()
    status = fields.String()
    location = fields.String()
    service_point = fields.Function(lambda j: j.service_point.code)
    received_on = fields.Date()
    promised_by = fields.Date()
    engineer = fields.Function(lambda j: j.engineer.username if j.engineer else None)
    customer = fields.Function(lambda j: {"name": j.customer.name, "phone": j.customer.phone,
                                          "email": j.customer.email})
    device = fields.Function(lambda j: {"imei": j.imei, "imei2": j.imei2, "serial_number": j.serial_number,
                                        "brand": j.brand, "model": j.model, "colour": j.colour,
                                        "tac_known": j.tac_known})
    fault = fields.Function(lambda j: {"category": j.fault_category, "description": j.fault_description,
                                       "component": j.component})
    estimate = fields.Function(lambda j: {"amount": str(j.estimate_amount),
                                          "ceiling": str(j.estimate_ceiling) if j.estimate_ceiling is not None
                                          else None})
    warranty = fields.Function(lambda j: _WARRANTY.dump(j))
    rerepair_of = fields.Function(lambda j: j.rerepair_of.number if j.rerepair_of else None)
    # Intake (issue 3): what was recorded at the front desk.
    proof = fields.Function(lambda j: None if not j.proof_kind else {
        "kind": j.proof_kind, "number": j.proof_number, "seller": j.proof_seller, "imei": j.proof_imei,
        "purchase_date": j.purchase_date.isoformat() if j.purchase_date else None})
    condition = fields.Function(lambda j: {
        "liquid_damage": j.liquid_damage, "physical_damage": j.physical_damage, "seals_intact": j.seals_intact,
        "unauthorised_repair": j.unauthorised_repair, "documents_altered": j.documents_altered,
        "notes": j.condition_notes})
    accessories = fields.List(fields.String())
    consent = fields.Function(lambda j: {"data_disclaimer": j.data_disclaimer_accepted,
                                         "lock_removed": j.lock_removed})
    blocked_override_reason = fields.String(allow_none=True)
    allowed_moves = fields.Function(lambda j: [s.value for s in j.allowed_moves()])
    # Bench (issue 5): promised/loaner/exchange dates near or past, most urgent first.
    promise_warnings = fields.Function(lambda j: _promise_warnings(j))
    label_url = fields.Function(lambda j: label_url(j.number))
    ticket_url = fields.Function(lambda j: ticket_url(j.number))


def _promise_warnings(job) -> list[dict]:
    return [w.to_dict() for w in promise.warnings_for(job)]


class JobWithEventsSchema(JobSchema):
    events = fields.List(fields.Nested(EventSchema))


class JobListItemSchema(Schema):
    """A job in the list (``GET /api/v1/jobs``): what a row shows and how to open it,
    with the same names and shapes as :class:`JobSchema`.  The rest of the job
    (warranty, proof, condition, accessories, allowed moves, promise warnings, events)
    is at ``url``: loading and dumping all of it for every job of a page of 50 cost
    more than the search itself.  Dumps rows of ``workshop.jobs.search.LISTED``."""

    number = fields.String()
    status = fields.String()
    location = fields.String()
    service_point = fields.String()
    received_on = fields.Date()
    promised_by = fields.Date()
    engineer = fields.String(allow_none=True)
    customer = fields.Function(lambda j: {"name": j.customer_name, "phone": j.customer_phone})
    device = fields.Function(lambda j: {"imei": j.imei, "serial_number": j.serial_number,
                                        "brand": j.brand, "model": j.model})
    fault = fields.Function(lambda j: {"category": j.fault_category, "description": j.fault_description})
    rerepair_of = fields.String(allow_none=True)
    url = fields.Function(lambda j: f"/api/v1/jobs/{j.number}")
    label_url = fields.Function(lambda j: label_url(j.number))
    ticket_url = fields.Function(lambda j: ticket_url(j.number))
