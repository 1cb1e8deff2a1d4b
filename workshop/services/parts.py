"""The parts catalogue: parts and their rules, CSV import and export, stock levels and
the low-stock / reorder list, and what a job is charged for parts.

Stock itself changes only in ``workshop.services.stock``.  Functions flush and never
commit; views, API handlers and CLI commands commit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, or_, select

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

from . import audit
from .stock import ZERO, _serials_out, parse_money, parse_qty

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
        raise NotFound(f"There is no part {sku} in the catalogue.")
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
    raise ValidationError("Use yes or no.", field=field_name)


def _money(value, field_name: str) -> Decimal:
    text = str(value if value is not None else "").strip()
    for symbol in ("¥", "￥", "CNY", "RMB", "$", "€"):
        text = text.replace(symbol, "")
    if not text:
        raise ValidationError("Enter an amount such as 128.00.", field=field_name)
    return parse_money(text, field_name)


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
                errors[key] = ["Required."]

    def sku(v):
        code = str(v or "").strip().upper()
        if not code:
            raise ValidationError("Required.", field="sku")
        if len(code) > 40 or not set(code) <= SKU_CHARS:
            raise ValidationError("Use up to 40 letters, digits and - _ . /", field="sku")
        return code

    def name(v):
        text = " ".join(str(v or "").split())
        if not text:
            raise ValidationError("Required.", field="name")
        if len(text) > 160:
            raise ValidationError("Use at most 160 characters.", field="name")
        return text

    def category(v):
        text = str(v or "").strip().lower().replace(" ", "_") or PartCategory.OTHER.value
        if text not in {c.value for c in PartCategory}:
            raise ValidationError(f"Choose one of: {', '.join(c.value for c in PartCategory)}.", field="category")
        return text

    def warranty(v):
        text = str(v or "").strip().lower() or WarrantyCategory.SUPPLIER.value
        if text not in {c.value for c in WarrantyCategory}:
            raise ValidationError(f"Choose one of: {', '.join(c.value for c in WarrantyCategory)}.",
                                  field="warranty_category")
        return text

    def short_text(limit, key):
        def fn(v):
            text = " ".join(str(v or "").split())
            if len(text) > limit:
                raise ValidationError(f"Use at most {limit} characters.", field=key)
            return text
        return fn

    def models(v):
        items = split_models(v)
        if any(len(m) > 120 for m in items):
            raise ValidationError("A model name is longer than 120 characters.", field="compatible_models")
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
        check("price", lambda v: _money(v, "price"))
    check("cost", lambda v: _money(v if v not in (None, "") else "0", "cost"))
    check("warranty_category", warranty)
    check("reorder_point", count("reorder_point"))
    check("safety_stock", count("safety_stock"))
    check("serial_tracked", lambda v: _bool(v, "serial_tracked"))
    check("active", lambda v: _bool(v if v not in (None, "") else True, "active"))
    if errors:
        raise ValidationError("The part was not saved.", errors=errors)
    return values


def create_part(actor, data: dict) -> Part:
    """Add a part to the catalogue.  Raises ValidationError (per field; a taken SKU)."""
    values = clean_part_data(data, creating=True)
    if db.session.scalar(select(Part.id).where(Part.sku == values["sku"])):
        raise ValidationError(f"{values['sku']} is already in the catalogue.", field="sku")
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
            raise ValidationError(f"{in_stock} unit(s) are in stock; take them out before switching serial "
                                  "tracking.", field="serial_tracked")
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


def low_stock(service_point_id: int) -> list[Level]:
    """Parts at or under their reorder point at the service point, or short for a
    waiting requisition; the most urgent (least available against the reorder point) first."""
    waiting = _waiting(service_point_id)
    parts = db.session.scalars(
        select(Part).where(Part.active.is_(True), or_(Part.reorder_point > 0, Part.id.in_(list(waiting) or [-1])))
    ).all()
    rows = [lv for lv in levels(service_point_id, parts) if lv.low]
    rows.sort(key=lambda lv: (-(lv.waiting - lv.available), lv.available - lv.part.reorder_point, lv.part.sku))
    return rows


def reorder_csv(service_point: ServicePoint) -> str:
    """The reorder list as CSV (UTF-8 with a BOM so spreadsheet programs read Chinese names)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
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
    writer = csv.writer(out)
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
        return (f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.rejected)} rejected")


