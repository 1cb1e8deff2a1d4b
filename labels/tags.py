"""Device tag labels (on the handset's bag) and part-bin labels.

Both are one label per PDF page, the page exactly the label stock, laid out
from the top (header) and the bottom (text under the bars); the bars take the
height left between, so the same code serves every stock size.
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

_MARGIN = 1.5 * mm  # what label printers leave unprinted at the die-cut edges
_SLACK = 0.5 * mm  # die-cut labels wander this much sideways under the head
_GAP = 1.5  # points between the bars and the text above and below them


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

    def __post_init__(self) -> None:
        if not JOB_NUMBER_RE.fullmatch(self.job_number):
            raise ValueError(
                f"job number {self.job_number!r} is not a service point code of 2-6 "
                "capital letters or digits, a dash and 6 or more digits (e.g. SZ01-000123)"
            )
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
        return (label.service_point_code, label.service_point_name, label.brand, label.model, label.fault, c["due"])

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


def _bars(canvas: Canvas, data: str, stock: LabelStock, dpi: int, bottom: float, top: float, what: str) -> float:
    """Draw ``data`` centred across the label between ``bottom`` and ``top``;
    returns the width of the bars."""
    symbol = fit_symbol(data, stock.width_pt - 2 * _SLACK, dpi, what=f"{stock.key} {what}")
    x = (stock.width_pt - symbol.width_pt) / 2
    draw_symbol(canvas, symbol, x, bottom, top - bottom)
    return symbol.bars_width_pt


def _draw_tag(canvas: Canvas, label: TagLabel, stock: LabelStock, dpi: int, fonts: FontSet, *, due: str) -> None:
    w, h = stock.width_pt, stock.height_pt
    inner = w - 2 * _MARGIN

    # Header: service point on the left, promised date on the right.
    head = 7.0
    head_base = h - _MARGIN - fonts.ascent * head
    right = f"{due} {label.promised_on.isoformat()}" if label.promised_on else ""
    right_w = fonts.width(right, head, bold=True)
    fonts.draw(canvas, w - _MARGIN, head_base, right, head, bold=True, align="right")
    code = label.service_point_code
    code_w = fonts.width(code + " ", head, bold=True)
    fonts.draw(canvas, _MARGIN, head_base, code, head, bold=True)
    name_room = inner - code_w - right_w - (6 if right else 0)
    fonts.draw(canvas, _MARGIN + code_w, head_base, truncate(label.service_point_name, fonts, head, name_room), head)
    bars_top = head_base - fonts.descent * head - _GAP

    # From the bottom: fault, brand and model, then the job number in large
    # type as the human-readable line right under the bars.
    fault_size, device_size = 7.0, 8.5
    fault_base = _MARGIN + fonts.descent * fault_size
    fonts.draw(canvas, _MARGIN, fault_base, truncate(label.fault, fonts, fault_size, inner), fault_size)
    device_base = fault_base + fonts.ascent * fault_size + 3.0
    device = " ".join(p for p in (label.brand, label.model) if p)
    fonts.draw(canvas, _MARGIN, device_base, truncate(device, fonts, device_size, inner, bold=True),
               device_size, bold=True)
    number_base = device_base + fonts.ascent * device_size + 3.5
    number_size = fit_size(label.job_number, fonts, 14.0, inner, bold=True)
    fonts.draw(canvas, w / 2, number_base, label.job_number, number_size, bold=True, align="centre")
    bars_bottom = number_base + fonts.ascent * number_size + _GAP

    _bars(canvas, label.job_number, stock, dpi, bars_bottom, bars_top, "tag label")


def _draw_bin(canvas: Canvas, label: BinLabel, stock: LabelStock, dpi: int, fonts: FontSet, *, caption: str) -> None:
    w, h = stock.width_pt, stock.height_pt
    inner = w - 2 * _MARGIN

    # Part name on up to two lines; the second is cut if the name goes on.
    name_size = 8.0
    lines = wrap(label.name, fonts, name_size, inner, bold=True, max_lines=2)
    base = h - _MARGIN - fonts.ascent * name_size
    for line in lines:
        fonts.draw(canvas, _MARGIN, base, line, name_size, bold=True)
        base -= name_size * 1.15
    bars_top = base + name_size * 1.15 - fonts.descent * name_size - _GAP

    # From the bottom: bin location large, then the SKU under the bars.
    bin_size, cap_size = 13.0, 7.0
    bin_base = _MARGIN + fonts.descent * cap_size
    if label.bin_location:
        cap_w = fonts.width(caption + " ", cap_size)
        fonts.draw(canvas, _MARGIN, bin_base, caption, cap_size)
        fonts.draw(canvas, _MARGIN + cap_w, bin_base,
                   truncate(label.bin_location, fonts, bin_size, inner - cap_w, bold=True), bin_size, bold=True)
    sku_base = bin_base + fonts.ascent * bin_size + 2.5
    sku_size = fit_size(label.sku, fonts, 10.0, inner, bold=True)
    fonts.draw(canvas, w / 2, sku_base, label.sku, sku_size, bold=True, align="centre")
    bars_bottom = sku_base + fonts.ascent * sku_size + _GAP

    _bars(canvas, label.sku, stock, dpi, bars_bottom, bars_top, "bin label")
