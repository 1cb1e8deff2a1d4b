"""Bench pages: "My queue" for engineers, the bench board for managers, and the
workbench panel's form posts (each: validate, call one service, commit, redirect)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from models import Job, JobStatus, User, ValidationError, db
from models.jobs import open_jobs
from workshop.bench import assignment
from workshop.core.clock import as_utc
from workshop.jobs import loading as job_service
from workshop.jobs import panels as job_panels
from workshop.jobs import workflow
from workshop.jobs.notes import event_note
from workshop.jobs.views import job_page
from workshop.permissions.rules import may
from workshop.warranty import promise
from workshop.web import attempt

from . import web as panel
from .forms import (
    STATUS_LABELS,
    ApprovalForm,
    AssignAllForm,
    AssignForm,
    DiagnosisForm,
    MoveForm,
    QCForm,
    RepairForm,
)

bp = Blueprint("bench", __name__, url_prefix="/bench")
S = JobStatus

#: Columns of the bench board, in workflow order.
job_panels.register("workbench", "bench/_workbench.html", order=20, build=panel.build)

BOARD_STATUSES = (S.RECEIVED, S.DIAGNOSING, S.AWAITING_APPROVAL, S.AWAITING_PARTS, S.REPAIRING, S.QC,
                  S.UNREPAIRABLE)
#: Unassigned jobs the board lists at first (the earliest promised); the others behind a link.
UNASSIGNED_SHOWN = 50


@bp.app_template_global("status_label")
def status_label(status) -> str:
    try:
        return str(STATUS_LABELS[JobStatus(status)])
    except ValueError:
        return str(status)


@bp.app_template_global("promise_warnings")
def promise_warnings(job):
    return promise.warnings_for(job)


@bp.app_template_global("bench_summary")
def bench_summary() -> dict:
    """Counts for the home page's bench card (the signed-in user's service points)."""
    jobs = _bench_jobs()
    today = promise.local_today(current_user.service_point)
    return {
        "mine": sum(1 for j in jobs if j.engineer_id == current_user.id),
        "qc": sum(1 for j in jobs if j.status == S.QC.value and current_user.id not in j.repairer_ids),
        "unassigned": sum(1 for j in jobs if j.engineer_id is None),
        "late": sum(1 for j in jobs if any(w.overdue for w in promise.warnings_for(j, today))),
    }


@bp.app_template_filter("age")
def age_filter(since) -> str:
    return promise.age_text(since)


def _badge_word(gettext, code: str) -> str:
    """The short word on a promise-watch badge (``gettext``: a catalogue's, looked up once)."""
    if code == "promise":
        return gettext("promise")
    return gettext("loaner") if code == "loaner" else gettext("exchange")


@dataclass(frozen=True)
class Badge:
    """A promise-watch badge: the warning, its full message (the title), its word and
    when it falls due in short (``+2d`` overdue, ``today``, ``1d``), with its colour."""

    warning: promise.PromiseWarning
    title: str
    word: str
    when: str

    @property
    def css(self) -> str:
        return "text-bg-danger" if self.warning.overdue else "text-bg-warning"


def _badge_when(gettext, w: promise.PromiseWarning) -> str:
    if w.overdue:
        return "+" + promise.days_text(-w.days_left, gettext)
    return gettext("today") if w.days_left == 0 else promise.days_text(w.days_left, gettext)


class Badges:
    """Makes the badges of a list's rows, translated through one catalogue; the same
    warning (what, which day, days left) gives the same badge, made once: a bench's
    promised dates fall on a few days."""

    def __init__(self, translations=None):
        self.translations = translations or get_translations()
        self._made: dict[tuple, Badge] = {}

    def __call__(self, w: promise.PromiseWarning) -> Badge:
        key = (w.code, w.due, w.days_left)
        badge = self._made.get(key)
        if badge is None:
            t = self.translations
            gettext = t.gettext  # the name pybabel extracts
            badge = self._made[key] = Badge(w, w.describe(t), _badge_word(gettext, w.code), _badge_when(gettext, w))
        return badge


class Row:
    """One job on the queue or the board, with what the page shows about it: its
    promise-watch badges, its age in the current status (``age``, e.g. ``3d``) and its
    promised date in short (``due``, month-day).  ``badges`` and ``now``: a list's
    :class:`Badges` and clock, shared by its rows."""

    def __init__(self, job: Job, today: dt.date, since: dt.datetime | None = None, badges: Badges | None = None,
                 now: dt.datetime | None = None):
        self.job = job
        self.warnings = promise.warnings_for(job, today)
        self.level = promise.worst_level(self.warnings)
        self.since = as_utc(since) if since is not None else promise.status_since(job)
        make = badges or Badges()
        self.age = promise.age_text(self.since, now, make.translations)
        self.due = job.promised_by.strftime("%m-%d")
        self.badges = [make(w) for w in self.warnings]

    @property
    def urgency(self):
        return (-len([w for w in self.warnings if w.overdue]), -len(self.warnings), self.job.promised_by,
                self.job.id)


def _bench_jobs(*conditions) -> list[Job]:
    stmt = (select(Job).where(Job.service_point_id.in_(current_user.service_point_ids),
                              Job.status.in_([s.value for s in BOARD_STATUSES]), open_jobs(), *conditions)
            .options(selectinload(Job.events), selectinload(Job.engineer), selectinload(Job.service_point))
            .order_by(Job.promised_by, Job.id))
    return list(db.session.scalars(stmt))


def _rows(jobs: list[Job]) -> list[Row]:
    today = promise.local_today(current_user.service_point)
    badges, now = Badges(), dt.datetime.now(dt.UTC)
    return sorted((Row(j, today, badges=badges, now=now) for j in jobs), key=lambda r: r.urgency)


#: What the board reads of a job: its cells, the promise watch
#: (:func:`promise.warnings_for`) and the proposals (:func:`assignment.proposals`).
BOARD_COLUMNS = (Job.id, Job.number, Job.service_point_id, Job.status, Job.engineer_id, Job.received_at,
                 Job.received_on, Job.promised_by, Job.brand, Job.model, Job.fault_category, Job.liquid_damage,
                 Job.warranty_policy, Job.warranty_status, Job.warranty_chargeable, Job.rerepair_of_id)


#: Every job on the bench at some service points (``service_points``), its age from one
#: subquery; built once (a statement built per request costs more than it runs).
BOARD_ROWS = (select(*BOARD_COLUMNS, promise.status_since_column().label("since"))
              .where(Job.service_point_id.in_(bindparam("service_points", expanding=True)),
                     Job.status.in_([s.value for s in BOARD_STATUSES]), open_jobs())
              .order_by(Job.promised_by, Job.id))


def _board_rows() -> list[Row]:
    """Every job on the bench (the open jobs' index) with its age.

    Each row's ``job`` is a result row of :data:`BOARD_COLUMNS` (attributes named as the
    job's), not a :class:`Job`: the board reads no other column, no relationship and no
    event, and building ninety ORM objects of some fifty columns was most of its cost.
    """
    today = promise.local_today(current_user.service_point)
    badges, now = Badges(), dt.datetime.now(dt.UTC)
    rows = db.session.execute(BOARD_ROWS, {"service_points": sorted(current_user.service_point_ids)})
    # No status event yet: the job has been in its status since it was received
    # (what promise.status_since says).
    return sorted((Row(job, today, job.since or job.received_at, badges, now) for job in rows),
                  key=lambda r: r.urgency)


@bp.route("/")
def queue():
    """My queue: my jobs, others' repairs waiting for QC, and jobs I can take."""
    mine = _rows(_bench_jobs(Job.engineer_id == current_user.id))
    qc = [r for r in _rows(_bench_jobs(Job.status == S.QC.value)) if current_user.id not in r.job.repairer_ids]
    takeable = []
    if may(current_user, "job.take"):
        takeable = [r for r in _rows(_bench_jobs(Job.engineer_id.is_(None), Job.status == S.RECEIVED.value))
                    if assignment.is_qualified(current_user, r.job)]
    return render_template("bench/queue.html", mine=mine, qc=qc, takeable=takeable, take_form=MoveForm(),
                           required_level=assignment.required_level)


@bp.route("/board")
def board():
    """The whole bench by engineer and status, with ages, promise watch and proposals."""
    rows = _board_rows()
    active = assignment.engineers_at(current_user.service_point_ids)
    # Jobs may still be with someone no longer an active engineer here: they get a row too.
    others = {r.job.engineer_id for r in rows if r.job.engineer_id is not None} - {e.id for e in active}
    engineers = active + sorted(db.session.scalars(select(User).where(User.id.in_(others))) if others else [],
                                key=lambda u: u.label)
    grid: dict[int, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    unassigned = []
    for row in rows:
        if row.job.engineer_id is None:
            unassigned.append(row)
        else:
            grid[row.job.engineer_id][row.job.status].append(row)
    unassigned.sort(key=lambda r: (r.job.promised_by, r.job.id))
    loads = assignment.loads(e.id for e in engineers)
    proposals = {p.job.id: p for p in assignment.proposals([r.job for r in unassigned], engineers=active,
                                                           load=loads)}
    choices = [SelectChoice(e.id, f"{e.label} · L{assignment.engineer_level(e)}") for e in engineers
               if e.active]
    # One assign form per unassigned job listed (AssignForm's fields, which bench.assign
    # validates), written out by the template from these choices: the earliest promised
    # first, the rest behind a link when a morning's intake is large.
    shown = unassigned if request.args.get("unassigned") == "all" else unassigned[:UNASSIGNED_SHOWN]
    # "N open" for each load shown (an engineer's, a proposal's): a few numbers, many rows.
    open_label = {n: _("%(n)d open", n=n) for n in {0, *loads.values(), *(p.load for p in proposals.values())}
                  if n is not None}
    return render_template(
        "bench/board.html", engineers=engineers, grid=grid, unassigned=unassigned, shown=shown, proposals=proposals,
        engineer_choices=[(c.value, c.label) for c in choices], loads=loads, open_label=open_label,
        statuses=BOARD_STATUSES,
        proposable=sum(1 for p in proposals.values() if p.engineer is not None),
        late=sum(1 for r in rows if r.level == "late"), near=sum(1 for r in rows if r.level == "warn"),
        total=len(rows), required_level=assignment.required_level, level_of=assignment.engineer_level,
    )


# --- form posts ---------------------------------------------------------------------


def _job_for_update(number: str) -> Job:
    return job_service.get_job(current_user, number, for_update=True)


def _back(job: Job):
    return redirect(url_for("jobs.detail", number=job.number))


def _invalid(job: Job, name: str, form):
    """Show the job page again with the form's errors beside its fields."""
    db.session.rollback()
    job = job_service.get_job(current_user, job.number)
    return job_page(job, forms={"workbench": {name: form}}, status=422)


def _step(job: Job, name: str, form, call, message):
    """A workbench step: the form, one workflow call (:func:`workshop.web.attempt`), then
    back to the job page with ``message()``; field errors show beside the form, other
    refusals as a flash."""
    if not form.validate_on_submit():
        return _invalid(job, name, form)
    done = attempt(call, form=form, fields_only=True)
    if not done:
        return _invalid(job, name, form) if isinstance(done.error, ValidationError) else _back(job)
    flash(message(), "success")
    return _back(job)


@bp.route("/jobs/<number>/move", methods=["POST"])
def move(number: str):
    job = _job_for_update(number)
    form = MoveForm()
    return _step(job, "move", form, lambda: workflow.move(job, form.to.data, current_user, note=form.note.data),
                 lambda: _("Job %(number)s is now %(status)s.", number=job.number, status=status_label(job.status)))


@bp.route("/jobs/<number>/diagnosis", methods=["POST"])
def diagnosis(number: str):
    job = _job_for_update(number)
    form = DiagnosisForm()

    def message():
        if job.job_status == S.AWAITING_APPROVAL:
            return _("Diagnosis recorded. The price is above what the customer agreed: "
                     "the desk will ask them.")
        return _("Diagnosis recorded; job %(number)s is now %(status)s.", number=job.number,
                 status=status_label(job.status))

    return _step(job, "diagnosis", form, lambda: workflow.record_diagnosis(
        job, current_user, findings=form.findings.data, estimate=form.estimate.data,
        next_status=form.next_status.data), message)


@bp.route("/jobs/<number>/repair", methods=["POST"])
def repair(number: str):
    job = _job_for_update(number)
    form = RepairForm()

    def message():
        if form.hand_to_qc.data:
            return _("Repair recorded; job %(number)s waits for QC by another engineer.", number=job.number)
        return _("Repair notes saved.")

    return _step(job, "repair", form, lambda: workflow.record_repair(
        job, current_user, actions=form.actions.data, parts_fitted=form.parts_fitted.data,
        hand_to_qc=bool(form.hand_to_qc.data)), message)


@bp.route("/jobs/<number>/qc", methods=["POST"])
def qc(number: str):
    job = _job_for_update(number)
    form = QCForm()

    def check():
        passed = list(form.checks.data or [])
        if form.passed.data:
            return workflow.qc_pass(job, current_user, checks=passed, note=form.note.data)
        failed = [code for code in workflow.QC_CHECKS if code not in passed]
        return workflow.qc_fail(job, current_user, failed_checks=failed, note=form.note.data)

    def message():
        if job.job_status == S.READY:
            return _("QC passed: job %(number)s is ready for pickup.", number=job.number)
        return _("QC failed: job %(number)s is back with its engineer.", number=job.number)

    return _step(job, "qc", form, check, message)


@bp.route("/jobs/<number>/approval", methods=["POST"])
def approval(number: str):
    job = _job_for_update(number)
    form = ApprovalForm()

    def message():
        if form.approve.data:
            return _("Approval recorded; job %(number)s is now %(status)s.", number=job.number,
                     status=status_label(job.status))
        return _("Recorded: the customer declined. The handset goes back unrepaired.")

    return _step(job, "approval", form, lambda: workflow.record_approval(
        job, current_user, bool(form.approve.data), form.channel.data, note=form.note.data), message)


@bp.route("/jobs/<number>/assign", methods=["POST"])
def assign(number: str):
    job = _job_for_update(number)
    prefix = request.form.get("prefix", "")
    form = AssignForm(prefix=prefix)
    form.engineer.choices = [SelectChoice(e.id, e.label) for e in assignment.engineers_at([job.service_point_id])]
    back = request.form.get("back") == "board"
    if not form.validate_on_submit():
        flash(_("Choose an engineer of this service point."), "danger")
        return redirect(url_for("bench.board")) if back else _back(job)
    engineer = db.session.get(User, form.engineer.data)
    done = attempt(lambda: assignment.assign(job, engineer, current_user,
                                             proposed=(form.proposed.data or "") == str(form.engineer.data)))
    if not done:
        return redirect(url_for("bench.board")) if back else _back(job)
    event = done.value
    if event is None:
        flash(_("Job %(number)s was already assigned to %(name)s.", number=job.number, name=engineer.label), "info")
    elif event.data.get("qualified") is False:
        flash(event_note(event), "warning")
    else:
        flash(event_note(event), "success")
    return redirect(url_for("bench.board")) if back else _back(job)


@bp.route("/assign-proposed", methods=["POST"])
def assign_all():
    form = AssignAllForm()
    if form.validate_on_submit():
        done = attempt(lambda: assignment.assign_all_proposed(current_user))
        if not done:
            return redirect(url_for("bench.board"))
        events, left = done.value
        flash(_("%(count)d job(s) assigned as proposed.", count=len(events)), "success")
        if left:
            flash(_("Nobody here is qualified for: %(jobs)s. Assign them by name.",
                    jobs=", ".join(p.job.number for p in left)), "warning")
    return redirect(url_for("bench.board"))
