"""Parts API: the catalogue with stock at the caller's service point, receipts,
requisitions and issuing them (CONTRACT.md).  Handlers are thin: validate with the
schemas, call one service, commit, answer."""

from __future__ import annotations

from flask import request, url_for
from flask.views import MethodView
from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from models import Part, Requisition, ValidationError, db
from models.parts import RequisitionStatus
from workshop.core import accounts
from workshop.jobs import loading as job_service
from workshop.jobs.schemas import utc_iso
from workshop.parts import catalogue as parts_service
from workshop.parts import ledger as stock_service
from workshop.permissions.rules import check_service_point
from workshop.web import idempotent

blp = Blueprint("api_parts", __name__, url_prefix="/api/v1", description="Parts and stock")

IDEMPOTENCY_HEADER = {
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"},
    "description": "The same key returns the first answer and creates nothing new.",
}
SECURITY = [{"bearerAuth": []}]
#: The catalogue is read a page at a time, in SKU order (keyset on the SKU).
PARTS_PAGE = 100
PARTS_MAX_PAGE = 500


# --------------------------------------------------------------------------- schemas


class PartIn(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=160))
    price = fields.Decimal(required=True, places=2, as_string=True)
    cost = fields.Decimal(places=2, as_string=True)
    category = fields.String()
    brand = fields.String()
    compatible_models = fields.List(fields.String())
    bin_location = fields.String()
    warranty_category = fields.String()
    reorder_point = fields.Integer(validate=validate.Range(min=0))
    safety_stock = fields.Integer(validate=validate.Range(min=0))
    serial_tracked = fields.Boolean()


class PartOut(Schema):
    sku = fields.String()
    name = fields.String()
    category = fields.String()
    brand = fields.String()
    compatible_models = fields.List(fields.String())
    bin_location = fields.String()
    price = fields.String()
    cost = fields.String()
    warranty_category = fields.String()
    reorder_point = fields.Integer()
    safety_stock = fields.Integer()
    serial_tracked = fields.Boolean()
    active = fields.Boolean()
    service_point = fields.String(metadata={"description": "Where the stock figures are counted."})
    on_hand = fields.Integer()
    reserved = fields.Integer(metadata={"description": "Held for pending requisitions."})
    available = fields.Integer(metadata={"description": "on_hand - reserved"})
    waiting = fields.Integer(metadata={"description": "Requested on pending requisitions, not reserved."})
    incoming = fields.Integer(metadata={"description": "In transit from another service point."})
    low_stock = fields.Boolean()
    suggested_order = fields.Integer()


class PartList(Schema):
    items = fields.List(fields.Nested(PartOut))
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page, or null."})


class StockQuery(Schema):
    service_point = fields.String(metadata={"description": "Service point code; default the caller's own."})


class PartListQuery(StockQuery):
    q = fields.String(metadata={"description": "Words in the SKU, name, brand, model or bin."})
    low_stock = fields.Boolean(metadata={"description": "Only parts at or under their reorder point."})
    after = fields.String(metadata={"description": "Cursor: the `next` of the previous page (a SKU)."})
    limit = fields.Integer(load_default=PARTS_PAGE, validate=validate.Range(min=1, max=PARTS_MAX_PAGE))


class ReceiptIn(Schema):
    sku = fields.String(required=True)
    qty = fields.Integer(required=True, strict=True)
    note = fields.String(load_default="")
    unit_cost = fields.Decimal(places=2, as_string=True, allow_none=True)
    serials = fields.List(fields.String(), metadata={"description": "One per unit, for serial-tracked parts."})
    service_point = fields.String(metadata={"description": "Service point code; default the caller's own."})


class ReceiptOut(Schema):
    id = fields.Integer(metadata={"description": "The (first) ledger row of the receipt."})
    sku = fields.String()
    qty = fields.Integer()
    note = fields.String()
    serials = fields.List(fields.String())
    service_point = fields.String()
    at = fields.String()
    on_hand = fields.Integer()
    reserved = fields.Integer()
    available = fields.Integer()


class LineIn(Schema):
    sku = fields.String(required=True)
    qty = fields.Integer(required=True, strict=True)


class RequisitionIn(Schema):
    lines = fields.List(fields.Nested(LineIn), required=True, validate=validate.Length(min=1, max=20))
    note = fields.String(load_default="")


class LineOut(Schema):
    id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    bin_location = fields.String()
    qty = fields.Integer()
    reserved = fields.Integer()
    issued = fields.Integer()
    returned = fields.Integer()
    defective = fields.Integer()
    unit_price = fields.String(allow_none=True)
    list_price = fields.String(allow_none=True)
    amount = fields.String()
    serials = fields.List(fields.String())


