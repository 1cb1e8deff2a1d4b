"""The stock ledger: the only place stock changes.

Every movement writes a :class:`~models.StockMove` row and changes
:class:`~models.Stock` in the same transaction, so on-hand stock is always the sum
of the ledger.  Functions flush and never commit; views, API handlers and CLI
commands commit (or roll back on a domain error, which leaves nothing half-done).

Concurrency
    Stock rows are locked before they are read for a decision: ``SELECT ... FOR
    UPDATE`` on PostgreSQL (always in part order, so two transactions never wait for
    each other crosswise); on SQLite every transaction already holds the database's
    write lock (``BEGIN IMMEDIATE``, see ``workshop/__init__.py``).  Every decrement is
    also a conditional ``UPDATE ... WHERE on_hand - reserved >= :need`` whose row count
    is checked, and the table's CHECK constraints refuse negative stock, so even a
    caller that skipped the lock could not oversell.

Reservations
    A requisition reserves its lines when it is requested if enough is available
    (``available = on_hand - reserved``); a line that cannot be reserved waits, the
    job moves to ``awaiting_parts`` and the store sees the shortage on its reorder
    list.  Issuing takes a reserved line's units from its reservation and an
    unreserved line's from what is available then, all lines or none.  Stock that
    arrives later is not reserved automatically: the clerk's queue shows which
    waiting requisitions can now be filled, oldest first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    Conflict,
    DefectivePart,
    Job,
    JobStatus,
    NotFound,
    Part,
    Requisition,
    RequisitionLine,
    ServicePoint,
    Stock,
    StockMove,
    StockShortage,
    StockTake,
    Transfer,
    ValidationError,
    db,
    utcnow,
)
from models.jobs import TRANSITIONS
from models.parts import (
    AdjustmentReason,
    DefectiveOrigin,
    DefectiveStatus,
    MoveKind,
    RequisitionStatus,
    TransferStatus,
)
from models.words import TRANSFER_WORDS, status_words, statuses_words
from workshop.core import audit
from workshop.core.money import parse_money
from workshop.core.scoping import get_scoped
from workshop.core.signals import job_moved
from workshop.jobs import notes, workflow
from workshop.permissions.rules import check_service_point

MAX_QTY = 9999
ZERO = Decimal("0.00")

#: Job statuses in which the bench may ask for parts.
REQUEST_STATUSES = frozenset({
    JobStatus.DIAGNOSING, JobStatus.AWAITING_APPROVAL, JobStatus.AWAITING_PARTS, JobStatus.REPAIRING,
})
#: Job statuses in which nothing more is issued to the job.
CLOSED_STATUSES = frozenset({
    JobStatus.READY, JobStatus.COLLECTED, JobStatus.CANCELLED, JobStatus.UNREPAIRABLE,
})
_SERIAL_SPLIT = re.compile(r"[\s,;]+")
_WHOLE = re.compile(r"[+-]?\d{1,9}")


# --------------------------------------------------------------------------- helpers


def parse_serials(value) -> list[str]:
    """Serial numbers from a list or from text (one per line, or comma separated)."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else _SERIAL_SPLIT.split(str(value))
    return [s.strip().upper() for s in items if s and s.strip()]


def parse_qty(value, field: str = "qty", *, allow_zero: bool = False, low: int | None = None) -> int:
    """A whole number of units; raises ValidationError naming ``field``."""
    low = (0 if allow_zero else 1) if low is None else low
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    if not _WHOLE.fullmatch(text):
        raise ValidationError(gettext("Enter a whole number of units."), field=field)
    qty = int(text)
    if not low <= qty <= MAX_QTY:
        raise ValidationError(gettext("Enter a quantity from %(low)s to %(max_qty)s.", low=low, max_qty=MAX_QTY), field=field)
    return qty


def part_by_sku(sku: str, *, field: str = "sku", active_only: bool = False) -> Part:
    """The catalogue part with ``sku`` (case-insensitive); raises ValidationError naming ``field``."""
    code = (sku or "").strip().upper()
    if not code:
        raise ValidationError(gettext("Enter a SKU."), field=field)
    part = db.session.scalar(select(Part).where(Part.sku == code))
    if part is None:
        raise ValidationError(gettext("There is no part %(code)s in the catalogue.", code=code), field=field)
    if active_only and not part.active:
        raise ValidationError(gettext("%(code)s is discontinued.", code=code), field=field)
    return part


def stock_of(part: Part, service_point_id: int) -> Stock | None:
    """The stock row (not locked), or None when the part was never stocked there."""
    return db.session.scalar(
        select(Stock).where(Stock.part_id == part.id, Stock.service_point_id == service_point_id)
    )


