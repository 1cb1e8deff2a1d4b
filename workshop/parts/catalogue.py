"""The parts catalogue: parts and their rules, CSV import and export, stock levels and
the low-stock / reorder list, and what a job is charged for parts.

Stock itself changes only in ``workshop.parts.ledger``.  Functions flush and never
commit; views, API handlers and CLI commands commit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from models import (
    Job,
    NotFound,
    Part,
    Requisition,
    RequisitionLine,
    ServicePoint,
    Stock,
    Transfer,
    ValidationError,
    db,
)
from models.parts import PartCategory, RequisitionStatus, TransferStatus, WarrantyCategory
from workshop.core import audit
from workshop.core.money import parse_money
from workshop.parts.ledger import ZERO, _serials_out, parse_qty

SKU_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./")
#: CSV columns, in export order; import needs sku, name and price, the rest is optional.
CSV_COLUMNS = ("sku", "name", "category", "brand", "compatible_models", "bin_location", "cost", "price",
               "warranty_category", "reorder_point", "safety_stock", "serial_tracked", "active")
REQUIRED_COLUMNS = ("sku", "name", "price")
_TRUE = {"1", "true", "yes", "y", "是", "x", "✓"}
_FALSE = {"0", "false", "no", "n", "否", ""}


# --------------------------------------------------------------------------- catalogue


def get_part(sku: str) -> Part:
    """The part with ``sku`` (case-insensitive).  Raises NotFound."""
    part = db.session.scalar(select(Part).where(Part.sku == (sku or "").strip().upper()))
    if part is None:
        raise NotFound(gettext("There is no part %(sku)s in the catalogue.", sku=sku))
    return part


def split_models(value) -> list[str]:
    """Compatible models from a list or from text separated by ``;``, ``|`` or new lines."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("|", ";").replace("\n", ";").split(";")
    out: list[str] = []
    for item in value:
        text = " ".join(str(item or "").split())
        if text and text.lower() not in {m.lower() for m in out}:
            out.append(text)
    return out