def read_csv(text: str) -> list[tuple[int, dict]]:
    """Rows of a catalogue CSV as ``(line number, {column: value})``.

    Accepts a UTF-8 BOM, comma or semicolon separators and headers in any case.
    Raises ValidationError when the header lacks a required column.
    """
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
    except StopIteration:
        raise ValidationError("The file is empty.", field="file") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(f"The header lacks the column(s): {', '.join(missing)}. "
                              f"Columns: {', '.join(CSV_COLUMNS)}.", field="file")
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append((reader.line_num, {k: v for k, v in zip(header, values, strict=False) if k in CSV_COLUMNS}))
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
        try:
            sku = str(row.get("sku") or "").strip().upper()
            if sku in seen:
                raise ValidationError(f"{sku} already appears on line {seen[sku]}.", field="sku")
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
            reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items()) or exc.message
            result.rejected.append((line_no, reasons))
            if on_reject is not None:
                on_reject(line_no, reasons)
    return result


# --------------------------------------------------------------------------- jobs


def parts_for_job(job: Job) -> tuple[list[Part], list[Part]]:
    """Active parts that fit the job's handset, then all other active parts."""
    parts = db.session.scalars(select(Part).where(Part.active.is_(True))
                               .order_by(Part.category, Part.brand, Part.name)).all()
    fitting = [p for p in parts if p.fits(job.brand, job.model)]
    others = [p for p in parts if not p.fits(job.brand, job.model)]
    return fitting, others


def job_requisitions(job: Job) -> list[Requisition]:
    return list(db.session.scalars(select(Requisition).where(Requisition.job_id == job.id)
                                   .order_by(Requisition.id)))


def job_parts_lines(job: Job) -> list[dict]:
    """The parts charged to the job (issued minus returned), one line per SKU and price.

    Each line: ``sku``, ``name`` (= ``description``), ``quantity`` (= ``qty``),
    ``unit_price`` (charged: zero for warranty work), ``list_price`` (the part's
    price when issued), ``amount`` (quantity × unit_price).  Never raises.
    """
    rows = db.session.scalars(
        select(RequisitionLine).join(Requisition)
        .where(Requisition.job_id == job.id, Requisition.status == RequisitionStatus.ISSUED.value)
        .order_by(RequisitionLine.id)
    ).all()
    merged: dict[tuple[str, Decimal], dict] = {}
    for line in rows:
        if line.charged_qty <= 0:
            continue
        price = Decimal(line.unit_price or 0).quantize(Decimal("0.01"))
        key = (line.part.sku, price)
        if key not in merged:
            merged[key] = {"sku": line.part.sku, "name": line.part.name, "description": line.part.name,
                           "quantity": 0, "qty": 0, "unit_price": price,
                           "list_price": Decimal(line.list_price if line.list_price is not None
                                                 else line.part.price).quantize(Decimal("0.01")),
                           "amount": ZERO, "serials": []}
        entry = merged[key]
        entry["quantity"] += line.charged_qty
        entry["qty"] = entry["quantity"]
        entry["amount"] = (entry["unit_price"] * entry["quantity"]).quantize(Decimal("0.01"))
        entry["serials"] += _serials_out(line) if line.part.serial_tracked else []
    return list(merged.values())


def job_parts_total(job: Job) -> Decimal:
    """What the job is charged for parts (zero for warranty work)."""
    return sum((line["amount"] for line in job_parts_lines(job)), ZERO).quantize(Decimal("0.01"))


# --------------------------------------------------------------------------- demo data

