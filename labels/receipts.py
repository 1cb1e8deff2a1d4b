"""Customer receipts: the intake receipt and the pickup receipt.

Both share one header (service point, title, job number barcode), one
customer and handset section and one closing (terms, signature, how to check
status online); each adds its own middle. The same rows are laid on an A5
sheet (two-column grids, paginated) or an 80 mm roll (one column, the page as
long as the content) by :mod:`labels.layout`.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .captions import CaptionsArg, resolve_captions
from .code128 import check_dpi, draw_symbol, fit_symbol
from .layout import Column, Field, Flow, render
from .stock import ReceiptFormat, receipt_format
from .tags import JOB_NUMBER_RE
from .text import fonts_for, mask_imei, mask_phone, wrap


@dataclass(frozen=True)
class ServicePoint:
    """The shop printed at the top of the receipt."""

    code: str
    name: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Customer:
    """The handset's owner; the phone number is printed masked."""

    name: str
    phone: str = ""


@dataclass(frozen=True)
class Handset:
    """The device; IMEIs are printed masked (TAC and last 3 digits)."""

    brand: str
    model: str
    colour: str = ""
    imei: str = ""
    imei2: str = ""
    serial: str = ""


@dataclass(frozen=True)
class WarrantyDecision:
    """The warranty check made at intake, in the customer's words.

    ``status`` is e.g. "In warranty: main unit, 12 months"; ``remedies`` the
    options open (repair, exchange, refund); ``reasons`` plain sentences
    explaining why the job is or is not chargeable.
    """

    status: str
    chargeable: bool
    remedies: Sequence[str] = ()
    reasons: Sequence[str] = ()
    ends_on: date | None = None


@dataclass(frozen=True)
class BillLine:
    """One line of the final bill: a part or a labour item."""

    description: str
    unit_price: Decimal
    quantity: int = 1

    @property
    def amount(self) -> Decimal:
        return Decimal(self.unit_price) * self.quantity


@dataclass(frozen=True)
class Payment:
    """Money taken at pickup, by method (cash, card, WeChat Pay...)."""

    method: str
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class ReceiptBase:
    """What every receipt shows.

    ``captions`` is ``"en"``, ``"zh"`` or a mapping over the English set
    (see :mod:`labels.captions`); ``terms`` is printed as given;
    ``status_url`` is where the customer can look the job up.

    Raises:
        ValueError: ``job_number`` is not like ``SZ01-000123``.
    """

    service_point: ServicePoint
    job_number: str
    customer: Customer
    handset: Handset
    received_at: datetime | date
    terms: str = ""
    status_url: str = ""
    captions: CaptionsArg = "en"
    currency: str = "¥"

    def __post_init__(self) -> None:
        if not JOB_NUMBER_RE.fullmatch(self.job_number):
            raise ValueError(f"job number {self.job_number!r} is not like SZ01-000123")


@dataclass(frozen=True, kw_only=True)
class IntakeReceipt(ReceiptBase):
    """The receipt (受理单) given when a handset is left for repair.

    ``checklist`` holds (check, result) pairs as recorded at the counter,
    e.g. ("Screen", "Cracked"); ``estimate_ceiling`` is the amount above
    which the customer is asked again.
    """

    fault_category: str = ""
    fault_description: str = ""
    checklist: Sequence[tuple[str, str]] = ()
    cosmetic_notes: str = ""
    accessories_left: Sequence[str] = ()
    estimate: Decimal | None = None
    estimate_ceiling: Decimal | None = None
    warranty: WarrantyDecision | None = None
    promised_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class PickupReceipt(ReceiptBase):
    """The receipt (取机单) given when the handset is handed back.

    Totals are worked out here: subtotal of ``bill_lines``, less
    ``discount``, less ``deposit`` paid at intake, is the balance due.
    """

    collected_at: datetime | date
    work_done: str = ""
    bill_lines: Sequence[BillLine] = ()
    discount: Decimal = Decimal(0)
    deposit: Decimal = Decimal(0)
    payments: Sequence[Payment] = ()
    accessories_returned: Sequence[str] = ()
    repair_warranty_days: int = 90
    repair_warranty_until: date | None = None
    # The public one-question follow-up page (after-sales care), printed with a QR code.
    feedback_url: str = ""


Receipt = IntakeReceipt | PickupReceipt


