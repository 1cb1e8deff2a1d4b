"""Device tag labels (on the handset's bag) and part-bin labels.

Both are one label per PDF page, the page exactly the label stock, laid out
inside the printable area of the printer the stock is sold for
(:attr:`LabelStock.printable`), from its top (header) and its bottom (text
under the bars); the bars take the height left between, so the same code
serves every stock size. Type sizes are chosen per printer model
(:data:`TAG_LAYOUTS`): the Brother's printable area is 22.9 mm high, the
DYMO's 28.7 mm.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .captions import CaptionsArg, resolve_captions
from .code128 import check_dpi, draw_symbol, fit_symbol
from .stock import LabelStock, label_stock
from .text import FontSet, fit_size, fonts_for, truncate, wrap

JOB_NUMBER_RE = re.compile(r"[A-Z0-9]{2,6}-[0-9]{6,}")
"""A job number: service point code, a dash, a sequence of 6 or more digits."""

SKU_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,31}")
"""A part number: letters, digits, dashes and dots, up to 32 characters
(whether a long one fits a label is checked when it is laid out)."""

_PAD = 0.3 * mm  # kept clear inside the printable area (rounding, anti-aliasing)
_SLACK = 0.5 * mm  # die-cut labels wander this much sideways under the head
_GAP = 1.5  # points between the bars and the text above and below them

IMEI_RE = re.compile(r"[0-9]{15}")


@dataclass(frozen=True)
class TagLayout:
    """Type sizes (points) of a tag label on one stock; ``one_line`` puts the
    handset and the fault on one line (short printable areas)."""

    head: float
    number: float
    device: float
    fault: float
    imei: float
    one_line: bool = False


TAG_LAYOUTS: dict[str, TagLayout] = {
    "62x29": TagLayout(head=6.5, number=10.0, device=7.0, fault=7.0, imei=6.5, one_line=True),
    "57x32": TagLayout(head=7.0, number=11.0, device=8.0, fault=7.0, imei=6.5),
}
"""Tag label type sizes by stock key (the stock says the printer model)."""


@dataclass(frozen=True)
class TagLabel:
    """The label stuck on the bag a handset waits in.

    ``service_point_code`` defaults to the job number's prefix.

    Raises:
        ValueError: ``job_number`` is not like ``SZ01-000123``.
    """

    job_number: str
    brand: str = ""
    model: str = ""
    fault: str = ""
    promised_on: date | None = None
    service_point_code: str = ""
    service_point_name: str = ""
    imei: str = ""
    imei2: str = ""

    def __post_init__(self) -> None:
        if not JOB_NUMBER_RE.fullmatch(self.job_number):
            raise ValueError(
                f"job number {self.job_number!r} is not a service point code of 2-6 "
                "capital letters or digits, a dash and 6 or more digits (e.g. SZ01-000123)"
            )
        for imei in (self.imei, self.imei2):
            if imei and not IMEI_RE.fullmatch(imei):
                raise ValueError(f"IMEI {imei!r} is not 15 digits")
        if not self.service_point_code:
            object.__setattr__(self, "service_point_code", self.job_number.split("-")[0])


@dataclass(frozen=True)
class BinLabel:
    """The label on a parts-store bin.

    Raises:
        ValueError: ``sku`` has characters other than letters, digits, dash
            and dot, or is longer than 32.
    """

    sku: str
    name: str
    bin_location: str = ""

    def __post_init__(self) -> None:
        if not SKU_RE.fullmatch(self.sku):
            raise ValueError(
                f"SKU {self.sku!r} must be 1-32 letters, digits, dashes or dots, "
                "starting with a letter or digit"
            )


def tag_labels_pdf(
    labels: Sequence[TagLabel],
    size: str = "62x29",
    dpi: int = 203,
    captions: CaptionsArg = "en",
) -> bytes:
    """A PDF with one device tag label per page, in the order given.

    Raises:
        ValueError: no labels, an unknown ``size`` or ``dpi`` (the message
            lists the allowed ones), or a job number too long for the stock.
    """
    c = resolve_captions(captions)

    def texts(label: TagLabel) -> Iterable[str]:
        return (label.service_point_code, label.service_point_name, label.brand, label.model, label.fault,
                c["due"], "IMEI")

    return _labels_pdf(labels, size, dpi, texts, lambda *a: _draw_tag(*a, due=c["due"]), "Tag labels")


def bin_labels_pdf(
    labels: Sequence[BinLabel],
    size: str = "62x29",
    dpi: int = 203,
    captions: CaptionsArg = "en",
) -> bytes:
    """A PDF with one part-bin label per page, in the order given.

    Raises:
        ValueError: no labels, an unknown ``size`` or ``dpi``, or a SKU too
            long for the stock at the narrowest module we print.
    """
    c = resolve_captions(captions)

    def texts(label: BinLabel) -> Iterable[str]:
        return (label.name, label.bin_location, c["bin"])

    return _labels_pdf(labels, size, dpi, texts, lambda *a: _draw_bin(*a, caption=c["bin"]), "Bin labels")


def _labels_pdf(
    labels: Sequence,
    size: str,
    dpi: int,
    texts: Callable[[object], Iterable[str]],
    draw: Callable[[Canvas, object, LabelStock, int, FontSet], None],
    title: str,
) -> bytes:
    stock = label_stock(size)
    check_dpi(dpi)
    if not labels:
        raise ValueError("no labels to print")
    fonts = fonts_for(*(t for label in labels for t in texts(label)))
    buf = io.BytesIO()
    # Uncompressed: a label page is a few hundred bytes of operators, and
    # compressing them and the font subset takes longer than drawing the page.
    canvas = Canvas(buf, pagesize=(stock.width_pt, stock.height_pt), invariant=True, pageCompression=0)
    canvas.setTitle(title)
    for label in labels:
        draw(canvas, label, stock, dpi, fonts)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _content_box(stock: LabelStock) -> tuple[float, float, float, float]:
    """Where text may go: the printable area less :data:`_PAD` (left, bottom, right, top)."""
    left, bottom, right, top = stock.printable
    return left + _PAD, bottom + _PAD, right - _PAD, top - _PAD


def _bars(canvas: Canvas, data: str, stock: LabelStock, dpi: int, bottom: float, top: float, what: str) -> float:
    """Draw ``data`` centred in the printable width between ``bottom`` and
    ``top``, quiet zones included; returns the width of the bars."""
    left, _, right, _ = stock.printable
    symbol = fit_symbol(data, right - left - 2 * _SLACK, dpi, what=f"{stock.key} {what}")
    x = (left + right - symbol.width_pt) / 2
    draw_symbol(canvas, symbol, x, bottom, top - bottom)
    return symbol.bars_width_pt


def _imei_line(label: TagLabel) -> str:
    imeis = " / ".join(i for i in (label.imei, label.imei2) if i)
    return f"IMEI {imeis}" if imeis else ""


def _draw_tag(canvas: Canvas, label: TagLabel, stock: LabelStock, dpi: int, fonts: FontSet, *, due: str) -> None:
    x0, y0, x1, y1 = _content_box(stock)
    inner = x1 - x0
    lay = TAG_LAYOUTS[stock.key]

    # Header: service point on the left, promised date on the right.
    head = lay.head
    head_base = y1 - fonts.ascent * head
    right = f"{due} {label.promised_on.isoformat()}" if label.promised_on else ""
    right_w = fonts.width(right, head, bold=True)
    fonts.draw(canvas, x1, head_base, right, head, bold=True, align="right")
    code = label.service_point_code
    code_w = fonts.width(code + " ", head, bold=True)
    fonts.draw(canvas, x0, head_base, code, head, bold=True)
    name_room = inner - code_w - right_w - (6 if right else 0)
    fonts.draw(canvas, x0 + code_w, head_base, truncate(label.service_point_name, fonts, head, name_room), head)
    bars_top = head_base - fonts.descent * head - _GAP

    # From the bottom: the IMEI(s), the fault, brand and model, then the job
    # number in large type as the human-readable line right under the bars.
    base = y0
    imei = _imei_line(label)
    if imei:
        size = fit_size(imei, fonts, lay.imei, inner)
        base += fonts.descent * size
        fonts.draw(canvas, x0, base, imei, size)
        base += fonts.ascent * size + 1.5
    device = " ".join(p for p in (label.brand, label.model) if p)
    if lay.one_line:
        size = max(lay.device, lay.fault)
        base += fonts.descent * size
        device_text = truncate(device, fonts, lay.device, inner * 0.5, bold=True)
        device_w = fonts.width(device_text + "  ", lay.device, bold=True) if device_text else 0.0
        fonts.draw(canvas, x0, base, device_text, lay.device, bold=True)
        fonts.draw(canvas, x0 + device_w, base, truncate(label.fault, fonts, lay.fault, inner - device_w), lay.fault)
        base += fonts.ascent * size + 2.0
    else:
        base += fonts.descent * lay.fault
        fonts.draw(canvas, x0, base, truncate(label.fault, fonts, lay.fault, inner), lay.fault)
        base += fonts.ascent * lay.fault + fonts.descent * lay.device + 1.5
        fonts.draw(canvas, x0, base, truncate(device, fonts, lay.device, inner, bold=True), lay.device, bold=True)
        base += fonts.ascent * lay.device + 2.0
    number_size = fit_size(label.job_number, fonts, lay.number, inner, bold=True)
    number_base = base + fonts.descent * number_size
    fonts.draw(canvas, (x0 + x1) / 2, number_base, label.job_number, number_size, bold=True, align="centre")
    bars_bottom = number_base + fonts.ascent * number_size + _GAP

    _bars(canvas, label.job_number, stock, dpi, bars_bottom, bars_top, "tag label")


def _draw_bin(canvas: Canvas, label: BinLabel, stock: LabelStock, dpi: int, fonts: FontSet, *, caption: str) -> None:
    x0, y0, x1, y1 = _content_box(stock)
    inner = x1 - x0

    # Part name on up to two lines; the second is cut if the name goes on.
    name_size = 7.5
    lines = wrap(label.name, fonts, name_size, inner, bold=True, max_lines=2)
    base = y1 - fonts.ascent * name_size
    for line in lines:
        fonts.draw(canvas, x0, base, line, name_size, bold=True)
        base -= name_size * 1.15
    bars_top = base + name_size * 1.15 - fonts.descent * name_size - _GAP

    # From the bottom: bin location large, then the SKU under the bars.
    bin_size, cap_size = 11.0, 7.0
    bin_base = y0 + fonts.descent * bin_size
    if label.bin_location:
        cap_w = fonts.width(caption + " ", cap_size)
        fonts.draw(canvas, x0, bin_base, caption, cap_size)
        fonts.draw(canvas, x0 + cap_w, bin_base,
                   truncate(label.bin_location, fonts, bin_size, inner - cap_w, bold=True), bin_size, bold=True)
    sku_base = bin_base + fonts.ascent * bin_size + 2.0
    sku_size = fit_size(label.sku, fonts, 9.0, inner, bold=True)
    fonts.draw(canvas, (x0 + x1) / 2, sku_base, label.sku, sku_size, bold=True, align="centre")
    bars_bottom = sku_base + fonts.ascent * sku_size + _GAP

    _bars(canvas, label.sku, stock, dpi, bars_bottom, bars_top, "bin label")
