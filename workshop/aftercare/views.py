"""After-sales care pages: the complaint register and a complaint's page, the
follow-up call list with one screen per call, the contact log, the printed
agreement and report, the public one-question follow-up page, and the job page
panel and home card.

Each view validates its form, calls one domain function, commits, and redirects;
a domain refusal re-renders the page with the error beside its field (422).
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from models import Complaint, DomainError, FollowUp, NotFound, db, utcnow
from workshop.core.clock import as_utc, local_today
from workshop.forms import apply_domain_errors
from workshop.intake import customers
from workshop.jobs import panels as job_panels
from workshop.jobs import scan as scan_service
from workshop.permissions.rules import can
from workshop.web import run_once

from . import agreements, complaints, contacts, followups, remedies, words
from .forms import (
    AgreementForm,
    ApproveForm,
    CallForm,
    CloseForm,
    ComplaintForm,
    ContactForm,
    EscalateForm,
    LevelForm,
    PublicAnswerForm,
    RemedyDoneForm,
    RemedyForm,
    ReportForm,
    RespondForm,
    ScanForm,
)

bp = Blueprint("aftercare", __name__)


# -- helpers for templates ----------------------------------------------------------


def time_left(deadline: dt.datetime | None, now: dt.datetime | None = None) -> dict | None:
    """``{"overdue": bool, "text": "5 h 20 min left" / "overdue by 3 h"}`` for a deadline."""
    if deadline is None:
        return None
    now = as_utc(now or utcnow())
    seconds = int((as_utc(deadline) - now).total_seconds())
    overdue = seconds < 0
    minutes = abs(seconds) // 60
    hours, mins = divmod(minutes, 60)
    span = _("%(h)d h %(m)02d min", h=hours, m=mins) if hours else _("%(m)d min", m=mins)
    return {"overdue": overdue, "text": _("overdue by %(span)s", span=span) if overdue
            else _("%(span)s left", span=span)}


def home_counts() -> dict:
    """Overdue and open complaints, and calls due by today, for the home card."""
    if not (current_user.is_authenticated and can(current_user, "aftercare")):
        return {}
    ids = list(current_user.service_point_ids)
    today = local_today(current_user.service_point)
    return {
        "overdue": complaints.overdue_count(ids),
        "open": complaints.open_count(ids),
        "calls_due": followups.due_count(ids, today),
    }


def job_panel(job, _forms=None) -> dict:
    """The job page's complaints and follow-ups (templates/aftercare/_job_panel.html)."""
    if not (current_user.is_authenticated and can(current_user, "aftercare.view")):
        return {}
    found, _cursor = complaints.search(current_user, job=job, limit=50)
    return {"complaints": found, "followups": followups.for_job(job)}


job_panels.register("aftercare", "aftercare/_job_panel.html", order=50, build=job_panel)


@bp.app_context_processor
def _helpers():
    return {"aftercare_home": home_counts, "care_words": words.all_words(), "care_note": words.system_note,
            "care_time_left": time_left}


def _once() -> str:
    return uuid.uuid4().hex


# -- the register -----------------------------------------------------------------


@bp.route("/complaints")
def register_list():
    """The complaint register: newest first, time left to each deadline, overdue in red."""
    status = request.args.get("status") or None
    overdue = request.args.get("overdue") == "1"
    try:
        items, _cursor = complaints.search(current_user, status=status, overdue=overdue, limit=200)
    except DomainError as exc:
        flash(exc.message, "warning")
        items = []
    return render_template("aftercare/register.html", items=items, status=status, overdue=overdue,
                           now=utcnow(), is_overdue=complaints.is_overdue)


def _prefill(form: ComplaintForm, code: str) -> dict:
    """Fill the form from a scanned ticket or IMEI, or a typed phone number."""
    found = {}
    try:
        job = scan_service.resolve(current_user, code)
    except NotFound:
        job = None
    if job is not None:
        form.job.data = job.number
        form.customer_name.data = job.customer.name
        form.customer_phone.data = job.customer.phone
        found["job"] = job
        found["open_complaint"] = complaints.open_for_job(job)
        return found
    try:
        customer = customers.find_by_phone(current_user, code)
    except ValueError:
        customer = None
    if customer is not None:
        form.customer_name.data = customer.name
        form.customer_phone.data = customer.phone
        found["customer"] = customer
        found["customer_complaints"] = complaints.search(current_user, customer=customer, limit=10)[0]
    else:
        form.customer_phone.data = code if any(ch.isdigit() for ch in code) else ""
        flash(_("Nothing here matches “%(code)s”: type the customer's details.", code=code), "warning")
    return found


