"""The complaint handling agreement (处理协议) and the written complaint report
(投诉报告): A5 sheets with the complaint number as a Code 128 symbol.

Plain data in, PDF bytes out (no Flask, no models).  Chinese text is embedded
(the subset of the CJK font the sheet uses, as on the receipts); captions come in
English or Chinese.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .code128 import check_dpi, draw_symbol, fit_symbol
from .text import FontSet, fonts_for, mask_phone, wrap

CAPTIONS = {
    "en": {
        "agreement": "Complaint handling agreement", "report": "Complaint report", "number": "Complaint",
        "registered": "Registered", "customer": "Customer", "phone": "Phone", "job": "Job", "handset": "Handset",
        "imei": "IMEI", "channel": "Channel", "category": "Category", "level": "Level",
        "problem": "The problem", "demand": "The customer's demand", "preferred": "The customer's preferred solution",
        "remedies": "Agreed remedies", "none": "None", "amount": "Amount",
        "statement": ("Both parties agree that the complaint is settled by the remedies above. "
                      "The customer confirms having read and accepted this agreement."),
        "customer_sign": "Customer (signature)", "staff_sign": "For the service point (signature)", "date": "Date",
        "response": "First response", "findings": "Findings", "founded": "Founded", "not_founded": "Not founded",
        "undecided": "Not decided", "responsible": "Responsible", "report_text": "Report", "root_cause": "Root cause",
        "preventive": "Preventive action", "owner": "Handled by", "events": "History",
    },
    "zh": {
        "agreement": "客户投诉处理协议", "report": "投诉报告", "number": "投诉编号", "registered": "登记时间",
        "customer": "客户", "phone": "电话", "job": "维修单号", "handset": "机型", "imei": "IMEI",
        "channel": "投诉渠道", "category": "投诉类别", "level": "投诉级别", "problem": "投诉问题",
        "demand": "客户诉求", "preferred": "客户希望的解决方式", "remedies": "双方商定的补救措施", "none": "无",
        "amount": "金额",
        "statement": "双方同意按上述补救措施处理本次投诉。客户已阅读并接受本协议。",
        "customer_sign": "客户签字", "staff_sign": "服务网点签字", "date": "日期",
        "response": "首次答复", "findings": "调查结论", "founded": "投诉成立", "not_founded": "投诉不成立",
        "undecided": "未定", "responsible": "责任人", "report_text": "报告内容", "root_cause": "根本原因",
        "preventive": "预防措施", "owner": "处理人", "events": "处理经过",
    },
}


@dataclass(frozen=True)
class Remedy:
    kind: str  # already in the reader's words
    amount: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class Agreement:
    """What the sheet says; every text already in the reader's language."""

    number: str
    service_point_name: str
    registered_at: datetime
    customer_name: str
    customer_phone: str = ""
    job_number: str = ""
    handset: str = ""
    imei: str = ""
    channel: str = ""
    category: str = ""
    level: str = ""
    problem: str = ""
    demand: str = ""
    preferred_solution: str = ""
    remedies: Sequence[Remedy] = ()
    captions: str = "zh"
    currency: str = "¥"
    # The written report (only with kind="report").
    owner: str = ""
    response: str = ""
    founded: bool | None = None
    responsible: str = ""
    report_text: str = ""
    root_cause: str = ""
    preventive_action: str = ""
    events: Sequence[str] = field(default_factory=tuple)


class _Sheet:
    """A top-to-bottom writer on A5 pages that starts a new page when full."""

    MARGIN = 12 * mm

    def __init__(self, canvas: Canvas, fonts: FontSet, size: float = 9.5):
        self.cv, self.f, self.size = canvas, fonts, size
        self.width = A5[0] - 2 * self.MARGIN
        self.y = A5[1] - self.MARGIN

    def need(self, height: float) -> None:
        if self.y - height < self.MARGIN:
            self.cv.showPage()
            self.y = A5[1] - self.MARGIN

    def text(self, text: str, *, size: float | None = None, bold: bool = False, indent: float = 0) -> None:
        size = size or self.size
        for line in wrap(text or "", self.f, size, self.width - indent, bold=bold):
            self.need(size * 1.35)
            self.f.draw(self.cv, self.MARGIN + indent, self.y - self.f.ascent * size, line, size, bold=bold)
            self.y -= size * 1.35

    def pair(self, caption: str, value: str) -> None:
        self.text(f"{caption}: {value}" if value else f"{caption}: —")

    def heading(self, text: str) -> None:
        self.space(3)
        self.text(text, size=self.size + 1, bold=True)

    def space(self, pt: float) -> None:
        self.y -= pt

    def rule(self) -> None:
        self.need(6)
        self.cv.setLineWidth(0.8)
        self.cv.line(self.MARGIN, self.y - 2, self.MARGIN + self.width, self.y - 2)
        self.y -= 6


def _money(amount: Decimal | None, currency: str) -> str:
    return f"{currency}{Decimal(amount):,.2f}" if amount else ""