def ledger_sum(part: Part, service_point_id: int) -> int:
    """Sum of the ledger for one part at one service point (equals Stock.on_hand)."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(StockMove.qty), 0))
        .where(StockMove.part_id == part.id, StockMove.service_point_id == service_point_id)
    ))


def serials_in_stock(part: Part, service_point_id: int) -> list[str]:
    """Serials of ``part`` on the shelf at the service point, oldest first (read from the ledger)."""
    rows = db.session.execute(
        select(StockMove.serial)
        .where(StockMove.part_id == part.id, StockMove.service_point_id == service_point_id,
               StockMove.serial.is_not(None))
        .group_by(StockMove.serial)
        .having(func.sum(StockMove.qty) > 0)
        .order_by(func.max(StockMove.id))
    ).scalars()
    return list(rows)


def _serial_anywhere(part: Part, serial: str) -> bool:
    """True when a unit with this serial is on a shelf or in transit somewhere in the chain."""
    on_shelf = db.session.scalar(
        select(StockMove.service_point_id)
        .where(StockMove.part_id == part.id, StockMove.serial == serial)
        .group_by(StockMove.service_point_id)
        .having(func.sum(StockMove.qty) > 0).limit(1)
    )
    if on_shelf is not None:
        return True
    moving = db.session.scalars(
        select(Transfer.serials).where(Transfer.part_id == part.id,
                                       Transfer.status == TransferStatus.IN_TRANSIT.value)
    )
    return any(serial in (s or []) for s in moving)


def _lock_stock(part_ids: Iterable[int], service_point_id: int, *, create: bool = False) -> dict[int, Stock]:
    """Lock (and with ``create`` first insert) the stock rows of these parts, in part order."""
    ids = sorted(set(part_ids))
    if not ids:
        return {}
    if create:
        _insert_missing_stock(ids, service_point_id)
    rows = db.session.scalars(
        select(Stock)
        .where(Stock.service_point_id == service_point_id, Stock.part_id.in_(ids))
        .order_by(Stock.part_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {row.part_id: row for row in rows}


def _insert_missing_stock(part_ids: list[int], service_point_id: int) -> None:
    # INSERT ... ON CONFLICT DO NOTHING: two transactions creating the same row at once
    # both succeed (one inserts, the other finds it) instead of one failing.
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the workshop runs on SQLite and PostgreSQL
        raise RuntimeError(f"unsupported database {dialect}")
    now = utcnow()
    for part_id in part_ids:
        db.session.execute(
            insert(Stock)
            .values(part_id=part_id, service_point_id=service_point_id, on_hand=0, reserved=0, updated_at=now)
            .on_conflict_do_nothing(index_elements=["part_id", "service_point_id"])
        )


def _change(stock: Stock, *, on_hand: int = 0, reserved: int = 0, need_available: int | None = None) -> bool:
    """Apply a change to a stock row with one conditional UPDATE.

    With ``need_available`` the row changes only while ``on_hand - reserved`` is at
    least that much; returns False (nothing changed) otherwise.
    """
    stmt = update(Stock).where(Stock.id == stock.id)
    if need_available is not None:
        stmt = stmt.where(Stock.on_hand - Stock.reserved >= need_available)
    if on_hand < 0:
        stmt = stmt.where(Stock.on_hand >= -on_hand)
    if reserved < 0:
        stmt = stmt.where(Stock.reserved >= -reserved)
    stmt = (
        stmt.values(on_hand=Stock.on_hand + on_hand, reserved=Stock.reserved + reserved, updated_at=utcnow())
        .returning(Stock.on_hand, Stock.reserved)
        .execution_options(synchronize_session=False)
    )
    row = db.session.execute(stmt).first()
    if row is None:
        return False
    set_committed_value(stock, "on_hand", row[0])
    set_committed_value(stock, "reserved", row[1])
    return True


def _record(stock: Stock, kind: MoveKind, qty: int, actor, **links) -> StockMove:
    move = StockMove(
        part_id=stock.part_id, service_point_id=stock.service_point_id, kind=kind.value, qty=qty,
        balance=stock.on_hand, actor_id=getattr(actor, "id", None), **links,
    )
    db.session.add(move)
    return move


def _apply_moves(stock: Stock, kind: MoveKind, qty: int, actor, *, serials: Sequence[str] = (),
                 need_available: int | None = None, reserved: int = 0, **links) -> list[StockMove]:
    """Change stock by ``qty`` and write the ledger: one row, or one per serial.

    Returns the rows; raises StockShortage when a decrement finds too little stock.
    """
    if serials:
        sign = 1 if qty > 0 else -1
        moves = []
        for i, serial in enumerate(serials):
            # The reservation and the availability check go with the first unit.
            ok = _change(stock, on_hand=sign, reserved=reserved if i == 0 else 0,
                         need_available=need_available if i == 0 else None)
            if not ok:
                raise _short_error(stock, abs(qty))
            moves.append(_record(stock, kind, sign, actor, serial=serial, **links))
        return moves
    if not _change(stock, on_hand=qty, reserved=reserved, need_available=need_available):
        raise _short_error(stock, abs(qty))
    return [_record(stock, kind, qty, actor, **links)]


def _short_error(stock: Stock, need: int) -> StockShortage:
    db.session.refresh(stock)
    return StockShortage(
        gettext("Not enough stock of %(sku)s: %(available)s available, %(need)s needed.",
                sku=stock.part.sku, available=stock.available, need=need),
        field="qty",
    )


def _check_sp(actor, service_point_id: int) -> None:
    if actor is not None:
        check_service_point(actor, service_point_id)


def charge_price(job: Job, part: Part) -> Decimal:
    """What one unit of ``part`` is charged to ``job``: its price, or zero for warranty work."""
    return ZERO if job.is_free_of_charge else Decimal(part.price).quantize(Decimal("0.01"))


def _move_job(job: Job, to: JobStatus, actor, note: str) -> bool:
    """Move the job through the workflow if the transition exists; returns whether it moved."""
    if (job.job_status, to) not in TRANSITIONS:
        return False
    workflow.move(job, to, actor, note=note)
    return True


def _may_move(job: Job, to: JobStatus, actor) -> bool:
    if actor is None or (job.job_status, to) not in TRANSITIONS:
        return False
    try:
        job.check_move(to, actor)
    except Exception:  # noqa: BLE001 - WorkflowError/PermissionDenied: not this actor's move
        return False
    return True


def _describe(lines: Iterable[RequisitionLine]) -> str:
    return ", ".join(f"{line.qty} × {line.part.sku} {line.part.name}" for line in lines)


# --------------------------------------------------------------------------- receiving


def receive(actor, service_point: ServicePoint, part: Part, qty: int, *, note: str = "",
            unit_cost=None, serials: Sequence[str] | str | None = None) -> list[StockMove]:
    """Book a delivery of ``qty`` units of ``part`` into stock at ``service_point``.

    Serial-tracked parts need one new serial per unit.  Returns the ledger rows.
    Raises ValidationError (qty, serials, unit_cost, sku), PermissionDenied for
    another service point's stock.  Flushes only.
    """
    _check_sp(actor, service_point.id)
    qty = parse_qty(qty)
    if not part.active:
        raise ValidationError(gettext("%(sku)s is discontinued; reactivate it before receiving it.", sku=part.sku), field="sku")
    cost = parse_money(unit_cost, "unit_cost") if unit_cost not in (None, "") else None
    serial_list = _new_serials(part, qty, serials)
    stock = _lock_stock([part.id], service_point.id, create=True)[part.id]
    return _apply_moves(stock, MoveKind.RECEIPT, qty, actor, serials=serial_list,
                        note=(note or "").strip(), unit_cost=cost)


def _new_serials(part: Part, qty: int, serials, field: str = "serials") -> list[str]:
    serial_list = parse_serials(serials)
    if not part.serial_tracked:
        if serial_list:
            raise ValidationError(gettext("%(sku)s is not serial-tracked; leave serials empty.", sku=part.sku), field=field)
        return []
    if len(serial_list) != qty:
        raise ValidationError(gettext("%(sku)s is serial-tracked: enter %(qty)s serial number(s), one per "
                                      "unit (%(length)s given).",
                                      sku=part.sku, qty=qty, length=len(serial_list)), field=field)
    if len(set(serial_list)) != len(serial_list):
        raise ValidationError(gettext("A serial number is repeated."), field=field)
    taken = [s for s in serial_list if _serial_anywhere(part, s)]
    if taken:
        raise ValidationError(gettext("Already in stock: %(choices)s.", choices=', '.join(taken)), field=field)
    return serial_list


def _pick_serials(part: Part, service_point_id: int, qty: int, given, field: str = "serials") -> list[str]:
    """Serials to take off the shelf: the ones given (checked), else the oldest ones."""
    if not part.serial_tracked:
        return []
    on_shelf = serials_in_stock(part, service_point_id)
    chosen = parse_serials(given)
    if not chosen:
        return on_shelf[:qty] if len(on_shelf) >= qty else []
    if len(chosen) != qty or len(set(chosen)) != qty:
        raise ValidationError(gettext("Give %(qty)s different serial number(s) for %(sku)s.", qty=qty, sku=part.sku), field=field)
    missing = [s for s in chosen if s not in on_shelf]
    if missing:
        raise ValidationError(gettext("Not on the shelf here: %(choices)s.", choices=', '.join(missing)), field=field)
    return chosen


# --------------------------------------------------------------------------- requisitions


@dataclass
class RequestLine:
    part: Part
    qty: int


def request_parts(actor, job: Job, lines: Sequence[dict], *, note: str = "") -> Requisition:
    """An engineer asks the store for parts for ``job`` (a requisition, 领料单).

    ``lines`` are ``{"sku": ..., "qty": ...}``; the same SKU twice is merged.  Each
    line is reserved if enough is available.  When a line cannot be reserved the job
    moves to ``awaiting_parts`` (if the workflow lets the actor move it).  Raises
    ValidationError with per-line errors (``lines.0.sku``), Conflict when the job is
    not at a stage that takes parts.  Flushes only.
    """
    _check_sp(actor, job.service_point_id)
    if job.job_status not in REQUEST_STATUSES:
        raise Conflict(gettext("Parts are requested while a job is %(allowed)s; job %(number)s is "
                               "“%(status)s”.",
                               allowed=statuses_words(sorted(REQUEST_STATUSES)), number=job.number,
                               status=status_words(job.status)))
    wanted = _validate_lines(lines)
    req = Requisition(service_point_id=job.service_point_id, job=job, requested_by_id=actor.id,
                      note=(note or "").strip(), status=RequisitionStatus.PENDING.value)
    req.lines = [RequisitionLine(part=w.part, qty=w.qty, reserved_qty=0, issued_qty=0, returned_qty=0,
                                 defective_qty=0, serials=[]) for w in wanted]
    db.session.add(req)
    db.session.flush()
    stocks = _lock_stock([w.part.id for w in wanted], job.service_point_id)
    short = []
    for line in req.lines:
        stock = stocks.get(line.part_id)
        if stock is not None and _change(stock, reserved=line.qty, need_available=line.qty):
            line.reserved_qty = line.qty
        else:
            short.append(line)
    summary = _describe(req.lines)
    job.add_event("parts_requested", actor, note=f"{req.number}: {summary}",
                  data={"requisition": req.id, "short": [line.part.sku for line in short]})
    if short and job.job_status != JobStatus.AWAITING_PARTS and _may_move(job, JobStatus.AWAITING_PARTS, actor):
        _move_job(job, JobStatus.AWAITING_PARTS, actor,
                  note=notes.note("parts_waiting", requisition=req.number,
                                  skus=", ".join(line.part.sku for line in short)))
    return req


def _validate_lines(lines: Sequence[dict]) -> list[RequestLine]:
    if not lines:
        raise ValidationError(gettext("Ask for at least one part."), errors={"lines": [gettext("Ask for at least one part.")]})
    errors: dict[str, list[str]] = {}
    merged: dict[int, RequestLine] = {}
    for i, raw in enumerate(lines):
        try:
            part = part_by_sku(raw.get("sku"), field=f"lines.{i}.sku", active_only=True)
        except ValidationError as exc:
            errors.update(exc.errors)
            part = None
        try:
            qty = parse_qty(raw.get("qty", 1), field=f"lines.{i}.qty")
        except ValidationError as exc:
            errors.update(exc.errors)
            qty = None
        if part is not None and qty is not None:
            if part.id in merged:
                merged[part.id].qty += qty
            else:
                merged[part.id] = RequestLine(part, qty)
    if errors:
        raise ValidationError(gettext("The requisition was not created."), errors=errors)
    return sorted(merged.values(), key=lambda w: w.part.id)


def get_requisition(actor, requisition_id: int, *, for_update: bool = False) -> Requisition:
    """The requisition if ``actor`` may see it; raises NotFound / PermissionDenied."""
    return get_scoped(actor, Requisition, Requisition.id == requisition_id,
                      missing=gettext("There is no requisition %(id)s.", id=requisition_id), for_update=for_update)


def _lock_requisition(req: Requisition) -> Requisition:
    db.session.scalar(select(Requisition).where(Requisition.id == req.id).with_for_update()
                      .execution_options(populate_existing=True))
    return req


def _reload_lines(req: Requisition) -> None:
    # Reservations on the lines change only under the stock rows' lock (see adjust), so
    # read them again once those locks are held.
    db.session.scalars(select(RequisitionLine).where(RequisitionLine.requisition_id == req.id)
                       .execution_options(populate_existing=True)).all()


@dataclass
class Shortage:
    line: RequisitionLine
    available: int
    need: int


def shortages(req: Requisition) -> list[Shortage]:
    """The lines of a pending requisition that cannot be issued now (not locked: for display)."""
    out = []
    for line in req.lines:
        need = line.qty - line.reserved_qty
        if need <= 0:
            continue
        stock = stock_of(line.part, req.service_point_id)
        available = stock.available if stock is not None else 0
        if available < need:
            out.append(Shortage(line, available, need))
    return out


def issue_requisition(actor, req: Requisition, *, serials: dict[int, Sequence[str] | str] | None = None
                      ) -> Requisition:
    """The clerk hands out every line of a pending requisition: stock falls, the job is charged.

    All lines or none: a short line raises StockShortage (409) naming each short
    line (``lines.N.qty``) and nothing is issued.  Serial-tracked lines take the
    serials given per line id (checked against the shelf) or the oldest ones.  Each
    line is charged the part's price, or zero for warranty work.  Raises Conflict
    when the requisition is no longer pending or the job is closed.  Flushes only;
    the caller rolls back on any error.
    """
    _check_sp(actor, req.service_point_id)
    _lock_requisition(req)
    if req.status != RequisitionStatus.PENDING.value:
        raise Conflict(gettext("Requisition %(number)s is already %(status)s.", number=req.number, status=status_words(req.status)))
    job = req.job
    if job.job_status in CLOSED_STATUSES:
        raise Conflict(gettext("Job %(number)s is %(status)s; cancel requisition %(number2)s instead.",
                               number=job.number, status=status_words(job.status), number2=req.number))
    serials = serials or {}
    stocks = _lock_stock([line.part_id for line in req.lines], req.service_point_id)
    _reload_lines(req)

    errors: dict[str, list[str]] = {}
    for i, line in enumerate(req.lines):
        need = line.qty - line.reserved_qty
        stock = stocks.get(line.part_id)
        available = stock.available if stock is not None else 0
        if need > available:
            errors[f"lines.{i}.qty"] = [gettext("%(sku)s: %(available)s available, %(need)s more needed.",
                                                sku=line.part.sku, available=available, need=need)]
    if errors:
        raise StockShortage(gettext("Not enough stock to issue %(number)s; nothing was issued.", number=req.number)
                            + " " + " ".join(m for msgs in errors.values() for m in msgs), errors=errors)

    now = utcnow()
    for i, line in enumerate(req.lines):
        stock = stocks[line.part_id]
        picked = _pick_serials(line.part, req.service_point_id, line.qty, serials.get(line.id),
                               field=f"lines.{i}.serials")
        if line.part.serial_tracked and len(picked) != line.qty:
            raise StockShortage(gettext("%(sku)s: the serials on the shelf do not match the count; take stock "
                                        "of it first.",
                                        sku=line.part.sku), field=f"lines.{i}.serials")
        _apply_moves(stock, MoveKind.ISSUE, -line.qty, actor, serials=picked,
                     need_available=line.qty - line.reserved_qty, reserved=-line.reserved_qty,
                     job_id=job.id, requisition_id=req.id, requisition_line_id=line.id,
                     unit_cost=line.part.cost, note=req.number)
        line.issued_qty = line.qty
        line.reserved_qty = 0
        line.unit_price = charge_price(job, line.part)
        line.list_price = Decimal(line.part.price).quantize(Decimal("0.01"))
        line.unit_cost = line.part.cost
        line.serials = picked
    req.status = RequisitionStatus.ISSUED.value
    req.issued_by_id = actor.id
    req.issued_at = now
    total = sum((line.amount for line in req.lines), ZERO)
    job.add_event("parts_issued", actor, note=f"{req.number}: {_describe(req.lines)} ({total})",
                  data={"requisition": req.id, "amount": str(total),
                        "lines": [{"sku": line.part.sku, "qty": line.qty, "unit_price": str(line.unit_price),
                                   "serials": line.serials} for line in req.lines]})
    return req


def cancel_requisition(actor, req: Requisition, *, reason: str = "") -> Requisition:
    """Withdraw a pending requisition and release what it reserved.

    Raises Conflict when it is no longer pending.  Flushes only.
    """
    _check_sp(actor, req.service_point_id)
    _lock_requisition(req)
    if req.status != RequisitionStatus.PENDING.value:
        raise Conflict(gettext("Requisition %(number)s is already %(status)s.", number=req.number, status=status_words(req.status)))
    stocks = _lock_stock([line.part_id for line in req.lines], req.service_point_id)
    _reload_lines(req)
    for line in req.lines:
        if line.reserved_qty:
            _change(stocks[line.part_id], reserved=-line.reserved_qty)
            line.reserved_qty = 0
    req.status = RequisitionStatus.CANCELLED.value
    req.cancelled_by_id = actor.id
    req.cancelled_at = utcnow()
    req.cancel_reason = (reason or "").strip()
    req.job.add_event("parts_cancelled", actor, note=f"{req.number}: {_describe(req.lines)}"
                      + (f" — {req.cancel_reason}" if req.cancel_reason else ""),
                      data={"requisition": req.id})
    return req


def _issued_line(actor, line_id: int, job: Job | None = None) -> RequisitionLine:
    line = db.session.get(RequisitionLine, line_id)
    if line is None or (job is not None and line.requisition.job_id != job.id):
        raise NotFound(gettext("There is no such part line on this job."))
    _check_sp(actor, line.requisition.service_point_id)
    _lock_requisition(line.requisition)
    db.session.refresh(line)
    if line.requisition.status != RequisitionStatus.ISSUED.value or line.issued_qty == 0:
        raise Conflict(gettext("Only issued parts can come back."))
    if line.requisition.job.job_status == JobStatus.COLLECTED:
        raise Conflict(gettext("Job %(number)s is collected; its bill is closed.", number=line.requisition.job.number))
    return line


def _serials_out(line: RequisitionLine) -> list[str]:
    """Serials issued on this line that have not come back."""
    back = set(db.session.scalars(
        select(StockMove.serial).where(StockMove.requisition_line_id == line.id,
                                       StockMove.kind.in_([MoveKind.RETURN.value, MoveKind.DEFECTIVE_RETURN.value]),
                                       StockMove.serial.is_not(None))
    ))
    return [s for s in (line.serials or []) if s not in back]


def _returning_serials(line: RequisitionLine, qty: int, given) -> list[str]:
    if not line.part.serial_tracked:
        return []
    out = _serials_out(line)
    chosen = parse_serials(given)
    if not chosen:
        if len(out) == qty:
            return out
        raise ValidationError(gettext("Say which serial number(s) come back: %(choices)s.", choices=', '.join(out)), field="serials")
    if len(chosen) != qty or len(set(chosen)) != qty or any(s not in out for s in chosen):
        raise ValidationError(gettext("Choose %(qty)s of the serials issued to the job: %(choices)s.",
                                      qty=qty, choices=', '.join(out)), field="serials")
    return chosen


def return_unused(actor, line_id: int, qty, *, job: Job | None = None, serials=None, note: str = ""
                  ) -> list[StockMove]:
    """Put unused units of an issued line back on the shelf; the job is no longer charged for them.

    Raises ValidationError (qty above what the job still holds, serials), Conflict
    when the line was not issued or the job is collected, NotFound.  Flushes only.
    """
    line = _issued_line(actor, line_id, job)
    qty = parse_qty(qty)
    if qty > line.charged_qty:
        raise ValidationError(gettext("The job holds %(charged_qty)s of %(sku)s.", charged_qty=line.charged_qty, sku=line.part.sku), field="qty")
    back = _returning_serials(line, qty, serials)
    req = line.requisition
    stock = _lock_stock([line.part_id], req.service_point_id, create=True)[line.part_id]
    moves = _apply_moves(stock, MoveKind.RETURN, qty, actor, serials=back, job_id=req.job_id,
                         requisition_id=req.id, requisition_line_id=line.id, note=(note or "").strip())
    line.returned_qty += qty
    req.job.add_event("parts_returned", actor, note=notes.note("parts_returned", qty=qty, part=f"{line.part.sku} {line.part.name}"),
                      data={"requisition": req.id, "sku": line.part.sku, "qty": qty, "serials": back})
    return moves


def return_defective(actor, line_id: int, qty=1, *, job: Job | None = None, serials=None,
                     description: str = "") -> DefectivePart:
    """A new part turned out faulty on the job (DOA): it goes to the defective bin.

    The job is no longer charged for it and saleable stock does not change (the
    ledger row has qty 0); a :class:`DefectivePart` (status ``kept``) tracks the
    claim to the supplier.  Raises like :func:`return_unused`.  Flushes only.
    """
    line = _issued_line(actor, line_id, job)
    qty = parse_qty(qty)
    if qty > line.charged_qty:
        raise ValidationError(gettext("The job holds %(charged_qty)s of %(sku)s.", charged_qty=line.charged_qty, sku=line.part.sku), field="qty")
    back = _returning_serials(line, qty, serials)
    req = line.requisition
    defective = DefectivePart(service_point_id=req.service_point_id, job_id=req.job_id, part_id=line.part_id,
                              requisition_line_id=line.id, origin=DefectiveOrigin.DOA.value, qty=qty,
                              serial=", ".join(back), description=(description or "").strip(),
                              status=DefectiveStatus.KEPT.value, logged_by_id=actor.id)
    db.session.add(defective)
    db.session.flush()
    stock = _lock_stock([line.part_id], req.service_point_id, create=True)[line.part_id]
    for serial in back or [None]:
        _record(stock, MoveKind.DEFECTIVE_RETURN, 0, actor, job_id=req.job_id, requisition_id=req.id,
                requisition_line_id=line.id, defective_part_id=defective.id, serial=serial,
                note=f"{qty if serial is None else 1} to the defective bin" + (f": {description}" if description else ""))
    line.defective_qty += qty
    req.job.add_event("part_defective", actor, note=notes.note("part_defective", qty=qty, part=f"{line.part.sku} {line.part.name}"),
                      data={"requisition": req.id, "sku": line.part.sku, "qty": qty, "defective": defective.id})
    return defective


def log_replaced_part(actor, job: Job, *, part: Part | None = None, serial: str = "", description: str = "",
                      qty=1) -> DefectivePart:
    """Log the old part taken out of the customer's handset (旧件回收), status ``kept``.

    Raises ValidationError (qty, description when no part is named).  Flushes only.
    """
    _check_sp(actor, job.service_point_id)
    qty = parse_qty(qty)
    description = (description or "").strip()
    if part is None and not description:
        raise ValidationError(gettext("Name the part or describe it."), field="description")
    defective = DefectivePart(service_point_id=job.service_point_id, job=job, part=part,
                              origin=DefectiveOrigin.REPLACED.value, qty=qty, serial=(serial or "").strip().upper(),
                              description=description, status=DefectiveStatus.KEPT.value, logged_by_id=actor.id)
    db.session.add(defective)
    db.session.flush()
    what = f"{part.sku} {part.name}" if part is not None else description
    kept = (notes.note("old_part_kept_serial", qty=qty, part=what, serial=defective.serial) if defective.serial
            else notes.note("old_part_kept", qty=qty, part=what))
    job.add_event("old_part_logged", actor, note=kept,
                  data={"defective": defective.id})
    return defective


_DEFECTIVE_MOVES = {
    DefectiveStatus.KEPT: {DefectiveStatus.SENT, DefectiveStatus.CREDITED},
    DefectiveStatus.SENT: {DefectiveStatus.CREDITED},
    DefectiveStatus.CREDITED: set(),
}


def update_defective(actor, defective: DefectivePart, status: str, *, reference: str = "",
                     credit_amount=None) -> DefectivePart:
    """Move a defective part on: kept -> sent (to the manufacturer/supplier) -> credited.

    Raises ValidationError for an unknown status or a bad amount, Conflict for a
    step back.  Writes an audit row.  Flushes only.
    """
    _check_sp(actor, defective.service_point_id)
    try:
        target = DefectiveStatus(status)
    except ValueError:
        raise ValidationError(gettext("Choose kept, sent or credited."), field="status") from None
    current = DefectiveStatus(defective.status)
    if target not in _DEFECTIVE_MOVES[current]:
        raise Conflict(gettext("A defective part that is %(current)s cannot become %(target)s.",
                               current=status_words(current), target=status_words(target)))
    now = utcnow()
    amount = None
    if target == DefectiveStatus.CREDITED and credit_amount not in (None, ""):
        amount = parse_money(credit_amount, "credit_amount")
    defective.status = target.value
    if reference:
        defective.reference = reference.strip()[:80]
    if target == DefectiveStatus.SENT:
        defective.sent_at = now
    else:
        defective.credited_at = now
        defective.credit_amount = amount
    audit.record(actor, f"defective_part.{target.value}", defective, reference=defective.reference or None,
                 credit_amount=str(amount) if amount is not None else None)
    return defective


# --------------------------------------------------------------------------- adjustments, stock take


def adjust(actor, service_point: ServicePoint, part: Part, delta, reason: str, *, note: str = "",
           serials=None, stock_take: StockTake | None = None) -> list[StockMove]:
    """Correct stock by ``delta`` units (positive: found; negative: lost, damaged...).

    A decrease below what is reserved releases the newest reservations first (their
    jobs get an event).  Serial-tracked parts name each unit's serial.  Raises
    ValidationError (delta, reason, serials; stock would go below zero).  Flushes only.
    """
    _check_sp(actor, service_point.id)
    text = "" if delta is None or isinstance(delta, bool) else str(delta).strip()
    if not _WHOLE.fullmatch(text):
        raise ValidationError(gettext("Enter a whole number, e.g. -1 or 2."), field="delta")
    delta = int(text)
    if delta == 0 or abs(delta) > MAX_QTY:
        raise ValidationError(gettext("Enter a change from -%(max_qty)s to %(max_qty)s, not zero.", max_qty=MAX_QTY), field="delta")
    try:
        reason = AdjustmentReason(reason).value
    except ValueError:
        raise ValidationError(gettext("Choose a reason."), field="reason") from None
    note = (note or "").strip()
    if reason == AdjustmentReason.CORRECTION and not note:
        raise ValidationError(gettext("Say what is being corrected."), field="note")
    stock = _lock_stock([part.id], service_point.id, create=True)[part.id]
    if delta > 0:
        chosen = _new_serials(part, delta, serials)
    else:
        if stock.on_hand + delta < 0:
            raise ValidationError(gettext("Only %(on_hand)s of %(sku)s on hand; stock cannot go below zero.",
                                          on_hand=stock.on_hand, sku=part.sku),
                                  field="delta")
        if part.serial_tracked and not parse_serials(serials):
            raise ValidationError(gettext("%(sku)s is serial-tracked: name the serial(s) that are gone.", sku=part.sku),
                                  field="serials")
        chosen = _pick_serials(part, service_point.id, -delta, serials)
        excess = stock.reserved - (stock.on_hand + delta)
        if excess > 0:
            _release_reservations(stock, excess, actor, reason)
    return _apply_moves(stock, MoveKind.ADJUSTMENT, delta, actor, serials=chosen, reason=reason, note=note,
                        stock_take_id=stock_take.id if stock_take is not None else None)


def _release_reservations(stock: Stock, excess: int, actor, why: str) -> None:
    lines = db.session.scalars(
        select(RequisitionLine).join(Requisition)
        .where(RequisitionLine.part_id == stock.part_id, Requisition.service_point_id == stock.service_point_id,
               Requisition.status == RequisitionStatus.PENDING.value, RequisitionLine.reserved_qty > 0)
        .order_by(Requisition.requested_at.desc(), RequisitionLine.id.desc())
    ).all()
    for line in lines:
        if excess <= 0:
            break
        released = line.reserved_qty
        _change(stock, reserved=-released)
        line.reserved_qty = 0
        excess -= released
        line.requisition.job.add_event(
            "parts_short", actor,
            note=notes.note("parts_unreserved", requisition=line.requisition.number, sku=line.part.sku, why=why),
            data={"requisition": line.requisition_id, "sku": line.part.sku},
        )


@dataclass
class Count:
    part: Part
    counted: int | None = None
    serials: Sequence[str] | str | None = None


def take_stock(actor, service_point: ServicePoint, counts: Sequence[Count], *, shelf: str = "",
               note: str = "") -> StockTake:
    """Record a count of a shelf: each difference becomes an adjustment (reason stock_take).

    A serial-tracked part is counted by scanning its serials: units missing from the
    scan are written off, unknown ones added.  Raises ValidationError per part
    (``counts.N.counted``).  Flushes only.
    """
    _check_sp(actor, service_point.id)
    if not counts:
        raise ValidationError(gettext("Count at least one part."), field="counts")
    errors: dict[str, list[str]] = {}
    plan: list[tuple[Part, int, list[str], list[str]]] = []
    for i, c in enumerate(counts):
        if c.part.serial_tracked:
            scanned = parse_serials(c.serials)
            if len(set(scanned)) != len(scanned):
                errors[f"counts.{i}.serials"] = [gettext("A serial number is repeated.")]
                continue
            on_shelf = serials_in_stock(c.part, service_point.id)
            plan.append((c.part, len(scanned), [s for s in scanned if s not in on_shelf],
                         [s for s in on_shelf if s not in scanned]))
            continue
        try:
            counted = parse_qty(c.counted, field=f"counts.{i}.counted", allow_zero=True)
        except ValidationError as exc:
            errors.update(exc.errors)
            continue
        plan.append((c.part, counted, [], []))
    if errors:
        raise ValidationError(gettext("The count was not recorded."), errors=errors)
    take = StockTake(service_point_id=service_point.id, shelf=(shelf or "").strip().upper(),
                     taken_by_id=getattr(actor, "id", None), counted=len(plan), note=(note or "").strip())
    db.session.add(take)
    db.session.flush()
    stocks = _lock_stock([p.id for p, *_ in plan], service_point.id, create=True)
    differences = 0
    for part, counted, extra, missing in plan:
        stock = stocks[part.id]
        if part.serial_tracked:
            if extra:
                adjust(actor, service_point, part, len(extra), AdjustmentReason.STOCK_TAKE.value,
                       serials=extra, note=f"count {take.shelf}".strip(), stock_take=take)
            if missing:
                adjust(actor, service_point, part, -len(missing), AdjustmentReason.STOCK_TAKE.value,
                       serials=missing, note=f"count {take.shelf}".strip(), stock_take=take)
            differences += len(extra) + len(missing)
            continue
        diff = counted - stock.on_hand
        if diff:
            adjust(actor, service_point, part, diff, AdjustmentReason.STOCK_TAKE.value,
                   note=f"count {take.shelf}: {counted} counted".strip(), stock_take=take)
            differences += abs(diff)
    take.differences = differences
    audit.record(actor, "stock.take", take, parts=len(plan), differences=differences)
    return take


# --------------------------------------------------------------------------- transfers


def send_transfer(actor, from_sp: ServicePoint, to_sp: ServicePoint, part: Part, qty, *, serials=None,
                  note: str = "") -> Transfer:
    """Send available units to another service point (调件); they are in transit until
    the receiving side confirms.

    Raises ValidationError (qty, destination, serials), StockShortage when fewer are
    available.  Flushes only.
    """
    _check_sp(actor, from_sp.id)
    qty = parse_qty(qty)
    if to_sp is None or to_sp.id == from_sp.id:
        raise ValidationError(gettext("Choose another service point."), field="to_service_point")
    if not to_sp.active:
        raise ValidationError(gettext("%(code)s is closed.", code=to_sp.code), field="to_service_point")
    stock = _lock_stock([part.id], from_sp.id).get(part.id)
    available = stock.available if stock is not None else 0
    if available < qty:
        raise StockShortage(gettext("Only %(available)s of %(sku)s available to send.", available=available, sku=part.sku), field="qty")
    chosen = _pick_serials(part, from_sp.id, qty, serials)
    transfer = Transfer(part=part, from_service_point_id=from_sp.id, to_service_point_id=to_sp.id, qty=qty,
                        serials=chosen, status=TransferStatus.IN_TRANSIT.value, note=(note or "").strip(),
                        sent_by_id=getattr(actor, "id", None))
    db.session.add(transfer)
    db.session.flush()
    _apply_moves(stock, MoveKind.TRANSFER_OUT, -qty, actor, serials=chosen, need_available=qty,
                 transfer_id=transfer.id, note=f"{transfer.number} to {to_sp.code}")
    audit.record(actor, "transfer.send", transfer, service_point_id=from_sp.id, sku=part.sku, qty=qty,
                 to=to_sp.code)
    return transfer


def get_transfer(actor, transfer_id: int) -> Transfer:
    """A transfer that touches one of ``actor``'s service points (locked); NotFound otherwise."""
    return get_scoped(actor, Transfer, Transfer.id == transfer_id, missing=gettext("There is no transfer %(id)s.", id=transfer_id),
                      for_update=True, hide=True,
                      service_points=lambda t: (t.from_service_point_id, t.to_service_point_id))


