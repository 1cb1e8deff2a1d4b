"""What the workbench panel on the job page shows to the signed-in user: the forms for
the step the job is at, and buttons only for the moves this user may make now."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from models import Job, JobEvent, JobStatus
from workshop.bench import assignment
from workshop.bench.forms import (
    ApprovalForm,
    AssignForm,
    DiagnosisForm,
    MoveForm,
    QCForm,
    RepairForm,
)
from workshop.jobs import workflow
from workshop.permissions.rules import can
from workshop.warranty import promise

S = JobStatus

#: Moves that have their own form at this status (the rest are plain buttons).
DEDICATED = {
    S.DIAGNOSING: {S.REPAIRING, S.AWAITING_PARTS, S.UNREPAIRABLE, S.AWAITING_APPROVAL},
    S.REPAIRING: {S.QC},
    S.QC: {S.READY, S.REPAIRING},
    S.AWAITING_APPROVAL: {S.REPAIRING, S.AWAITING_PARTS, S.READY},
}
#: Handing back is the pickup panel's job (customer check and payment).
NOT_HERE = {S.COLLECTED}

#: Button text for a move: (from, to) first, then by target.
MOVE_LABELS = {
    (S.AWAITING_PARTS, S.REPAIRING): _l("Parts here: start repair"),
    (S.UNREPAIRABLE, S.READY): _l("To the pickup shelf (unrepaired)"),
    "take": _l("Take the job and start diagnosis"),
    S.DIAGNOSING: _l("Start diagnosis"),
    S.AWAITING_PARTS: _l("Wait for parts"),
    S.AWAITING_APPROVAL: _l("Ask the customer to approve"),
    S.UNREPAIRABLE: _l("Cannot be repaired"),
    S.CANCELLED: _l("Cancel the job"),
    S.REPAIRING: _l("Start repair"),
    S.QC: _l("Hand to QC"),
    S.READY: _l("Ready for pickup"),
}


@dataclass
class MoveButton:
    to: JobStatus
    label: object
    style: str
    needs_note: bool


@dataclass
class Workbench:
    job: Job
    moves: list[JobStatus]
    buttons: list[MoveButton]
    warnings: list[promise.PromiseWarning]
    forms: dict = field(default_factory=dict)
    pending_approval: JobEvent | None = None
    last_qc_failure: JobEvent | None = None
    bench_notes: list[JobEvent] = field(default_factory=list)
    required_level: int = 1
    may_assign: bool = False
    proposal: object = None
    repaired_by_me: bool = False

    @property
    def has_anything(self) -> bool:
        return bool(self.buttons or self.forms or self.may_assign or self.bench_notes or self.warnings
                    or self.repaired_by_me or self.job.status == S.AWAITING_APPROVAL.value
                    or self.last_qc_failure)


def _button(job: Job, frm: JobStatus, to: JobStatus) -> MoveButton:
    taking = frm == S.RECEIVED and to == S.DIAGNOSING and job.engineer is None
    label = (MOVE_LABELS["take"] if taking else None) or MOVE_LABELS.get((frm, to)) or MOVE_LABELS.get(to) or to.value
    style = "outline-danger" if to in (S.CANCELLED, S.UNREPAIRABLE) else (
        "primary" if to in (S.DIAGNOSING, S.REPAIRING, S.READY) else "outline-secondary")
    return MoveButton(to, label, style, to in workflow.REASON_NEEDED or to == S.AWAITING_APPROVAL)


def _last(job: Job, predicate) -> JobEvent | None:
    for event in reversed(job.events):
        if predicate(event):
            return event
    return None


def build(job: Job, forms: dict | None = None) -> Workbench:
    """The workbench for ``job`` as the current user sees it.  ``forms`` are bound forms
    (with errors) to show instead of fresh ones."""
    user = current_user
    status = job.job_status
    moves = workflow.moves_for(job, user)
    dedicated = DEDICATED.get(status, set())
    buttons = [_button(job, status, to) for to in moves if to not in dedicated and to not in NOT_HERE]
    bench = Workbench(job=job, moves=moves, buttons=buttons, warnings=promise.warnings_for(job),
                      required_level=assignment.required_level(job))
    given = forms or {}
    if buttons:
        bench.forms["move"] = given.get("move") or MoveForm(formdata=None)
    if status == S.DIAGNOSING and S.REPAIRING in moves:
        bench.forms["diagnosis"] = given.get("diagnosis") or DiagnosisForm(formdata=None)
    if status == S.REPAIRING and S.QC in moves:
        bench.forms["repair"] = given.get("repair") or RepairForm(formdata=None)
    if status == S.QC and S.READY in moves:
        bench.forms["qc"] = given.get("qc") or QCForm(formdata=None)
    if status == S.QC:
        bench.repaired_by_me = user.id in job.repairer_ids
    if status == S.AWAITING_APPROVAL:
        bench.pending_approval = _last(job, lambda e: e.kind == "status" and e.to_status == status.value)
        if S.READY in moves:
            bench.forms["approval"] = given.get("approval") or ApprovalForm(formdata=None)
    if status == S.REPAIRING:
        bench.last_qc_failure = _last(job, lambda e: e.kind == "status" and e.from_status == S.QC.value)
    bench.bench_notes = [e for e in job.events if e.kind in ("diagnosis", "repair")]
    if can(user, "job.assign") and status in assignment.ASSIGNABLE_STATUSES:
        bench.may_assign = True
        form = given.get("assign") or AssignForm(formdata=None)
        engineers = assignment.engineers_at([job.service_point_id])
        form.engineer.choices = [SelectChoice(e.id, f"{e.label} · L{assignment.engineer_level(e)}") for e in engineers]
        bench.proposal = assignment.proposals([job])[0] if job.engineer is None else None
        proposed = bench.proposal.engineer if bench.proposal else None
        form.proposed.data = str(proposed.id) if proposed else ""
        if form.engineer.data is None:
            chosen = job.engineer or proposed
            form.engineer.data = chosen.id if chosen else None
        bench.forms["assign"] = form
    return bench