def _bool(value, field_name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(gettext("Use yes or no."), field=field_name)


def clean_part_data(data: dict, *, creating: bool) -> dict:
    """Validate catalogue fields; returns the values to set.

    Only keys present in ``data`` are checked and returned (an update may change a
    few fields); creating needs sku, name and price.  Raises ValidationError with
    every field's messages at once.
    """
    errors: dict[str, list[str]] = {}
    values: dict = {}

    def check(key, fn):
        if key not in data:
            return
        try:
            values[key] = fn(data[key])
        except ValidationError as exc:
            for k, msgs in exc.errors.items():
                errors.setdefault(k, []).extend(msgs)

    if creating:
        for key in REQUIRED_COLUMNS:
            if str(data.get(key) if data.get(key) is not None else "").strip() == "":
                errors[key] = [gettext("Required.")]

    def sku(v):
        code = str(v or "").strip().upper()
        if not code:
            raise ValidationError(gettext("Required."), field="sku")
        if len(code) > 40 or not set(code) <= SKU_CHARS:
            raise ValidationError(gettext("Use up to 40 letters, digits and - _ . /"), field="sku")
        return code

    def name(v):
        text = " ".join(str(v or "").split())
        if not text:
            raise ValidationError(gettext("Required."), field="name")
        if len(text) > 160:
            raise ValidationError(gettext("Use at most 160 characters."), field="name")
        return text

    def category(v):
        text = str(v or "").strip().lower().replace(" ", "_") or PartCategory.OTHER.value
        if text not in {c.value for c in PartCategory}:
            raise ValidationError(gettext("Choose one of: %(choices)s.", choices=', '.join(c.value for c in PartCategory)), field="category")
        return text

    def warranty(v):
        text = str(v or "").strip().lower() or WarrantyCategory.SUPPLIER.value
        if text not in {c.value for c in WarrantyCategory}:
            raise ValidationError(gettext("Choose one of: %(choices)s.", choices=', '.join(c.value for c in WarrantyCategory)),
                                  field="warranty_category")
        return text

    def short_text(limit, key):
        def fn(v):
            text = " ".join(str(v or "").split())
            if len(text) > limit:
                raise ValidationError(gettext("Use at most %(limit)s characters.", limit=limit), field=key)
            return text
        return fn

    def models(v):
        items = split_models(v)
        if any(len(m) > 120 for m in items):
            raise ValidationError(gettext("A model name is longer than 120 characters."), field="compatible_models")
        return items

    def count(key):
        def fn(v):
            return parse_qty(0 if v in (None, "") else v, field=key, allow_zero=True)
        return fn

    if "sku" not in errors:
        check("sku", sku)
    if "name" not in errors:
        check("name", name)
    check("category", category)
    check("brand", short_text(80, "brand"))
    check("compatible_models", models)
    check("bin_location", lambda v: short_text(40, "bin_location")(v).upper())
    if "price" not in errors:
        check("price", lambda v: parse_money(v, "price"))
    check("cost", lambda v: parse_money(v if v not in (None, "") else "0", "cost"))
    check("warranty_category", warranty)
    check("reorder_point", count("reorder_point"))
    check("safety_stock", count("safety_stock"))
    check("serial_tracked", lambda v: _bool(v, "serial_tracked"))
    check("active", lambda v: _bool(v if v not in (None, "") else True, "active"))
    if errors:
        raise ValidationError(gettext("The part was not saved."), errors=errors)
    return values


def create_part(actor, data: dict) -> Part:
    """Add a part to the catalogue.  Raises ValidationError (per field; a taken SKU)."""
    values = clean_part_data(data, creating=True)
    if db.session.scalar(select(Part.id).where(Part.sku == values["sku"])):
        raise ValidationError(gettext("%(sku)s is already in the catalogue.", sku=values['sku']), field="sku")
    part = Part(**{"category": PartCategory.OTHER.value, "warranty_category": WarrantyCategory.SUPPLIER.value,
                   "compatible_models": [], "brand": "", "bin_location": "", "cost": ZERO,
                   "reorder_point": 0, "safety_stock": 0, "serial_tracked": False, "active": True, **values})
    db.session.add(part)
    db.session.flush()
    audit.record(actor, "part.create", part, sku=part.sku, price=str(part.price))
    return part


def update_part(actor, part: Part, data: dict) -> Part:
    """Change catalogue fields (the SKU stays).  Raises ValidationError per field.

    Serial tracking cannot be switched while units are in stock anywhere (their
    serials would be unknown, or their counts would lose their serials).
    """
    data = {k: v for k, v in data.items() if k != "sku"}
    values = clean_part_data(data, creating=False)
    if "serial_tracked" in values and values["serial_tracked"] != part.serial_tracked:
        in_stock = db.session.scalar(select(func.coalesce(func.sum(Stock.on_hand), 0)).where(Stock.part_id == part.id))
        if in_stock:
            raise ValidationError(gettext("%(in_stock)s unit(s) are in stock; take them out before switching "
                                          "serial tracking.",
                                          in_stock=in_stock), field="serial_tracked")
    changes = {}
    for key, value in values.items():
        if getattr(part, key) != value:
            changes[key] = str(value) if isinstance(value, Decimal) else value
            setattr(part, key, value)
    if changes:
        db.session.flush()
        audit.record(actor, "part.update", part, sku=part.sku, **changes)
    return part


def search(q: str = "", *, category: str = "", include_inactive: bool = False):
    """A select() of catalogue parts matching ``q`` (SKU, name, brand, model, bin)."""
    stmt = select(Part)
    if not include_inactive:
        stmt = stmt.where(Part.active.is_(True))
    if category:
        stmt = stmt.where(Part.category == category)
    for word in (q or "").split():
        like = f"%{word.lower()}%"
        stmt = stmt.where(or_(
            func.lower(Part.sku).like(like), func.lower(Part.name).like(like), func.lower(Part.brand).like(like),
            func.lower(Part.bin_location).like(like),
            func.lower(func.cast(Part.compatible_models, db.String)).like(like),
        ))
    return stmt.order_by(Part.category, Part.brand, Part.sku)


def find_by_code(code: str) -> Part | None:
    """The part a scanned bin label or typed code names: its SKU, else its bin location."""
    text = (code or "").strip().upper()
    if not text:
        return None
    part = db.session.scalar(select(Part).where(Part.sku == text))
    if part is None:
        part = db.session.scalar(select(Part).where(Part.bin_location == text, Part.active.is_(True))
                                 .order_by(Part.id).limit(1))
    return part


# --------------------------------------------------------------------------- stock levels


@dataclass
class Level:
    """A part's stock at one service point, with what waits for it."""

    part: Part
    on_hand: int = 0
    reserved: int = 0
    waiting: int = 0  # requested on pending requisitions and not reserved
    incoming: int = 0  # in transit to this service point

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def low(self) -> bool:
        """At or under the reorder point, or wanted by a waiting requisition."""
        return (self.part.reorder_point > 0 and self.available <= self.part.reorder_point) or \
            self.waiting > self.available

    @property
    def suggested_order(self) -> int:
        """Units to order: back up to reorder point plus safety stock, plus what waits."""
        target = self.part.reorder_point + self.part.safety_stock + self.waiting if self.part.reorder_point \
            else self.waiting
        return max(0, target - self.available - self.incoming)


def _waiting(service_point_id: int, part_ids: Iterable[int] | None = None) -> dict[int, int]:
    stmt = (select(RequisitionLine.part_id, func.sum(RequisitionLine.qty - RequisitionLine.reserved_qty))
            .join(Requisition)
            .where(Requisition.service_point_id == service_point_id,
                   Requisition.status == RequisitionStatus.PENDING.value)
            .group_by(RequisitionLine.part_id))
    if part_ids is not None:
        stmt = stmt.where(RequisitionLine.part_id.in_(list(part_ids)))
    return {pid: int(n or 0) for pid, n in db.session.execute(stmt)}


def _incoming(service_point_id: int) -> dict[int, int]:
    stmt = (select(Transfer.part_id, func.sum(Transfer.qty))
            .where(Transfer.to_service_point_id == service_point_id,
                   Transfer.status == TransferStatus.IN_TRANSIT.value)
            .group_by(Transfer.part_id))
    return {pid: int(n or 0) for pid, n in db.session.execute(stmt)}


def level(part: Part, service_point_id: int) -> Level:
    """Stock of one part at one service point."""
    stock = db.session.scalar(select(Stock).where(Stock.part_id == part.id,
                                                  Stock.service_point_id == service_point_id))
    return Level(part=part, on_hand=stock.on_hand if stock else 0, reserved=stock.reserved if stock else 0,
                 waiting=_waiting(service_point_id, [part.id]).get(part.id, 0),
                 incoming=_incoming(service_point_id).get(part.id, 0))


def levels(service_point_id: int, parts: Sequence[Part]) -> list[Level]:
    """Stock levels of ``parts`` at the service point, in the order given."""
    ids = [p.id for p in parts]
    stocks = {s.part_id: s for s in db.session.scalars(
        select(Stock).where(Stock.service_point_id == service_point_id, Stock.part_id.in_(ids)))} if ids else {}
    waiting = _waiting(service_point_id, ids) if ids else {}
    incoming = _incoming(service_point_id)
    out = []
    for p in parts:
        s = stocks.get(p.id)
        out.append(Level(p, s.on_hand if s else 0, s.reserved if s else 0, waiting.get(p.id, 0),
                         incoming.get(p.id, 0)))
    return out


def _low_stock_query(service_point_id: int):
    """(Part, on_hand, reserved, waiting) of the parts low at the service point: the test
    of :attr:`Level.low` in SQL, so a page loads only the rows it shows."""
    waiting_sq = (select(RequisitionLine.part_id.label("part_id"),
                         func.sum(RequisitionLine.qty - RequisitionLine.reserved_qty).label("waiting"))
                  .join(Requisition)
                  .where(Requisition.service_point_id == service_point_id,
                         Requisition.status == RequisitionStatus.PENDING.value)
                  .group_by(RequisitionLine.part_id).subquery())
    on_hand = func.coalesce(Stock.on_hand, 0)
    reserved = func.coalesce(Stock.reserved, 0)
    waiting = func.coalesce(waiting_sq.c.waiting, 0)
    available = on_hand - reserved
    stmt = (select(Part, on_hand, reserved, waiting)
            .outerjoin(Stock, and_(Stock.part_id == Part.id, Stock.service_point_id == service_point_id))
            .outerjoin(waiting_sq, waiting_sq.c.part_id == Part.id)
            .where(Part.active.is_(True),
                   or_(and_(Part.reorder_point > 0, available <= Part.reorder_point), waiting > available)))
    # the most urgent first: most wanted beyond what is there, then furthest under the reorder point
    order = ((waiting - available).desc(), available - Part.reorder_point, Part.sku)
    return stmt, order


def low_stock(service_point_id: int, limit: int | None = None) -> list[Level]:
    """Parts at or under their reorder point at the service point, or short for a
    waiting requisition; the most urgent (least available against the reorder point)
    first; the first ``limit`` of them when given."""
    stmt, order = _low_stock_query(service_point_id)
    stmt = stmt.order_by(*order)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = db.session.execute(stmt).all()
    incoming = _incoming(service_point_id) if rows else {}
    return [Level(part, int(on_hand), int(reserved), int(waiting), incoming.get(part.id, 0))
            for part, on_hand, reserved, waiting in rows]


def low_stock_count(service_point_id: int) -> int:
    """How many parts :func:`low_stock` lists (counted by the database)."""
    stmt, _ = _low_stock_query(service_point_id)
    return int(db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def reorder_csv(service_point: ServicePoint) -> str:
    """The reorder list as CSV (UTF-8 with a BOM so spreadsheet programs read Chinese names)."""
    out = io.StringIO()
    out.write("\ufeff")
    from workshop.core import csvio

    writer = csvio.writer(out)  # formula-like cells neutralised
    writer.writerow(["service_point", "sku", "name", "brand", "bin_location", "on_hand", "reserved", "available",
                     "waiting", "incoming", "reorder_point", "safety_stock", "suggested_order", "cost"])
    for lv in low_stock(service_point.id):
        p = lv.part
        writer.writerow([service_point.code, p.sku, p.name, p.brand, p.bin_location, lv.on_hand, lv.reserved,
                         lv.available, lv.waiting, lv.incoming, p.reorder_point, p.safety_stock, lv.suggested_order,
                         f"{p.cost:.2f}"])
    return out.getvalue()


# --------------------------------------------------------------------------- CSV import / export


def export_csv(parts: Iterable[Part] | None = None) -> str:
    """The catalogue as CSV in the import format (re-importing it changes nothing)."""
    if parts is None:
        parts = db.session.scalars(select(Part).order_by(Part.sku))
    out = io.StringIO()
    out.write("\ufeff")
    from workshop.core import csvio

    writer = csvio.writer(out)  # formula-like cells neutralised
    writer.writerow(CSV_COLUMNS)
    for p in parts:
        writer.writerow([p.sku, p.name, p.category, p.brand, "; ".join(p.compatible_models or []), p.bin_location,
                         f"{p.cost:.2f}", f"{p.price:.2f}", p.warranty_category, p.reorder_point, p.safety_stock,
                         "yes" if p.serial_tracked else "no", "yes" if p.active else "no"])
    return out.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reasons)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    def summary(self) -> str:
        return gettext("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(rejected)s rejected",
                       created=self.created, updated=self.updated, unchanged=self.unchanged,
                       rejected=len(self.rejected))


def read_csv(text: str) -> list[tuple[int, dict]]:
    """Rows of a catalogue CSV as ``(line number, {column: value})``.

    Accepts a UTF-8 BOM, comma or semicolon separators and headers in any case.
    Raises ValidationError when the header lacks a required column.
    """
    from workshop.core import csvio

    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ValidationError(gettext("The file is empty."), field="file")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        header = [h.strip().lower().replace(" ", "_") for h in next(csv.reader([first], delimiter=delimiter))]
    except (StopIteration, csv.Error):
        raise ValidationError(gettext("The file is empty."), field="file") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(gettext("The header lacks the column(s): %(choices)s. Columns: %(choices2)s.",
                                      choices=', '.join(missing), choices2=', '.join(CSV_COLUMNS)), field="file")
    rows = []
    # Oversized fields and unclosed quotes come back as rows with an "_error" the
    # import reports with the line number (the rows after them are still read).
    for record in csvio.records(text, delimiter=delimiter, width=len(header)):
        if record.line == 1:
            continue  # the header
        if record.error:
            rows.append((record.line, {"_error": record.error}))
            continue
        values = record.fields
        if not any(v.strip() for v in values):
            continue
        rows.append((record.line, {k: csvio.restore(v) for k, v in zip(header, values, strict=False)
                                   if k in CSV_COLUMNS}))
    return rows


#: Rows imported between two calls of ``on_batch`` (the CLI and the upload commit
#: there, so a long import never holds SQLite's write lock for more than a moment).
IMPORT_BATCH = 200


def import_rows(actor, rows: Iterable[tuple[int, dict]],
                on_reject: Callable[[int, str], None] | None = None,
                on_batch: Callable[[], None] | None = None) -> ImportResult:
    """Create or update catalogue parts from CSV rows (see :func:`read_csv`).

    A row for an existing SKU updates it (empty optional cells keep what is there);
    a row that breaks a rule is skipped and reported with its line number and
    reasons; the rest are imported.  Flushes only; the caller commits, and may
    commit in ``on_batch``, called after every :data:`IMPORT_BATCH` rows.
    """
    result = ImportResult()
    seen: dict[str, int] = {}
    for count, (line_no, row) in enumerate(rows, 1):
        if on_batch is not None and count % IMPORT_BATCH == 0:
            on_batch()
        if "_error" in row:  # the row could not be read (see read_csv)
            result.rejected.append((line_no, row["_error"]))
            if on_reject is not None:
                on_reject(line_no, row["_error"])
            continue
        try:
            sku = str(row.get("sku") or "").strip().upper()
            if sku in seen:
                raise ValidationError(gettext("%(sku)s already appears on line %(seen)s.", sku=sku, seen=seen[sku]), field="sku")
            existing = db.session.scalar(select(Part).where(Part.sku == sku)) if sku else None
            if existing is None:
                create_part(actor, row)
                result.created += 1
            else:
                data = {k: v for k, v in row.items() if k in REQUIRED_COLUMNS or str(v).strip() != ""}
                before = export_csv([existing])
                update_part(actor, existing, data)
                if export_csv([existing]) == before:
                    result.unchanged += 1
                else:
                    result.updated += 1
            if sku:
                seen[sku] = line_no
        except ValidationError as exc:
            reasons = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.errors.items()) \
                or str(exc.message)
            result.rejected.append((line_no, reasons))
            if on_reject is not None:
                on_reject(line_no, reasons)
    return result