def confirm_transfer(actor, transfer: Transfer) -> Transfer:
    """The receiving side confirms a transfer: the units join its stock.

    Raises PermissionDenied unless the actor works at the receiving service point,
    Conflict when it is no longer in transit.  Flushes only.
    """
    _check_sp(actor, transfer.to_service_point_id)
    if transfer.status != TransferStatus.IN_TRANSIT.value:
        raise Conflict(gettext("Transfer %(number)s is already %(status)s.", number=transfer.number, status=status_words(transfer.status, TRANSFER_WORDS)))
    stock = _lock_stock([transfer.part_id], transfer.to_service_point_id, create=True)[transfer.part_id]
    _apply_moves(stock, MoveKind.TRANSFER_IN, transfer.qty, actor, serials=transfer.serials or [],
                 transfer_id=transfer.id, note=f"{transfer.number} from {transfer.from_service_point.code}")
    transfer.status = TransferStatus.RECEIVED.value
    transfer.closed_by_id = getattr(actor, "id", None)
    transfer.closed_at = utcnow()
    audit.record(actor, "transfer.receive", transfer, service_point_id=transfer.to_service_point_id,
                 sku=transfer.part.sku, qty=transfer.qty)
    return transfer


def release_for_closed_job(actor, job: Job) -> list[Requisition]:
    """Withdraw the job's pending requisitions once it no longer needs parts (ready,
    cancelled, unrepairable, collected), releasing what they reserved.  Returns them.
    Flushes only."""
    pending = list(db.session.scalars(
        select(Requisition).where(Requisition.job_id == job.id,
                                  Requisition.status == RequisitionStatus.PENDING.value)
        .order_by(Requisition.id)))
    for req in pending:
        cancel_requisition(actor, req, reason=f"job {job.number} is {job.status}")
    return pending


