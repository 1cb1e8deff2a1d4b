"""The monthly complaint report (客户投诉情况及处理月报) as an A4 PDF.

Plain data in, PDF bytes out, like the receipts: the caller (workshop/reports)
passes strings already in the reader's language; Chinese text is drawn with the
embedded CJK font (:func:`labels.text.cjk_fonts`), so the PDF prints the same on any
machine.  Sections are tables, label/value pairs and horizontal bar charts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .text import fonts_for


@dataclass(frozen=True)
class Section:
    """One part of the report.  ``kind``: ``table`` (``header`` + ``rows``),
    ``pairs`` (``rows`` of (label, value)) or ``bars`` (``rows`` of (label, number));
    ``empty`` is printed when there are no rows."""

    title: str
    kind: str
    rows: Sequence[Sequence] = ()
    header: Sequence[str] = ()
    empty: str = "-"
    col_widths: Sequence[float] | None = None  # in mm, for tables


@dataclass(frozen=True)
class MonthlyComplaintReport:
    title: str
    subtitle: str
    sections: Sequence[Section] = field(default_factory=tuple)
    footer: str = ""


def _strings(report: MonthlyComplaintReport) -> list[str]:
    out = [report.title, report.subtitle, report.footer]
    for s in report.sections:
        out += [s.title, s.empty, *map(str, s.header)]
        for row in s.rows:
            out += [str(v) for v in row]
    return out


def _bars(rows: Sequence[Sequence], font: str, width: float) -> Drawing:
    row_h, label_w = 16, 52 * mm
    top = max((float(v) for _, v in rows), default=0) or 1
    d = Drawing(width, row_h * len(rows) + 4)
    plot_w = width - label_w - 20 * mm
    for i, (label, value) in enumerate(rows):
        y = d.height - (i + 1) * row_h
        d.add(String(label_w - 4, y + 4, str(label), fontName=font, fontSize=9, textAnchor="end"))
        w = plot_w * float(value) / top
        d.add(Rect(label_w, y + 2, max(w, 0.5), row_h - 5, fillColor=colors.HexColor("#3b6fb6"), strokeColor=None))
        d.add(String(label_w + w + 4, y + 4, f"{float(value):g}", fontName=font, fontSize=9))
    return d


def monthly_report_pdf(report: MonthlyComplaintReport) -> bytes:
    """The report on A4 portrait, paginated, each page footed with ``footer`` and its number.

    Raises ValueError for a section of unknown kind."""
    fonts = fonts_for(*_strings(report))
    font = fonts.regular
    title = ParagraphStyle("title", fontName=fonts.bold, fontSize=16, leading=20, spaceAfter=2 * mm)
    h2 = ParagraphStyle("h2", fontName=fonts.bold, fontSize=11.5, leading=15, spaceBefore=4 * mm, spaceAfter=2 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    width = A4[0] - 30 * mm
    story = [Paragraph(report.title, title), Paragraph(report.subtitle, body)]
    for section in report.sections:
        part = [Paragraph(section.title, h2)]
        if not section.rows:
            part.append(Paragraph(section.empty, body))
        elif section.kind == "table":
            data = [[Paragraph(str(h), cell) for h in section.header]]
            data += [[Paragraph(str(v), cell) for v in row] for row in section.rows]
            widths = [w * mm for w in section.col_widths] if section.col_widths else None
            table = Table(data, colWidths=widths, repeatRows=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            part.append(table)
        elif section.kind == "pairs":
            table = Table([[Paragraph(str(k), body), Paragraph(str(v), body)] for k, v in section.rows],
                          colWidths=[70 * mm, width - 70 * mm])
            table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
            part.append(table)
        elif section.kind == "bars":
            part.append(_bars(section.rows, font, width))
        else:
            raise ValueError(f"unknown section kind {section.kind!r}: table, pairs or bars")
        story.append(KeepTogether(part) if section.kind != "table" else part[0])
        if section.kind == "table" and section.rows:
            story.append(part[1])
        story.append(Spacer(1, 2 * mm))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(15 * mm, 10 * mm, report.footer)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=18 * mm, title=report.title, author=report.subtitle)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
