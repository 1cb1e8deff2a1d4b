"""What the parts partials need: the parts panel on the job page (registered with the
job page as "parts": :func:`for_job`) and the store's dashboard card
(``parts_dashboard()`` in templates).  A view that re-renders the job page after a
refused form passes the form with its errors, so the panel shows it."""

from __future__ import annotations

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
from workshop.web import money


def part_choices(job: Job) -> tuple[list[tuple[str, list[tuple[str, str, int]]]], dict]:
    """Option groups for choosing a part for ``job``: the ones that fit the handset first.

    Each option is ``(sku, label, available)``.
    """
    fitting, others = parts_service.parts_for_job(job)
    levels = {lv.part.id: lv for lv in parts_service.levels(job.service_point_id, fitting + others)}

    def option(p):
        lv = levels[p.id]
        return (p.sku, f"{p.sku} · {p.name} · {money(p.price)} · " + _("%(n)s available", n=lv.available),
                lv.available)

    model = f"{job.brand} {job.model}".strip() or _("this handset")
    groups = []
    if fitting:
        groups.append((_("Fits %(model)s", model=model), [option(p) for p in fitting]))
    if others:
        groups.append((_("Other parts") if fitting else _("All parts"), [option(p) for p in others]))
    return groups, levels


@dataclass
class Panel:
    job: Job
    requisitions: list[Requisition]
    short: dict[int, stock_service.Shortage]
    lines: list[dict]
    total: Decimal
    defective: list[DefectivePart]
    request_form: RequestForm | None = None
    groups: list = field(default_factory=list)
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
    lines = parts_service.job_parts_lines(job)
    panel = Panel(
        job=job, requisitions=requisitions, short=short, lines=lines,
        total=sum((line["amount"] for line in lines), Decimal("0.00")),
        defective=queries.defectives_of_job(job),
        free=job.is_free_of_charge,
    )
    closed = job.job_status == JobStatus.COLLECTED
    if can(current_user, "parts.request") and job.job_status in stock_service.REQUEST_STATUSES:
        panel.groups, _levels = part_choices(job)
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