@dataclass(frozen=True)
class _Format:
    """How a paper format lays a receipt out."""

    roll: bool  # narrow and single-column, or a sheet with two-column grids
    margin_x: float
    margin_top: float
    margin_bottom: float
    size: float  # body text
    columns: int  # of field grids
    check_columns: int  # of the condition checklist grid
    caption_width: float
    caption_gray: float  # thermal heads cannot print grey: 0 there
    barcode_height: float


_LAYOUT = {
    "a5": _Format(roll=False, margin_x=12 * mm, margin_top=9 * mm, margin_bottom=12 * mm, size=8.5, columns=2,
                  check_columns=3, caption_width=25 * mm, caption_gray=0.35, barcode_height=10 * mm),
    # 80 mm paper, 72 mm printed: the usual width of a receipt printer's head.
    "80mm": _Format(roll=True, margin_x=4 * mm, margin_top=4 * mm, margin_bottom=8 * mm, size=8.0, columns=1,
                    check_columns=2, caption_width=21 * mm, caption_gray=0.0, barcode_height=10 * mm),
}


def receipt_pdf(receipt: Receipt, fmt: str = "a5", dpi: int = 203) -> bytes:
    """A PDF of an intake or pickup receipt on A5 or an 80 mm roll.

    On A5 the page breaks where needed and each page is footed with the job
    number and page count; on the roll the single page is as long as the
    content.

    Raises:
        ValueError: an unknown ``fmt`` or ``dpi`` (the message lists the
            allowed values), unknown caption keys, or a job number too long
            for the paper's width.
    """
    paper = receipt_format(fmt)
    check_dpi(dpi)
    c = resolve_captions(receipt.captions)
    fonts = fonts_for(*_strings(receipt), *c.values())
    form = _LAYOUT[paper.key]
    flow = Flow(fonts, form.margin_x, paper.width_pt - 2 * form.margin_x, form.size,
                caption_width=form.caption_width, caption_gray=form.caption_gray)

    title = c["title_intake"] if isinstance(receipt, IntakeReceipt) else c["title_pickup"]
    _header(flow, receipt, title, paper, form, dpi)
    _people(flow, receipt, c, form)
    if isinstance(receipt, IntakeReceipt):
        _intake(flow, receipt, c, form)
    else:
        _pickup(flow, receipt, c, form)
    _closing(flow, receipt, c, form)

    buf = io.BytesIO()
    # Uncompressed: see docs/PERFORMANCE.md (a third faster, ~75 KB with
    # Chinese text instead of ~45 KB).
    canvas = Canvas(buf, pagesize=(paper.width_pt, paper.height_pt or 100), invariant=True, pageCompression=0)
    canvas.setTitle(f"{title} {receipt.job_number}")

    def footer(cv: Canvas, page: int, pages: int) -> None:
        text = receipt.job_number
        if pages > 1:
            text += f"  \u00b7  {c['page'].format(page=page, pages=pages)}"
        cv.setFillGray(form.caption_gray)
        fonts.draw(cv, paper.width_pt / 2, form.margin_bottom / 2, text, 7, align="centre")
        cv.setFillGray(0)

    render(canvas, flow.rows, paper.width_pt, paper.height_pt, form.margin_top, form.margin_bottom,
           None if form.roll else footer)
    canvas.save()
    return buf.getvalue()


# -- formatting -------------------------------------------------------------


def _when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    amount = Decimal(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency}{abs(amount):,.2f}"


def _listing(items: Sequence[str], c: Mapping[str, str]) -> str:
    return c["list_separator"].join(i for i in items if i) or c["none"]


def _strings(obj: object) -> Iterator[str]:
    """Every string in a receipt, to choose fonts that can print them all."""
    if isinstance(obj, str):
        yield obj
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _strings(getattr(obj, f.name))
    elif isinstance(obj, Mapping):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)


# -- sections shared by both receipts ----------------------------------------