#: sku, name, category, brand, models, bin, cost, price, warranty, reorder point, safety stock, opening stock
DEMO_PARTS = [
    ("SCR-IP13", "iPhone 13 屏幕总成 OLED screen", "screen", "Apple", "iPhone 13", "A-01-1", 420, 899, "supplier", 3, 1, 6),
    ("SCR-IP14", "iPhone 14 屏幕总成 OLED screen", "screen", "Apple", "iPhone 14", "A-01-2", 480, 999, "supplier", 3, 1, 4),
    ("SCR-IP15P", "iPhone 15 Pro 屏幕总成 screen", "screen", "Apple", "iPhone 15 Pro", "A-01-3", 820, 1599, "supplier", 2, 1, 2),
    ("SCR-IP12", "iPhone 12 / 12 Pro 屏幕总成 screen", "screen", "Apple", "iPhone 12; iPhone 12 Pro", "A-01-4",
     350, 799, "supplier", 2, 1, 1),
    ("BAT-IP13", "iPhone 13 电池 battery 3227mAh", "battery", "Apple", "iPhone 13", "B-01-1", 120, 299, "supplier", 4, 2, 10),
    ("BAT-IP14", "iPhone 14 电池 battery 3279mAh", "battery", "Apple", "iPhone 14", "B-01-2", 130, 329, "supplier", 4, 2, 3),
    ("BAT-IP12", "iPhone 12 / 12 Pro 电池 battery", "battery", "Apple", "iPhone 12; iPhone 12 Pro", "B-01-3",
     100, 269, "supplier", 3, 1, 5),
    ("BAT-IP11", "iPhone 11 电池 battery 3110mAh", "battery", "Apple", "iPhone 11", "B-01-4", 90, 249, "supplier", 3, 1, 0),
    ("PORT-IP13", "iPhone 13 尾插排线 charging port flex", "charging_port", "Apple", "iPhone 13", "C-01-1",
     45, 199, "supplier", 2, 1, 4),
    ("PORT-IP14", "iPhone 14 尾插排线 charging port flex", "charging_port", "Apple", "iPhone 14", "C-01-2",
     50, 219, "supplier", 2, 1, 2),
    ("CAM-IP13", "iPhone 13 后置摄像头 rear camera", "camera", "Apple", "iPhone 13", "D-01-1", 260, 599, "supplier", 1, 0, 2),
    ("BCV-IP13", "iPhone 13 后盖玻璃 back glass", "back_cover", "Apple", "iPhone 13", "E-01-1", 60, 249, "supplier", 2, 1, 3),
    ("MB-IP13", "iPhone 13 主板 logic board 128GB", "board", "Apple", "iPhone 13", "F-01-1", 1800, 2999,
     "manufacturer", 0, 0, 2),
    ("SCR-S23", "Galaxy S23 屏幕总成 AMOLED screen", "screen", "Samsung", "Galaxy S23", "A-02-1", 650, 1299,
     "manufacturer", 2, 1, 3),
    ("SCR-S22", "Galaxy S22 屏幕总成 AMOLED screen", "screen", "Samsung", "Galaxy S22", "A-02-2", 560, 1099,
     "manufacturer", 2, 1, 1),
    ("SCR-A54", "Galaxy A54 屏幕 screen", "screen", "Samsung", "Galaxy A54", "A-02-3", 220, 499, "supplier", 3, 1, 5),
    ("BAT-S23", "Galaxy S23 电池 battery EB-BS912ABY", "battery", "Samsung", "Galaxy S23", "B-02-1", 90, 259,
     "supplier", 3, 1, 6),
    ("BAT-A54", "Galaxy A54 电池 battery", "battery", "Samsung", "Galaxy A54", "B-02-2", 70, 199, "supplier", 3, 1, 2),
    ("PORT-S23", "Galaxy S23 USB-C 尾插小板 charging board", "charging_port", "Samsung", "Galaxy S23", "C-02-1",
     40, 169, "supplier", 2, 1, 3),
    ("SCR-RN12", "红米 Redmi Note 12 屏幕总成 screen", "screen", "Xiaomi", "Redmi Note 12; Redmi Note 12 5G", "A-03-1",
     160, 399, "supplier", 3, 1, 7),
    ("SCR-X13", "小米 13 屏幕总成 screen", "screen", "Xiaomi", "Xiaomi 13", "A-03-2", 520, 999, "manufacturer", 2, 1, 2),
    ("BAT-RN12", "红米 Redmi Note 12 电池 BN5E battery", "battery", "Xiaomi", "Redmi Note 12; Redmi Note 12 5G",
     "B-03-1", 50, 159, "supplier", 4, 2, 8),
    ("BAT-X13", "小米 13 电池 battery", "battery", "Xiaomi", "Xiaomi 13", "B-03-2", 60, 189, "supplier", 3, 1, 3),
    ("PORT-RN12", "红米 Redmi Note 12 尾插小板 charging board", "charging_port", "Xiaomi", "Redmi Note 12", "C-03-1",
     25, 129, "supplier", 3, 1, 1),
    ("SCR-P60", "华为 P60 屏幕总成 screen", "screen", "Huawei", "P60", "A-04-1", 700, 1399, "manufacturer", 2, 1, 2),
    ("SCR-M50", "华为 Mate 50 屏幕总成 screen", "screen", "Huawei", "Mate 50", "A-04-2", 780, 1599, "manufacturer", 1, 1, 1),
    ("SCR-NOVA11", "华为 nova 11 屏幕 screen", "screen", "Huawei", "nova 11", "A-04-3", 300, 699, "supplier", 2, 1, 3),
    ("BAT-P60", "华为 P60 电池 battery", "battery", "Huawei", "P60", "B-04-1", 80, 229, "supplier", 3, 1, 4),
    ("BAT-M50", "华为 Mate 50 电池 battery", "battery", "Huawei", "Mate 50", "B-04-2", 85, 239, "supplier", 2, 1, 2),
    ("PORT-P60", "华为 P60 尾插小板 charging board", "charging_port", "Huawei", "P60", "C-04-1", 35, 149, "supplier", 2, 1, 2),
    ("SCR-RENO10", "OPPO Reno10 屏幕总成 screen", "screen", "OPPO", "Reno10", "A-05-1", 380, 799, "supplier", 2, 1, 3),
    ("SCR-A78", "OPPO A78 屏幕 screen", "screen", "OPPO", "A78", "A-05-2", 150, 359, "supplier", 3, 1, 4),
    ("BAT-RENO10", "OPPO Reno10 电池 battery", "battery", "OPPO", "Reno10", "B-05-1", 70, 199, "supplier", 3, 1, 5),
    ("BAT-FINDX6", "OPPO Find X6 电池 battery", "battery", "OPPO", "Find X6", "B-05-2", 95, 259, "supplier", 2, 1, 0),
    ("PORT-A78", "OPPO A78 尾插小板 charging board", "charging_port", "OPPO", "A78", "C-05-1", 20, 119, "supplier", 2, 1, 3),
    ("ADH-B7000", "B-7000 屏幕胶 screen adhesive 15ml", "adhesive", "", "", "G-01-1", 5, 15, "none", 10, 5, 40),
    ("ADH-SEAL-IP", "防水背胶 waterproof seal (iPhone)", "adhesive", "Apple", "iPhone 12; iPhone 13; iPhone 14",
     "G-01-2", 2, 20, "none", 20, 10, 60),
    ("SCREW-KIT", "螺丝套装 screw kit", "other", "", "", "G-02-1", 3, 10, "none", 10, 5, 25),
]


def seed_demo(result) -> None:
    """The parts catalogue of the demo counter with opening stock at its service point.

    Idempotent: parts already in the catalogue are left alone.  Flushes only.
    """
    from . import stock as stock_service

    sp = result.service_point
    added = 0
    for (sku, name, category, brand, models, bin_location, cost, price, warranty, reorder, safety,
         opening) in DEMO_PARTS:
        if db.session.scalar(select(Part.id).where(Part.sku == sku)):
            continue
        part = create_part(None, {
            "sku": sku, "name": name, "category": category, "brand": brand, "compatible_models": models,
            "bin_location": bin_location, "cost": str(cost), "price": str(price), "warranty_category": warranty,
            "reorder_point": reorder, "safety_stock": safety, "serial_tracked": category == "board",
        })
        if opening:
            serials = [f"{sku}-DEMO{i + 1:03d}" for i in range(opening)] if part.serial_tracked else None
            stock_service.receive(None, sp, part, opening, note="opening stock (demo)", serials=serials)
        added += 1
    if added:
        result.notes.append(f"Parts: {added} catalogue entries with opening stock at {sp.code}.")