@bp.route("/complaints/new", methods=["GET", "POST"])
def new():
    """Register a complaint, scanner first: scan the ticket (or IMEI, or type the phone),
    then the description; channel and category have the counter's usual defaults."""
    scan = ScanForm(request.args)
    form = ComplaintForm()
    found = {}
    if request.method == "GET":
        form.once.data = _once()
        code = (request.args.get("code") or "").strip()
        if code:
            found = _prefill(form, code)
    elif form.validate_on_submit():
        new_complaint = complaints.NewComplaint(
            channel=form.channel.data, category=form.category.data, description=form.description.data or "",
            demand=form.demand.data or "", customer_name=form.customer_name.data or "",
            customer_phone=form.customer_phone.data or "", job=form.job.data or None, level=form.level.data or None,
            staff_involved=form.staff_involved.data or "", promised_on=form.promised_on.data)

        def create():
            complaint = complaints.register(current_user, new_complaint, source="web")
            return {"number": complaint.number}, 201

        try:
            answer, _status, _replayed = run_once(
                current_user, "web.complaints.create", form.once.data or None,
                {k: str(v) for k, v in vars(new_complaint).items()}, create)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_errors(form, exc, {"customer.phone": form.customer_phone,
                                            "customer.name": form.customer_name})
        else:
            flash(_("Complaint %(number)s registered.", number=answer["number"]), "success")
            return redirect(url_for("aftercare.detail", number=answer["number"]))
    if form.job.data and "job" not in found:
        try:
            found["job"] = scan_service.resolve(current_user, form.job.data)
        except NotFound:
            form.job.data = ""
    status = 422 if request.method == "POST" else 200
    return render_template("aftercare/new.html", form=form, scan=scan, found=found), status


# -- a complaint -------------------------------------------------------------------


def _forms(complaint: Complaint) -> dict:
    level = LevelForm(prefix="level")
    higher = [SelectChoice(k, v) for k, v in words.LEVEL_WORDS.items()
              if complaints.level_rank(k) > complaints.level_rank(complaint.level)]
    level.level.choices = higher
    agreement = AgreementForm(prefix="agreement")
    if not agreement.preferred_solution.data:
        agreement.preferred_solution.data = complaint.preferred_solution or complaint.demand
    report = ReportForm(prefix="report")
    if not report.report.data and complaint.report_text:
        report.report.data = complaint.report_text
    return {"respond": RespondForm(prefix="respond"), "escalate": EscalateForm(prefix="escalate"), "level": level,
            "report": report, "remedy": RemedyForm(prefix="remedy"), "agreement": agreement,
            "close": CloseForm(prefix="close"), "done": RemedyDoneForm(prefix="done"),
            "approve": ApproveForm(prefix="approve")}


def _page(complaint: Complaint, forms: dict | None = None, status: int = 200):
    forms = forms or _forms(complaint)
    history = complaints.handset_history(current_user, complaint)
    calls = list(db.session.scalars(select(FollowUp).where(
        (FollowUp.complaint_id == complaint.id) | (FollowUp.opened_complaint_id == complaint.id))
        .order_by(FollowUp.id)))
    entitlement = remedies.entitlement(complaint.job) if complaint.job is not None else None
    missing = complaints.missing_for_close(complaint) if complaint.status != "closed" else []
    return render_template("aftercare/detail.html", c=complaint, forms=forms, history=history, calls=calls,
                           entitlement=entitlement, missing=missing, now=utcnow(),
                           overdue=complaints.is_overdue(complaint),
                           promise_passed=bool(complaint.promised_on and complaint.status == "open"
                                               and complaint.promised_on < local_today(complaint.service_point)),
                           limit=remedies.staff_limit(complaint)), status


@bp.route("/complaints/<number>")
def detail(number: str):
    """A complaint's page: deadlines, actions, remedies, history, and the handset's story."""
    return _page(complaints.get(current_user, number))


def _run(complaint: Complaint, name: str, form, action, anchor: str):
    forms = _forms(complaint)
    forms[name] = form
    if form.validate_on_submit():
        try:
            message = action(form)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            complaint = complaints.get(current_user, complaint.number)
            apply_domain_errors(form, exc)  # "missing" (closing) is no field: it shows atop the form
            return _page(complaint, forms, exc.status)
        flash(message, "success")
        return redirect(url_for("aftercare.detail", number=complaint.number) + anchor)
    return _page(complaint, forms, 422)


@bp.route("/complaints/<number>/respond", methods=["POST"])
def respond(number: str):
    complaint = complaints.get(current_user, number)
    return _run(complaint, "respond", RespondForm(prefix="respond"), lambda f: (
        complaints.respond(complaint, current_user, f.note.data or ""), _("Response recorded."))[1], "#deadlines")