def _header(flow: Flow, r: Receipt, title: str, paper: ReceiptFormat, form: _Format, dpi: int) -> None:
    f = flow.fonts
    sp = r.service_point
    what = f"{paper.key} receipt"
    if form.roll:
        # Roll: everything centred, one item under another.
        flow.paragraph(sp.name, flow.size + 4, bold=True, align="centre", max_lines=2)
        if sp.address:
            flow.paragraph(sp.address, flow.size, align="centre", max_lines=3)
        if sp.phone:
            flow.paragraph(sp.phone, flow.size, align="centre", max_lines=1)
        flow.rule()
        flow.paragraph(title, flow.size + 3, bold=True, align="centre")
        flow.space(3)
        symbol = fit_symbol(r.job_number, flow.width, dpi, max_module_mm=0.4, what=what)
        flow.barcode(symbol, form.barcode_height, r.job_number, 12)
        flow.space(4)
        return

    # Sheet: shop on the left, title and barcode on the right.
    right_w = flow.width * 0.48
    left_w = flow.width - right_w - 10
    symbol = fit_symbol(r.job_number, right_w, dpi, max_module_mm=0.4, what=what)
    name_size, small = flow.size + 5, flow.size
    name = wrap(sp.name, f, name_size, left_w, bold=True, max_lines=2)
    detail = [*wrap(sp.address, f, small, left_w, max_lines=3), *wrap(sp.phone, f, small, left_w, max_lines=1)]
    left_h = len(name) * name_size * 1.2 + len(detail) * small * 1.3
    title_size, hri = flow.size + 4, 12.0
    right_h = title_size * 1.6 + form.barcode_height + 2 + hri
    x, width = flow.x, flow.width

    def draw(cv: Canvas, top: float) -> None:
        base = top - f.ascent * name_size
        for line in name:
            f.draw(cv, x, base, line, name_size, bold=True)
            base -= name_size * 1.2
        base += name_size * 1.2 - small * 1.5
        for line in detail:
            f.draw(cv, x, base, line, small)
            base -= small * 1.3
        f.draw(cv, x + width, top - f.ascent * title_size, title, title_size, bold=True, align="right")
        bars_top = top - title_size * 1.6
        left = x + width - symbol.width_pt
        bl, br = draw_symbol(cv, symbol, left, bars_top - form.barcode_height, form.barcode_height)
        f.draw(cv, (bl + br) / 2, bars_top - form.barcode_height - 2 - f.ascent * hri, r.job_number, hri,
               bold=True, align="centre")
        cv.setLineWidth(1.2)
        cv.line(x, top - max(left_h, right_h) - 6, x + width, top - max(left_h, right_h) - 6)

    flow.add(max(left_h, right_h) + 10, draw)


def _people(flow: Flow, r: Receipt, c: Mapping[str, str], form: _Format) -> None:
    times = [Field(c["received"], _when(r.received_at))]
    if isinstance(r, IntakeReceipt):
        times.append(Field(c["promised"], _when(r.promised_on), bold=True))
    else:
        times.append(Field(c["collected"], _when(r.collected_at)))
    flow.fields(times, form.columns)

    flow.heading(c["section_customer"])
    flow.fields([
        Field(c["customer"], r.customer.name),
        Field(c["phone"], mask_phone(r.customer.phone)),
    ], form.columns)

    h = r.handset
    flow.heading(c["section_handset"])
    flow.fields([
        Field(c["brand_model"], " ".join(p for p in (h.brand, h.model) if p)),
        Field(c["colour"], h.colour),
        Field(c["imei"], mask_imei(h.imei) if h.imei else ""),
        Field(c["imei2"], mask_imei(h.imei2) if h.imei2 else ""),
        Field(c["serial"], h.serial),
    ], form.columns)


def _closing(flow: Flow, r: Receipt, c: Mapping[str, str], form: _Format) -> None:
    if r.terms:
        flow.heading(c["section_terms"])
        flow.paragraph(r.terms, 7.0)
    # The signature and the status line stay together on the last page.
    start = len(flow.rows)
    flow.space(6)
    sign = c["signature"] if isinstance(r, IntakeReceipt) else c["signature_pickup"]
    if form.roll:
        flow.signatures([sign], [1])
        flow.signatures([c["date"]], [1], height=24)
    else:
        flow.signatures([sign, c["date"]], [2, 1])
    if r.status_url:
        flow.space(4)
        flow.rule(dash=True)
        flow.paragraph(c["status_online"].format(url=r.status_url, job=r.job_number), flow.size,
                       bold=True, align="centre" if form.roll else "left")
    feedback = r.feedback_url if isinstance(r, PickupReceipt) else ""
    if feedback:
        _feedback(flow, feedback, c)
    for row in flow.rows[start:-1]:
        row.keep_with_next = True