# --------------------------------------------------------------------------- jobs


#: How many catalogue matches the job page's part picker looks at, and shows.
OPTIONS_SCANNED = 200
OPTIONS_SHOWN = 20


def part_options(job: Job, q: str = "", *, limit: int = OPTIONS_SHOWN) -> list[tuple[Part, bool]]:
    """Suggestions for the job's part picker: active parts matching ``q`` (SKU, name,
    brand, model, bin; without ``q`` the job's handset model), those that fit the handset
    first, at most ``limit``.  Each is ``(part, fits)``.

    Bounded whatever the catalogue's size: only the first :data:`OPTIONS_SCANNED`
    matches (in SKU order) are ranked.
    """
    words = (q or "").strip() or (job.model or "").strip()
    if not words:
        return []
    # In SKU order (the unique index): the scan stops at the first OPTIONS_SCANNED matches
    # instead of sorting every match of a common word.
    parts = db.session.scalars(search(words).order_by(None).order_by(Part.sku).limit(OPTIONS_SCANNED)).all()
    ranked = sorted(((p, p.fits(job.brand, job.model)) for p in parts), key=lambda pf: not pf[1])
    return ranked[:max(1, min(limit, OPTIONS_SHOWN))]


def job_requisitions(job: Job) -> list[Requisition]:
    return list(db.session.scalars(select(Requisition).where(Requisition.job_id == job.id)
                                   .order_by(Requisition.id)))