class RequisitionOut(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    job = fields.String()
    service_point = fields.String()
    note = fields.String()
    requested_by = fields.String()
    requested_at = fields.String()
    issued_by = fields.String(allow_none=True)
    issued_at = fields.String(allow_none=True)
    short = fields.List(fields.String(), metadata={"description": "SKUs that cannot be issued now."})
    total = fields.String()
    lines = fields.List(fields.Nested(LineOut))


class RequisitionList(Schema):
    items = fields.List(fields.Nested(RequisitionOut))


class RequisitionQuery(Schema):
    status = fields.String(load_default="pending",
                           validate=validate.OneOf([s.value for s in RequisitionStatus]))


class IssueIn(Schema):
    serials = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                          metadata={"description": "Serial numbers per line id, for serial-tracked parts; "
                                                   "the oldest on the shelf otherwise."})


class CancelIn(Schema):
    reason = fields.String(load_default="")


# --------------------------------------------------------------------------- bodies


def part_body(part: Part, level: parts_service.Level, sp_code: str) -> dict:
    return {
        "sku": part.sku, "name": part.name, "category": part.category, "brand": part.brand,
        "compatible_models": list(part.compatible_models or []), "bin_location": part.bin_location,
        "price": f"{part.price:.2f}", "cost": f"{part.cost:.2f}", "warranty_category": part.warranty_category,
        "reorder_point": part.reorder_point, "safety_stock": part.safety_stock,
        "serial_tracked": part.serial_tracked, "active": part.active, "service_point": sp_code,
        "on_hand": level.on_hand, "reserved": level.reserved, "available": level.available,
        "waiting": level.waiting, "incoming": level.incoming, "low_stock": level.low,
        "suggested_order": level.suggested_order,
    }


def requisition_body(req: Requisition) -> dict:
    short = {s.line.id for s in stock_service.shortages(req)} if req.is_pending else set()
    lines = []
    for line in req.lines:
        lines.append({
            "id": line.id, "sku": line.part.sku, "name": line.part.name, "bin_location": line.part.bin_location,
            "qty": line.qty, "reserved": line.reserved_qty, "issued": line.issued_qty,
            "returned": line.returned_qty, "defective": line.defective_qty,
            "unit_price": f"{line.unit_price:.2f}" if line.unit_price is not None else None,
            "list_price": f"{line.list_price:.2f}" if line.list_price is not None else None,
            "amount": f"{line.amount:.2f}", "serials": list(line.serials or []),
        })
    return {
        "id": req.id, "number": req.number, "status": req.status, "job": req.job.number,
        "service_point": req.service_point.code, "note": req.note,
        "requested_by": req.requested_by.username, "requested_at": utc_iso(req.requested_at),
        "issued_by": req.issued_by.username if req.issued_by else None, "issued_at": utc_iso(req.issued_at),
        "short": [line.part.sku for line in req.lines if line.id in short],
        "total": f"{sum((line.amount for line in req.lines), stock_service.ZERO):.2f}",
        "lines": lines,
    }


def _service_point(code: str | None):
    """The caller's own service point, or the one named (if they may see it)."""
    if not code:
        return current_user.service_point
    sp = accounts.service_point_by_code(code)
    if sp is None:
        raise ValidationError(gettext("There is no service point %(code)s.", code=code), field="service_point")
    check_service_point(current_user, sp.id)
    return sp


# --------------------------------------------------------------------------- endpoints


@blp.route("/parts")
class Parts(MethodView):
    @blp.arguments(PartListQuery, location="query")
    @blp.response(200, PartList)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """The catalogue with stock at the caller's service point (or ``service_point``),
        a page at a time in SKU order: ``next`` is the URL of the following page.
        With ``low_stock`` a page holds the low parts among its SKUs (it may be short)."""
        sp = _service_point(args.get("service_point"))
        limit = args["limit"]
        stmt = parts_service.search(args.get("q", "")).order_by(None).order_by(Part.sku)
        if args.get("after"):
            stmt = stmt.where(Part.sku > args["after"])
        parts = db.session.scalars(stmt.limit(limit + 1)).all()
        more = len(parts) > limit
        parts = parts[:limit]
        levels = parts_service.levels(sp.id, parts)
        if args.get("low_stock"):
            levels = [lv for lv in levels if lv.low]
        next_url = None
        if more:
            query = {k: v for k, v in request.args.items() if k != "after"}
            next_url = url_for("api_parts.Parts", **query, after=parts[-1].sku)
        return {"items": [part_body(lv.part, lv, sp.code) for lv in levels], "next": next_url}

    @blp.arguments(PartIn)
    @blp.response(201, PartOut)
    @blp.doc(security=SECURITY, parameters=[IDEMPOTENCY_HEADER])
    def post(self, body):
        """Add a part to the catalogue (clerk, manager).  422 per field; a taken SKU is 422 on ``sku``."""
        sp = current_user.service_point

        @idempotent("api.parts.create", location=lambda answer: url_for("api_parts.PartBySku", sku=answer["sku"]))
        def create():
            part = parts_service.create_part(current_user, body)
            return part_body(part, parts_service.level(part, sp.id), sp.code), 201

        return create