def agreement_pdf(doc: Agreement, *, kind: str = "agreement", dpi: int = 300) -> bytes:
    """The handling agreement (``kind`` "agreement") or the written complaint report
    (``kind`` "report") as A5 PDF bytes.

    Raises ValueError for an unknown kind or captions language, or a complaint number
    Code 128 cannot carry.
    """
    if kind not in ("agreement", "report"):
        raise ValueError(f"unknown document {kind!r}; use agreement or report")
    if doc.captions not in CAPTIONS:
        raise ValueError(f"unknown captions {doc.captions!r}; use {' or '.join(CAPTIONS)}")
    check_dpi(dpi)
    c = CAPTIONS[doc.captions]
    texts = [str(v) for v in vars(doc).values() if isinstance(v, str)]
    texts += [r.kind + r.note for r in doc.remedies] + list(doc.events) + list(c.values())
    fonts = fonts_for(*texts)
    buffer = io.BytesIO()
    cv = Canvas(buffer, pagesize=A5, pageCompression=1)
    cv.setTitle(f"{c[kind]} {doc.number}")
    sheet = _Sheet(cv, fonts)

    # Header: shop and title on the left, the complaint number as Code 128 on the right.
    symbol = fit_symbol(doc.number, sheet.width * 0.5, dpi, max_module_mm=0.35, what="complaint number")
    top = sheet.y
    fonts.draw(cv, sheet.MARGIN, top - fonts.ascent * 12, doc.service_point_name, 12, bold=True)
    fonts.draw(cv, sheet.MARGIN, top - 18 - fonts.ascent * 14, c[kind], 14, bold=True)
    bar_h = 11 * mm
    left = sheet.MARGIN + sheet.width - symbol.width_pt
    bl, br = draw_symbol(cv, symbol, left, top - bar_h, bar_h)
    fonts.draw(cv, (bl + br) / 2, top - bar_h - 3 - fonts.ascent * 9, doc.number, 9, bold=True, align="centre")
    sheet.y = top - max(bar_h + 14, 40)
    sheet.rule()

    sheet.pair(c["number"], doc.number)
    sheet.pair(c["registered"], doc.registered_at.strftime("%Y-%m-%d %H:%M"))
    sheet.pair(c["customer"], doc.customer_name)
    sheet.pair(c["phone"], mask_phone(doc.customer_phone) if doc.customer_phone else "")
    if doc.job_number or doc.handset:
        sheet.pair(c["job"], doc.job_number)
        sheet.pair(c["handset"], doc.handset)
    if doc.imei:
        sheet.pair(c["imei"], doc.imei)
    sheet.pair(c["channel"], doc.channel)
    sheet.pair(c["category"], doc.category)
    sheet.pair(c["level"], doc.level)

    sheet.heading(c["problem"])
    sheet.text(doc.problem)
    sheet.heading(c["demand"])
    sheet.text(doc.demand or "—")
    if kind == "agreement":
        sheet.heading(c["preferred"])
        sheet.text(doc.preferred_solution or "—")
    sheet.heading(c["remedies"])
    if not doc.remedies:
        sheet.text(c["none"])
    for i, remedy in enumerate(doc.remedies, 1):
        amount = _money(remedy.amount, doc.currency)
        line = f"{i}. {remedy.kind}" + (f"  {c['amount']} {amount}" if amount else "")
        sheet.text(line + (f" — {remedy.note}" if remedy.note else ""), indent=4)

    if kind == "report":
        sheet.heading(c["owner"])
        sheet.text(doc.owner or "—")
        sheet.heading(c["response"])
        sheet.text(doc.response or "—")
        sheet.heading(c["findings"])
        verdict = c["undecided"] if doc.founded is None else c["founded"] if doc.founded else c["not_founded"]
        sheet.text(verdict + (f"; {c['responsible']}: {doc.responsible}" if doc.responsible else ""))
        sheet.heading(c["report_text"])
        sheet.text(doc.report_text or "—")
        if doc.root_cause:
            sheet.heading(c["root_cause"])
            sheet.text(doc.root_cause)
            sheet.heading(c["preventive"])
            sheet.text(doc.preventive_action or "—")
        if doc.events:
            sheet.heading(c["events"])
            for event in doc.events:
                sheet.text(event, size=8, indent=4)
    else:
        sheet.space(6)
        sheet.text(c["statement"])
    # Signature lines for both sides.
    sheet.need(60)
    sheet.space(28)
    half = sheet.width / 2
    for i, caption in enumerate((c["customer_sign"], c["staff_sign"])):
        x = sheet.MARGIN + i * half
        cv.setLineWidth(0.6)
        cv.line(x, sheet.y, x + half - 12, sheet.y)
        fonts.draw(cv, x, sheet.y - 11, caption, 8.5)
        fonts.draw(cv, x, sheet.y - 24, f"{c['date']}: ______________", 8.5)
    cv.showPage()
    cv.save()
    return buffer.getvalue()
