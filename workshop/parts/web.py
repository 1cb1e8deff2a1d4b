"""What the parts partials need: the parts panel on the job page (registered with the
job page as "parts": :func:`for_job`) and the store's dashboard card
(``parts_dashboard()`` in templates).  A view that re-renders the job page after a
refused form passes the form with its errors, so the panel shows it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from models import DefectivePart, Job, JobStatus, Requisition
from models.parts import RequisitionStatus
from workshop.parts import catalogue as parts_service
from workshop.parts import ledger as stock_service
from workshop.parts import queries
from workshop.parts.forms import OldPartForm, ReasonForm, RequestForm, ReturnForm
from workshop.permissions.rules import can

# Notes the ledger writes on stock movements (English, in a fixed form; see
# workshop/parts/ledger.py), said again in the reader's language.  Only a movement that
# belongs to a stock take, a transfer or the defective bin is read this way: a note
# someone typed is shown as typed.
_DEFECTIVE_NOTE = re.compile(r"^(?P<qty>\d+) to the defective bin(?:: (?P<description>.*))?$", re.DOTALL)
_COUNT_NOTE = re.compile(r"^count(?: (?P<shelf>.*?))?(?:: (?P<counted>\d+) counted)?$", re.DOTALL)
_TRANSFER_NOTE = re.compile(r"^(?P<number>\S+) (?:(?P<way>to|from) (?P<code>\S+)|cancelled(?:: (?P<reason>.*))?)$",
                            re.DOTALL)


def stock_note(move) -> str:
    """A stock movement's note in the current locale (see above)."""
    note = move.note or ""
    if move.defective_part_id and (m := _DEFECTIVE_NOTE.match(note)):
        said = _("%(qty)s to the defective bin", qty=m["qty"])
        return f"{said}: {m['description']}" if m["description"] else said
    if move.stock_take_id and (m := _COUNT_NOTE.match(note)):
        shelf, counted = m["shelf"], m["counted"]
        if shelf and counted:
            return _("Stock take %(shelf)s: %(counted)s counted", shelf=shelf, counted=counted)
        if counted:
            return _("Stock take: %(counted)s counted", counted=counted)
        return _("Stock take %(shelf)s", shelf=shelf) if shelf else _("Stock take")
    if move.transfer_id and (m := _TRANSFER_NOTE.match(note)):
        if m["way"] == "to":
            return _("%(number)s to %(code)s", number=m["number"], code=m["code"])
        if m["way"] == "from":
            return _("%(number)s from %(code)s", number=m["number"], code=m["code"])
        said = _("%(number)s cancelled", number=m["number"])
        return f"{said}: {m['reason']}" if m["reason"] else said
    return note


@dataclass
class Panel:
    job: Job
    requisitions: list[Requisition]
    short: dict[int, stock_service.Shortage]
    lines: list[dict]
    total: Decimal
    defective: list[DefectivePart]
    request_form: RequestForm | None = None
    return_forms: dict = field(default_factory=dict)
    doa_forms: dict = field(default_factory=dict)
    old_part_form: OldPartForm | None = None
    cancel_form: ReasonForm | None = None
    free: bool = False

    @property
    def pending(self) -> list[Requisition]:
        return [r for r in self.requisitions if r.status == RequisitionStatus.PENDING.value]

    @property
    def issued_lines(self):
        return [line for r in self.requisitions if r.status == RequisitionStatus.ISSUED.value for line in r.lines]


def for_job(job: Job, forms: dict | None = None) -> Panel:
    """Everything the job page's parts panel shows, with the forms the user may use
    (``forms``: bound forms with errors to show instead of fresh ones)."""
    forms = forms or {}
    requisitions = parts_service.job_requisitions(job)
    short = {s.line.id: s for r in requisitions if r.is_pending for s in stock_service.shortages(r)}
    # Charged lines come from issued requisitions only: most jobs have none, and no query.
    issued = any(r.status == RequisitionStatus.ISSUED.value for r in requisitions)
    lines = parts_service.job_parts_lines(job) if issued else []
    panel = Panel(
        job=job, requisitions=requisitions, short=short, lines=lines,
        total=sum((line["amount"] for line in lines), Decimal("0.00")),
        defective=queries.defectives_of_job(job),
        free=job.is_free_of_charge,
    )
    closed = job.job_status == JobStatus.COLLECTED
    if can(current_user, "parts.request") and job.job_status in stock_service.REQUEST_STATUSES:
        panel.request_form = forms.get("request") or RequestForm(formdata=None)
    if can(current_user, "parts.handle") and not closed:
        for line in panel.issued_lines:
            if line.charged_qty > 0:
                panel.return_forms[line.id] = forms.get(("return", line.id)) or ReturnForm(
                    formdata=None, prefix=f"ret{line.id}")
                panel.doa_forms[line.id] = forms.get(("doa", line.id)) or ReturnForm(
                    formdata=None, prefix=f"doa{line.id}")
        panel.old_part_form = forms.get("old_part") or OldPartForm(formdata=None, prefix="old")
        panel.old_part_form.sku.choices = [SelectChoice("", _("— not from the catalogue —"))] + [
            SelectChoice(line.part.sku, f"{line.part.sku} · {line.part.name}") for line in panel.issued_lines]
        panel.cancel_form = ReasonForm(formdata=None, prefix="cancel")
    return panel


@dataclass
class Dashboard:
    low: int  # parts low on stock
    pending: int
    ready: int
    incoming: int
    kept: int
    mine: list


def dashboard() -> Dashboard:
    """Figures for the home page's parts card at the user's service point."""
    sp_id = current_user.service_point_id
    low, pending, ready, incoming, kept, mine = 0, 0, 0, 0, 0, []
    if can(current_user, "parts.manage"):
        low = parts_service.low_stock_count(sp_id)
        reqs = queries.pending_requisitions([sp_id])
        pending = len(reqs)
        ready = sum(1 for r in reqs if not stock_service.shortages(r))
        incoming = queries.count_incoming_transfers(sp_id)
        kept = queries.count_kept_defectives(sp_id)
    if can(current_user, "parts.request"):
        mine = queries.my_pending_requisitions(current_user.id)
    return Dashboard(low=low, pending=pending, ready=ready, incoming=incoming, kept=kept, mine=mine)