@blp.route("/parts/<sku>")
class PartBySku(MethodView):
    @blp.arguments(StockQuery, location="query")
    @blp.response(200, PartOut)
    @blp.doc(security=SECURITY)
    def get(self, args, sku):
        """One part with ``on_hand``, ``reserved`` and ``available`` at the caller's service point."""
        sp = _service_point(args.get("service_point"))
        part = parts_service.get_part(sku)
        return part_body(part, parts_service.level(part, sp.id), sp.code)


@blp.route("/stock/receipts")
class StockReceipts(MethodView):
    @blp.arguments(ReceiptIn)
    @blp.response(201, ReceiptOut)
    @blp.doc(security=SECURITY, parameters=[IDEMPOTENCY_HEADER])
    def post(self, body):
        """Book a delivery into stock (clerk, manager).  Serial-tracked parts need ``serials``, one per unit."""
        sp = _service_point(body.get("service_point"))

        @idempotent(f"api.stock.receipt.{sp.code}",
                    location=lambda answer: url_for("api_parts.PartBySku", sku=answer["sku"]))
        def create():
            part = stock_service.part_by_sku(body["sku"])
            moves = stock_service.receive(current_user, sp, part, body["qty"], note=body.get("note", ""),
                                          unit_cost=body.get("unit_cost"), serials=body.get("serials"))
            level = parts_service.level(part, sp.id)
            return {"id": moves[0].id, "sku": part.sku, "qty": sum(m.qty for m in moves), "note": moves[0].note,
                    "serials": [m.serial for m in moves if m.serial], "service_point": sp.code,
                    "at": utc_iso(moves[0].at), "on_hand": level.on_hand, "reserved": level.reserved,
                    "available": level.available}, 201

        return create


@blp.route("/jobs/<number>/requisitions")
class JobRequisitions(MethodView):
    @blp.response(200, RequisitionList)
    @blp.doc(security=SECURITY)
    def get(self, number):
        """The job's requisitions, oldest first."""
        job = job_service.get_job(current_user, number)
        return {"items": [requisition_body(r) for r in parts_service.job_requisitions(job)]}

    @blp.arguments(RequisitionIn)
    @blp.response(201, RequisitionOut)
    @blp.doc(security=SECURITY, parameters=[IDEMPOTENCY_HEADER])
    def post(self, body, number):
        """Ask the store for parts for the job (engineer).  Lines that cannot be reserved
        wait for stock, and the job moves to ``awaiting_parts``."""
        job = job_service.get_job(current_user, number)

        @idempotent(f"api.requisitions.create.{job.number}",
                    location=lambda answer: url_for("api_parts.RequisitionById", id=answer["id"]))
        def create():
            req = stock_service.request_parts(current_user, job, body["lines"], note=body.get("note", ""))
            return requisition_body(req), 201

        return create


@blp.route("/requisitions")
class Requisitions(MethodView):
    @blp.arguments(RequisitionQuery, location="query")
    @blp.response(200, RequisitionList)
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Requisitions at the caller's service points (default: pending, oldest first)."""
        rows = db.session.scalars(
            select(Requisition).where(Requisition.service_point_id.in_(current_user.service_point_ids),
                                      Requisition.status == args["status"])
            .order_by(Requisition.requested_at, Requisition.id).limit(500)
        ).all()
        return {"items": [requisition_body(r) for r in rows]}


# The path variable is {id}, as CONTRACT.md writes POST /api/v1/requisitions/{id}/issue.
@blp.route("/requisitions/<int:id>")
class RequisitionById(MethodView):
    @blp.response(200, RequisitionOut)
    @blp.doc(security=SECURITY)
    def get(self, id):
        """One requisition with its lines."""
        return requisition_body(stock_service.get_requisition(current_user, id))


@blp.route("/requisitions/<int:id>/issue")
class RequisitionIssue(MethodView):
    @blp.arguments(IssueIn, required=False)
    @blp.response(200, RequisitionOut)
    @blp.doc(security=SECURITY)
    def post(self, body, id):
        """Issue every line (clerk): 409 ``Not enough stock`` naming the short lines when
        any is short, and nothing is issued; 409 when it is no longer pending."""
        req = stock_service.get_requisition(current_user, id)
        serials = {int(k): v for k, v in (body or {}).get("serials", {}).items() if str(k).isdigit()}
        stock_service.issue_requisition(current_user, req, serials=serials)
        db.session.commit()
        return requisition_body(req)


@blp.route("/requisitions/<int:id>/cancel")
class RequisitionCancel(MethodView):
    @blp.arguments(CancelIn, required=False)
    @blp.response(200, RequisitionOut)
    @blp.doc(security=SECURITY)
    def post(self, body, id):
        """Withdraw a pending requisition; what it reserved goes back to available."""
        req = stock_service.get_requisition(current_user, id)
        stock_service.cancel_requisition(current_user, req, reason=(body or {}).get("reason", ""))
        db.session.commit()
        return requisition_body(req)