def job_parts_lines(job: Job) -> list[dict]:
    """The parts charged to the job (issued minus returned), one line per SKU and price.

    Each line: ``sku``, ``name`` (= ``description``), ``quantity`` (= ``qty``),
    ``unit_price`` (charged: zero for warranty work), ``list_price`` (the part's
    price when issued), ``amount`` (quantity × unit_price) and ``serials`` (those
    still out with the job).  Never raises.
    """
    return jobs_parts_lines([job.id], serials=True).get(job.id, []) if job.id is not None else []


# Built once, the ids a parameter: list pages ask for it per request, and building the
# statement (and its cache key) cost more than running it.
_ISSUED_LINES = (select(Requisition.job_id, RequisitionLine).join(Requisition)
                 .where(Requisition.job_id.in_(bindparam("ids", expanding=True)),
                        Requisition.status == RequisitionStatus.ISSUED.value)
                 .options(joinedload(RequisitionLine.part))
                 .order_by(RequisitionLine.id))


def jobs_parts_lines(job_ids, *, serials: bool = False) -> dict[int, list[dict]]:
    """:func:`job_parts_lines` of many jobs at once (one query, for a list page), by job
    id; a job with no parts is missing.  ``serials`` False leaves each line's serials
    empty (finding them costs a query per serial-tracked line)."""
    ids = list(job_ids)
    if not ids:
        return {}
    rows = db.session.execute(_ISSUED_LINES, {"ids": ids}).all()
    merged: dict[int, dict[tuple[str, Decimal], dict]] = {}
    for job_id, line in rows:
        if line.charged_qty <= 0:
            continue
        price = Decimal(line.unit_price or 0).quantize(Decimal("0.01"))
        key = (line.part.sku, price)
        lines = merged.setdefault(job_id, {})
        if key not in lines:
            lines[key] = {"sku": line.part.sku, "name": line.part.name, "description": line.part.name,
                          "quantity": 0, "qty": 0, "unit_price": price,
                          "list_price": Decimal(line.list_price if line.list_price is not None
                                                else line.part.price).quantize(Decimal("0.01")),
                          "amount": ZERO, "serials": []}
        entry = lines[key]
        entry["quantity"] += line.charged_qty
        entry["qty"] = entry["quantity"]
        entry["amount"] = (entry["unit_price"] * entry["quantity"]).quantize(Decimal("0.01"))
        entry["serials"] += _serials_out(line) if serials and line.part.serial_tracked else []
    return {job_id: list(lines.values()) for job_id, lines in merged.items()}


def job_parts_total(job: Job) -> Decimal:
    """What the job is charged for parts (zero for warranty work)."""
    return sum((line["amount"] for line in job_parts_lines(job)), ZERO).quantize(Decimal("0.01"))