def _feedback(flow: Flow, url: str, c: Mapping[str, str]) -> None:
    """A QR code of the follow-up page with one line asking for the customer's answer."""
    side = 22 * mm
    widget = QrCodeWidget(url, barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    f, size = flow.fonts, flow.size
    text_w = flow.width - side - 8
    lines = wrap(c["feedback"].format(url=url), f, size, text_w)
    x = flow.x

    def draw(cv: Canvas, top: float) -> None:
        renderPDF.draw(drawing, cv, x, top - side)
        base = top - side / 2 + len(lines) * size * 1.3 / 2 - f.ascent * size
        for line in lines:
            f.draw(cv, x + side + 8, base, line, size)
            base -= size * 1.3

    flow.space(4)
    flow.add(side + 4, draw)


# -- the middles ----------------------------------------------------------


def _intake(flow: Flow, r: IntakeReceipt, c: Mapping[str, str], form: _Format) -> None:
    flow.heading(c["section_fault"])
    flow.fields([
        Field(c["fault_category"], r.fault_category),
        Field(c["fault_description"], r.fault_description, wide=True),
    ], form.columns)

    flow.heading(c["section_condition"])
    flow.fields([Field(check, result) for check, result in r.checklist], form.check_columns, fit_captions=True)
    flow.fields([
        Field(c["cosmetic_notes"], r.cosmetic_notes, wide=True),
        Field(c["accessories_left"], _listing(r.accessories_left, c), wide=True),
    ], form.columns)

    if r.estimate is not None:
        flow.heading(c["section_estimate"])
        flow.fields([
            Field(c["estimate"], _money(r.estimate, r.currency), bold=True),
            Field(c["ceiling"], _money(r.estimate_ceiling, r.currency)),
        ], form.columns)

    w = r.warranty
    if w is not None:
        flow.heading(c["section_warranty"])
        flow.fields([
            Field(c["warranty_status"], w.status, wide=True),
            Field(c["chargeable"], c["yes"] if w.chargeable else c["no"], bold=True),
            Field(c["warranty_ends"], _when(w.ends_on)),
            Field(c["remedies"], _listing(w.remedies, c), wide=True),
        ], form.columns)
        if w.reasons:
            flow.fields([Field(c["reasons"], "\n".join(f"\u2022 {reason}" for reason in w.reasons), wide=True)],
                        form.columns)


def _pickup(flow: Flow, r: PickupReceipt, c: Mapping[str, str], form: _Format) -> None:
    if r.work_done:
        flow.heading(c["work_done"])
        flow.paragraph(r.work_done)

    cur = r.currency
    flow.heading(c["section_bill"])
    if form.roll:
        cols = [Column(c["item"], 0.56), Column(c["qty"], 0.12, "right"), Column(c["amount"], 0.32, "right")]
        rows = [[line.description, str(line.quantity), _money(line.amount, cur)] for line in r.bill_lines]
    else:
        cols = [Column(c["item"], 0.5), Column(c["qty"], 0.1, "right"),
                Column(c["unit_price"], 0.2, "right"), Column(c["amount"], 0.2, "right")]
        rows = [[line.description, str(line.quantity), _money(line.unit_price, cur), _money(line.amount, cur)]
                for line in r.bill_lines]
    flow.table(cols, rows)
    flow.rule()

    subtotal = sum((line.amount for line in r.bill_lines), Decimal(0))
    total = subtotal - Decimal(r.discount)
    sums = [Field(c["subtotal"], _money(subtotal, cur))]
    if r.discount:
        sums.append(Field(c["discount"], _money(-Decimal(r.discount), cur)))
    sums.append(Field(c["total"], _money(total, cur), bold=not r.deposit))
    if r.deposit:
        sums.append(Field(c["deposit"], _money(-Decimal(r.deposit), cur)))
        sums.append(Field(c["balance"], _money(total - Decimal(r.deposit), cur), bold=True))
    for p in r.payments:
        sums.append(Field(c["payment"].format(method=p.method), _money(p.amount, cur)))
    flow.totals(sums, value_width=flow.width * (0.32 if form.roll else 0.2))

    flow.heading(c["accessories_returned"])
    flow.paragraph(_listing(r.accessories_returned, c))

    if r.repair_warranty_days:
        flow.heading(c["repair_warranty"])
        if r.repair_warranty_until:
            text = c["repair_warranty_until"].format(days=r.repair_warranty_days,
                                                     until=_when(r.repair_warranty_until))
        else:
            text = c["repair_warranty_days"].format(days=r.repair_warranty_days)
        flow.paragraph(text, flow.size + 1, bold=True)