@bp.route("/complaints/<number>/escalate", methods=["POST"])
def escalate(number: str):
    complaint = complaints.get(current_user, number)
    return _run(complaint, "escalate", EscalateForm(prefix="escalate"), lambda f: (
        complaints.escalate(complaint, current_user, f.note.data or ""),
        _("Escalated to %(name)s.", name=complaint.owner.label if complaint.owner else "—"))[1], "")


@bp.route("/complaints/<number>/level", methods=["POST"])
def raise_level(number: str):
    complaint = complaints.get(current_user, number)
    form = LevelForm(prefix="level")
    form.level.choices = [SelectChoice(k, v) for k, v in words.LEVEL_WORDS.items()]
    return _run(complaint, "level", form, lambda f: (
        complaints.raise_level(complaint, current_user, f.level.data, f.note.data or ""),
        _("Level raised."))[1], "")


@bp.route("/complaints/<number>/report", methods=["POST"])
def report(number: str):
    complaint = complaints.get(current_user, number)
    founded = {"yes": True, "no": False}
    return _run(complaint, "report", ReportForm(prefix="report"), lambda f: (
        complaints.write_report(complaint, current_user, f.report.data or "", founded=founded.get(f.founded.data),
                                responsible=f.responsible.data or ""), _("Report saved."))[1], "#report")


@bp.route("/complaints/<number>/remedies", methods=["POST"])
def add_remedy(number: str):
    complaint = complaints.get(current_user, number)

    def act(f):
        remedy = remedies.propose(complaint, current_user, kind=f.kind.data, amount=f.amount.data,
                                  note=f.note.data or "", job=(f.job.data or "").strip() or None)
        if remedy.status == "pending_approval":
            return _("Remedy added; it waits for a manager's approval.")
        return _("Remedy added and approved.")

    return _run(complaint, "remedy", RemedyForm(prefix="remedy"), act, "#remedies")


@bp.route("/complaints/<number>/remedies/<int:remedy_id>/done", methods=["POST"])
def remedy_done(number: str, remedy_id: int):
    complaint = complaints.get(current_user, number)
    return _run(complaint, "done", RemedyDoneForm(prefix="done"), lambda f: (
        remedies.carry_out(remedies.get(complaint, remedy_id), current_user, f.note.data or ""),
        _("Remedy carried out."))[1], "#remedies")


@bp.route("/complaints/<number>/remedies/<int:remedy_id>/approve", methods=["POST"])
def remedy_approve(number: str, remedy_id: int):
    complaint = complaints.get(current_user, number)
    return _run(complaint, "approve", ApproveForm(prefix="approve"), lambda f: (
        remedies.approve(remedies.get(complaint, remedy_id), current_user, f.note.data or ""),
        _("Remedy approved."))[1], "#remedies")


@bp.route("/complaints/<number>/agreement", methods=["POST"])
def agreement(number: str):
    complaint = complaints.get(current_user, number)

    def act(f):
        agreements.record(complaint, current_user, accepted=f.accepted.data == "yes", note=f.note.data or "",
                          preferred_solution=f.preferred_solution.data or "")
        if complaint.status == "resolved":
            return _("Agreement recorded: the complaint is resolved and the follow-up call is queued.")
        return _("The customer's word is recorded.")

    return _run(complaint, "agreement", AgreementForm(prefix="agreement"), act, "#agreement")


@bp.route("/complaints/<number>/close", methods=["POST"])
def close(number: str):
    complaint = complaints.get(current_user, number)
    return _run(complaint, "close", CloseForm(prefix="close"), lambda f: (
        complaints.close(complaint, current_user, root_cause=f.root_cause.data, note=f.note.data or "",
                         preventive_action=f.preventive_action.data or ""), _("Complaint closed."))[1], "")


def _pdf(complaint: Complaint, kind: str):
    # GET shows the PDF and writes nothing; POST (the print button) records the print.
    body = agreements.pdf(complaint, current_user, kind, record_print=request.method == "POST")
    db.session.commit()
    response = make_response(body)
    response.mimetype = "application/pdf"
    name = "agreement" if kind == "agreement" else "report"
    response.headers["Content-Disposition"] = f'inline; filename="{complaint.number}-{name}.pdf"'
    return response


@bp.route("/complaints/<number>/agreement.pdf", methods=["GET", "POST"])
def agreement_pdf(number: str):
    """The handling agreement (处理协议), A5, to print and sign."""
    return _pdf(complaints.get(current_user, number), "agreement")


@bp.route("/complaints/<number>/report.pdf", methods=["GET", "POST"])
def report_pdf(number: str):
    """The written complaint report (投诉报告) of a serious or critical complaint, A5."""
    return _pdf(complaints.get(current_user, number), "report")