#: Statuses after which a job needs no more parts.
_NO_MORE_PARTS = frozenset({JobStatus.READY.value, JobStatus.CANCELLED.value, JobStatus.UNREPAIRABLE.value,
                            JobStatus.COLLECTED.value})


@job_moved.connect
def _release_when_closed(job: Job, *, event, actor, from_status: str, to_status: str) -> None:
    # Listens to the workflow's moves (same transaction): give back what a job that no
    # longer needs parts reserved.
    if to_status in _NO_MORE_PARTS:
        release_for_closed_job(actor, job)


def cancel_transfer(actor, transfer: Transfer, *, reason: str = "") -> Transfer:
    """The sending side calls back a transfer in transit: the units return to its stock.

    Raises PermissionDenied unless the actor works at the sending service point,
    Conflict when it is no longer in transit.  Flushes only.
    """
    _check_sp(actor, transfer.from_service_point_id)
    if transfer.status != TransferStatus.IN_TRANSIT.value:
        raise Conflict(gettext("Transfer %(number)s is already %(status)s.", number=transfer.number, status=status_words(transfer.status, TRANSFER_WORDS)))
    stock = _lock_stock([transfer.part_id], transfer.from_service_point_id, create=True)[transfer.part_id]
    _apply_moves(stock, MoveKind.TRANSFER_IN, transfer.qty, actor, serials=transfer.serials or [],
                 transfer_id=transfer.id, note=f"{transfer.number} cancelled" + (f": {reason}" if reason else ""))
    transfer.status = TransferStatus.CANCELLED.value
    transfer.closed_by_id = getattr(actor, "id", None)
    transfer.closed_at = utcnow()
    audit.record(actor, "transfer.cancel", transfer, service_point_id=transfer.from_service_point_id,
                 reason=reason or None)
    return transfer