# -- follow-up calls ----------------------------------------------------------------


@bp.route("/followups")
def calls():
    """The call list: due today first, then the overdue ones, then the next week."""
    today = local_today(current_user.service_point)
    items, _cursor = followups.call_list(current_user, status="open", limit=1000)
    due_today = [f for f in items if f.due_on == today]
    late = [f for f in items if f.due_on < today]
    upcoming = [f for f in items if today < f.due_on <= today + dt.timedelta(days=7)]
    answered = followups.recently_answered(current_user, 20)
    return render_template("aftercare/calls.html", due_today=due_today, late=late, upcoming=upcoming,
                           answered=answered, today=today)


def _next_call(after: FollowUp) -> FollowUp | None:
    today = local_today(current_user.service_point)
    items, _cursor = followups.call_list(current_user, status="open", due_by=today, limit=1000)
    todays = [f for f in items if f.due_on == today] + [f for f in items if f.due_on < today]
    return next((f for f in todays if f.id != after.id), None)


@bp.route("/followups/<int:followup_id>", methods=["GET", "POST"])
def call(followup_id: int):
    """One call: the customer's phone, the job's story, the questions, and how it ended."""
    followup = followups.get(current_user, followup_id)
    form = CallForm()
    if form.validate_on_submit():
        outcome = "no_answer" if form.no_answer.data else "refused" if form.refused.data else "reached"
        fixed = {"yes": True, "no": False}.get(form.fixed.data)
        try:
            followups.record(followup, current_user, outcome=outcome,
                             satisfaction=form.satisfaction.data if outcome == "reached" else None,
                             comment=form.comment.data or "", fixed=fixed,
                             anything_else=form.anything_else.data or "", channel=form.channel.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            followup = followups.get(current_user, followup_id)
            apply_domain_errors(form, exc)
        else:
            opened = followup.opened_complaint
            if opened is not None and followup.satisfaction is not None and followup.satisfaction <= 2:
                flash(_("Unhappy answer: complaint %(number)s is open for it.", number=opened.number), "warning")
                return redirect(url_for("aftercare.detail", number=opened.number))
            flash(_("Call recorded."), "success")
            following = _next_call(followup)
            return redirect(url_for("aftercare.call", followup_id=following.id) if following
                            else url_for("aftercare.calls"))
        return _call_page(followup, form, 422)
    return _call_page(followup, form, 422 if request.method == "POST" else 200)


def _call_page(followup: FollowUp, form: CallForm, status: int = 200):
    job = followup.job
    events = list(job.events) if job is not None else []
    return render_template("aftercare/call.html", f=followup, form=form, job=job, events=events,
                           complaint=followup.complaint), status


# -- contact log ---------------------------------------------------------------------


@bp.route("/contacts", methods=["GET", "POST"])
def contact_log():
    """Log a call or visit that is not a complaint, and see the latest ones counted by kind."""
    form = ContactForm()
    status = 200
    if form.validate_on_submit():
        try:
            contacts.log(current_user, kind=form.kind.data, note=form.note.data or "", channel=form.channel.data,
                         phone=form.phone.data or "", name=form.name.data or "",
                         job=(form.job.data or "").strip() or None)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_errors(form, exc)
            status = 422
        else:
            flash(_("Contact logged."), "success")
            return redirect(url_for("aftercare.contact_log"))
    elif request.method == "POST":
        status = 422
    return render_template("aftercare/contacts.html", form=form, entries=contacts.recent(current_user),
                           counts=contacts.counts(current_user),
                           today_counts=contacts.counts(current_user,
                                                        since=local_today(current_user.service_point))), status


# -- the public follow-up page ---------------------------------------------------------


@bp.route("/f/<token>", methods=["GET", "POST"])
def public_answer(token: str):
    """The one question the pickup receipt's link and QR code lead to (no sign-in, no
    personal data; one answer per job)."""
    followup = followups.by_token(token)
    if followup is None:
        abort(404, description=_("This link is not valid."))
    form = PublicAnswerForm()
    status = 200
    if followup.status == "open" and form.validate_on_submit():
        try:
            followups.record(followup, None, outcome="reached", satisfaction=form.satisfaction.data,
                             comment=form.comment.data or "", channel="online")
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            followup = followups.by_token(token)
            apply_domain_errors(form, exc)
            status = 422
        else:
            return redirect(url_for("aftercare.public_answer", token=token))
    elif request.method == "POST" and followup.status == "open":
        status = 422
    sp = followup.service_point
    return render_template("aftercare/public.html", f=followup, form=form, shop=sp.name,
                           handset=" ".join(p for p in ((followup.job.brand, followup.job.model)
                                                        if followup.job else ()) if p)), status


