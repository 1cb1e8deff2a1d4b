"""The pickup counter, the list of handsets waiting to be collected, the pickup
receipt, the loaner pool and the outbox.  Views are thin: validate, call one
service, commit, redirect or render."""

from __future__ import annotations

import datetime as dt
import io

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from models import (
    ChargeKind,
    DomainError,
    FollowUp,
    Job,
    JobStatus,
    LoanerLoan,
    NotFound,
    OutboxMessage,
    OutboxStatus,
    ServicePoint,
    db,
    utcnow,
)
from models.jobs import open_jobs
from workshop.core import clock, csvio
from workshop.core.scoping import get_scoped
from workshop.forms import apply_domain_errors
from workshop.intake.forms import ACCESSORY_LABELS
from workshop.jobs import loading as job_service
from workshop.jobs import notes
from workshop.jobs import panels as job_panels
from workshop.jobs import scan as scan_service
from workshop.notifications import cli as sender
from workshop.notifications import outbox as notifications
from workshop.permissions.rules import can
from workshop.pickup import collection as pickup_service
from workshop.pickup import loaners as loaner_service
from workshop.sqlite_tx import writes
from workshop.web import attempt

from .forms import (
    ActionForm,
    ChargeForm,
    CollectForm,
    DepositForm,
    LendForm,
    LoanerForm,
    RetireForm,
    ReturnForm,
    ScanForm,
    VerifyForm,
)

bp = Blueprint("pickup", __name__)

#: How long a verification at the counter stays good for the hand-over.
VERIFIED_FOR = dt.timedelta(minutes=15)
_SESSION_KEY = "pickup_verified"


# -- verification kept between the verify and collect steps ----------------------


def _remember_verification(number: str, verification: pickup_service.Verification) -> None:
    kept = {k: v for k, v in session.get(_SESSION_KEY, {}).items() if _fresh(v)}
    kept[number] = {"method": str(verification.method), "stub_code": verification.stub_code,
                    "phone_last4": verification.phone_last4, "id_checked": bool(verification.id_checked),
                    "user": current_user.id, "at": utcnow().isoformat()}
    session[_SESSION_KEY] = kept


def _fresh(entry: dict) -> bool:
    try:
        at = dt.datetime.fromisoformat(entry["at"])
    except (KeyError, TypeError, ValueError):
        return False
    return utcnow() - at < VERIFIED_FOR and entry.get("user") == current_user.id


def _verification(number: str) -> pickup_service.Verification | None:
    entry = session.get(_SESSION_KEY, {}).get(number)
    if not entry or not _fresh(entry):
        return None
    return pickup_service.Verification(method=entry["method"], stub_code=entry.get("stub_code") or "",
                                       phone_last4=entry.get("phone_last4") or "",
                                       id_checked=bool(entry.get("id_checked")))


def _forget_verification(number: str) -> None:
    kept = dict(session.get(_SESSION_KEY, {}))
    if kept.pop(number, None) is not None:
        session[_SESSION_KEY] = kept


# -- the counter ---------------------------------------------------------------------


def _accessory_choices(job) -> list[SelectChoice]:
    return [SelectChoice(a, accessory_label(a)) for a in (job.accessories or [])]


def accessory_label(code: str) -> str:
    return str(ACCESSORY_LABELS.get(code, code))


@bp.route("/pickup")
@writes  # a scan is recorded on the job
def counter():
    """Scan a ticket: the job opens at the pickup step."""
    form = ScanForm(request.args if "code" in request.args else None)
    if "code" in request.args and form.validate():
        try:
            job = scan_service.resolve(current_user, form.code.data)
        except NotFound as exc:
            form.code.errors.append(exc.message)
        else:
            # The handset was taken off the shelf for its owner: the scan is part of its history.
            job.add_event("scan", current_user, note=notes.note("pickup_scan"),
                          data={"code": form.code.data.strip(), "where": "pickup_counter"})
            db.session.commit()
            return redirect(url_for("pickup.job", number=job.number))
    shelf = pickup_service.shelf_page(current_user.service_point_ids, limit=15)
    return render_template("pickup/counter.html", form=form, waiting=shelf.waiting, waiting_count=shelf.total)


def _job_page(job, *, verify_form=None, collect_form=None, charge_forms=None, status=200):
    verification = _verification(job.number)
    current = pickup_service.bill(job)
    if verify_form is None:
        verify_form = VerifyForm()
    if collect_form is None:
        collect_form = CollectForm(formdata=None)
        collect_form.amount.data = current.balance if current.balance else None
        collect_form.accessories.data = list(job.accessories or [])
    collect_form.accessories.choices = _accessory_choices(job)
    charge_forms = charge_forms or {}
    for kind in ChargeKind:
        if kind.value not in charge_forms:
            form = ChargeForm(formdata=None, kind=kind.value)
            row = pickup_service.current_charge(job, kind)
            form.amount.data = row.amount if row is not None else None
            form.reason.data = row.reason if row is not None else ""
            charge_forms[kind.value] = form
    failed = pickup_service.failed_verifications(job, since=utcnow() - dt.timedelta(hours=24))
    return render_template(
        "pickup/job.html", job=job, bill=current, verification=verification, verify_form=verify_form,
        collect_form=collect_form, charge_forms=charge_forms, loan=loaner_service.open_loan(job),
        record=pickup_service.pickup_record(job), failed_attempts=failed,
        collectable=job.job_status in pickup_service.COLLECTABLE,
        payments=pickup_service.payments(job),
    ), status


@bp.route("/pickup/<number>")
def job(number: str):
    return _job_page(job_service.get_job(current_user, number))


@bp.route("/pickup/<number>/verify", methods=["POST"])
def verify(number: str):
    job = job_service.get_job(current_user, number)
    form = VerifyForm()
    if not form.validate_on_submit():
        return _job_page(job, verify_form=form, status=422)
    verification = pickup_service.Verification(
        method=form.method.data, stub_code=form.stub_code.data or "", phone_last4=form.phone_last4.data or "",
        id_checked=form.id_checked.data)
    try:
        pickup_service.check_collectable(job)
        pickup_service.verify(job, verification)
    except pickup_service.VerificationFailed as exc:
        db.session.rollback()
        pickup_service.log_failed_verification(current_user, job, exc, verification)
        db.session.commit()
        _forget_verification(job.number)
        apply_domain_errors(form, exc)
        return _job_page(job, verify_form=form, status=exc.status)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_errors(form, exc)
        return _job_page(job, verify_form=form, status=exc.status)
    _remember_verification(job.number, verification)
    flash(_("Customer verified. Check the bill with them and take the payment."), "success")
    return redirect(url_for("pickup.job", number=job.number))


@bp.route("/pickup/<number>/charges", methods=["POST"])
def charges(number: str):
    job = job_service.get_job(current_user, number)
    form = ChargeForm()
    if form.validate_on_submit():
        try:
            pickup_service.set_charge(job, current_user, form.kind.data, form.amount.data, form.reason.data or "")
            db.session.commit()
        except (DomainError, ValueError) as exc:
            db.session.rollback()
            if isinstance(exc, DomainError):
                apply_domain_errors(form, exc)
            else:
                form.kind.errors = [str(exc)]
        else:
            flash(_("The bill was updated."), "success")
            return redirect(url_for("pickup.job", number=job.number))
    return _job_page(job, charge_forms={form.kind.data or "": form}, status=422)


@bp.route("/pickup/<number>/collect", methods=["POST"])
def collect(number: str):
    job = job_service.get_job(current_user, number, for_update=True)
    form = CollectForm()
    form.accessories.choices = _accessory_choices(job)
    verification = _verification(job.number)
    if verification is None:
        flash(_("Verify the customer first (the verification is good for 15 minutes)."), "warning")
        return redirect(url_for("pickup.job", number=job.number))
    if not form.validate_on_submit():
        return _job_page(job, collect_form=form, status=422)
    payment = None
    if form.amount.data is not None or form.method.data:
        payment = pickup_service.PaymentInput(method=form.method.data or "",
                                              amount=form.amount.data if form.amount.data is not None else "0",
                                              reference=form.reference.data or "")
    try:
        pickup_service.collect(job, current_user, verification=verification, payment=payment,
                               accessories_returned=form.accessories.data or [],
                               accessories_note=form.accessories_note.data or "", note=form.note.data or "")
        db.session.commit()
    except pickup_service.VerificationFailed as exc:
        db.session.rollback()
        pickup_service.log_failed_verification(current_user, job, exc, verification)
        db.session.commit()
        _forget_verification(job.number)
        flash(exc.message, "danger")
        return redirect(url_for("pickup.job", number=job.number))
    except DomainError as exc:
        db.session.rollback()
        if exc.field in ("payment.amount", "payment.method"):
            target = form.amount if exc.field == "payment.amount" else form.method
            target.errors = [*target.errors, exc.message]
        elif exc.field in ("accessories_returned",):
            form.accessories.errors = [*form.accessories.errors, exc.message]
        else:
            form.form_errors.append(exc.message)
        return _job_page(job, collect_form=form, status=exc.status)
    _forget_verification(job.number)
    flash(_("Job %(number)s collected. Print the pickup receipt for the customer.", number=job.number), "success")
    return redirect(url_for("pickup.job", number=job.number))


@bp.route("/pickup/<number>/deposit", methods=["POST"])
def deposit(number: str):
    job = job_service.get_job(current_user, number)
    form = DepositForm()
    if form.validate_on_submit():
        done = attempt(lambda: pickup_service.record_deposit(job, current_user, pickup_service.PaymentInput(
            method=form.method.data, amount=form.amount.data, reference=form.reference.data or "")))
        if done:
            flash(_("Deposit of %(amount)s recorded.", amount=form.amount.data), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    return redirect(url_for("jobs.detail", number=job.number))


# -- waiting to be collected ------------------------------------------------------------


@bp.route("/pickup/uncollected")
def uncollected():
    # A page at a time, by key (longest waiting first); the balances in one go.
    page = pickup_service.shelf_page(current_user.service_point_ids, after=request.args.get("after") or None)
    bills = pickup_service.bills([w.job for w in page.waiting])
    return render_template("pickup/uncollected.html", waiting=page.waiting, total=page.total,
                           next_after=page.next_after, first_page=bool(request.args.get("after")),
                           balances={job_id: b.balance for job_id, b in bills.items()})


@bp.route("/pickup/uncollected.csv")
def uncollected_csv():
    waiting = pickup_service.waiting_for_pickup(current_user.service_point_ids)
    bills = pickup_service.bills([w.job for w in waiting])
    out = io.StringIO()
    writer = csvio.writer(out)  # a customer named "=HYPERLINK(...)" stays text
    writer.writerow(["job", "service_point", "status", "since", "days_waiting", "customer", "phone", "handset",
                     "balance", "reminders", "last_reminder", "loaner_out"])
    for w in waiting:
        job, sp = w.job, w.job.service_point
        last = pickup_service.local_today(sp, w.last_reminder_at).isoformat() if w.last_reminder_at else ""
        writer.writerow([job.number, sp.code, job.status, pickup_service.local_today(sp, w.since).isoformat(),
                         w.days, job.customer.name, job.customer.phone, f"{job.brand} {job.model}".strip(),
                         bills[job.id].balance, w.reminders, last, "yes" if w.loaner_out else "no"])
    today = dt.date.today().isoformat()
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=uncollected-{today}.csv"})


@bp.route("/pickup/reminders", methods=["POST"])
def queue_reminders():
    form = ActionForm()
    if form.validate_on_submit():
        queued = notifications.queue_reminders()
        db.session.commit()
        flash(_("%(count)s reminder(s) queued.", count=len(queued)), "success")
    return redirect(url_for("pickup.uncollected"))


# -- the pickup receipt -------------------------------------------------------------------


@bp.route("/jobs/<number>/pickup-receipt.pdf", methods=["GET", "POST"])
def receipt(number: str):
    # GET shows the PDF (a prefetch or crawler writes nothing); POST (the print button) logs the print.
    job = job_service.get_job(current_user, number)
    pdf, fmt = pickup_service.pickup_receipt_pdf(
        job, current_user, request.args.get("format"), status_url=notifications.track_url(job),
        currency=current_app.config.get("CURRENCY_SYMBOL", "¥"), reader=str(get_locale()),
        feedback_url=_feedback_url(job), record_print=request.method == "POST")
    db.session.commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{job.number}-pickup-{fmt}.pdf"'})


def _feedback_url(job) -> str:
    """The public one-question page of the job's pickup follow-up (after-sales care), if queued."""
    token = db.session.scalar(db.select(FollowUp.token).where(FollowUp.job_id == job.id, FollowUp.kind == "pickup"))
    return url_for("aftercare.public_answer", token=token, _external=True) if token else ""


# -- loaners ----------------------------------------------------------------------------


@bp.route("/loaners")
def loaners():
    show_retired = request.args.get("retired") == "1"
    pool = loaner_service.pool(current_user, include_retired=show_retired)
    open_loans = {
        loan.loaner_id: loan for loan in db.session.scalars(
            db.select(LoanerLoan).where(LoanerLoan.returned_at.is_(None),
                                        LoanerLoan.loaner_id.in_([lo.id for lo in pool] or [0])))
    }
    due = [j for j in _open_warranty_jobs() if loaner_service.entitled(j)]
    return render_template("pickup/loaners.html", pool=pool, open_loans=open_loans, show_retired=show_retired,
                           due=due)


def _open_warranty_jobs():
    waiting_statuses = [s.value for s in (JobStatus.COLLECTED, JobStatus.CANCELLED, JobStatus.READY)]
    return db.session.scalars(
        scan_service.visible_jobs(current_user)
        .where(Job.warranty_chargeable.is_(False), Job.status.notin_(waiting_statuses), open_jobs())
        .order_by(Job.received_on)).all()


@bp.route("/loaners/new", methods=["GET", "POST"])
def loaner_new():
    form = LoanerForm()
    if form.validate_on_submit():
        sp = db.session.get(ServicePoint, current_user.service_point_id)
        done = attempt(lambda: loaner_service.add_loaner(
            current_user, sp, imei=form.imei.data, brand=form.brand.data or "", model=form.model.data or "",
            condition=form.condition.data, condition_notes=form.condition_notes.data or ""), form=form)
        if done:
            loaner = done.value
            flash(_("Loaner %(imei)s added to the pool.", imei=loaner.imei), "success")
            return redirect(url_for("pickup.loaners"))
    return render_template("pickup/loaner_form.html", form=form)


@bp.route("/loaners/<int:loaner_id>")
def loaner_detail(loaner_id: int):
    loaner = loaner_service.get_loaner(current_user, loaner_id)
    history = loaner_service.history(loaner)
    open_loan = next((lo for lo in history if lo.is_open), None)
    return render_template("pickup/loaner.html", loaner=loaner, history=history, open_loan=open_loan,
                           return_form=ReturnForm(), retire_form=RetireForm())


@bp.route("/loaners/<int:loaner_id>/return", methods=["POST"])
def loaner_return(loaner_id: int):
    loaner = loaner_service.get_loaner(current_user, loaner_id, for_update=True)
    loan = next((lo for lo in loaner_service.history(loaner) if lo.is_open), None)
    form = ReturnForm()
    if loan is None:
        flash(_("This loaner is not out on loan."), "warning")
        return redirect(url_for("pickup.loaner_detail", loaner_id=loaner.id))
    if form.validate_on_submit():
        done = attempt(lambda: loaner_service.return_loaner(current_user, loan, condition=form.condition.data,
                                                            notes=form.notes.data or ""), form=form)
        if done:
            flash(_("Loaner %(imei)s returned.", imei=loaner.imei), "success")
            back = request.form.get("next")
            if back == "pickup":
                return redirect(url_for("pickup.job", number=loan.job.number))
            return redirect(url_for("pickup.loaner_detail", loaner_id=loaner.id))
    history = loaner_service.history(loaner)
    return render_template("pickup/loaner.html", loaner=loaner, history=history, open_loan=loan,
                           return_form=form, retire_form=RetireForm(formdata=None)), 422


@bp.route("/loaners/<int:loaner_id>/retire", methods=["POST"])
def loaner_retire(loaner_id: int):
    loaner = loaner_service.get_loaner(current_user, loaner_id, for_update=True)
    form = RetireForm()
    if form.validate_on_submit():
        done = attempt(lambda: loaner_service.retire(current_user, loaner, form.reason.data), form=form)
        if done:
            flash(_("Loaner %(imei)s retired.", imei=loaner.imei), "success")
            return redirect(url_for("pickup.loaners"))
    history = loaner_service.history(loaner)
    open_loan = next((lo for lo in history if lo.is_open), None)
    return render_template("pickup/loaner.html", loaner=loaner, history=history, open_loan=open_loan,
                           return_form=ReturnForm(formdata=None), retire_form=form), 422


@bp.route("/jobs/<number>/loaner", methods=["POST"])
def lend(number: str):
    job = job_service.get_job(current_user, number, for_update=True)
    form = LendForm()
    if form.validate_on_submit():
        def lend_one():
            loaner = loaner_service.get_loaner(current_user, form.loaner.data or 0, for_update=True)
            loaner_service.lend(current_user, loaner, job, notes=form.notes.data or "")
            return loaner

        done = attempt(lend_one)
        if done:
            loaner = done.value
            flash(_("Loaner %(imei)s lent on job %(number)s.", imei=loaner.imei, number=job.number), "success")
    else:
        flash(_("Choose a loaner phone to lend."), "danger")
    return redirect(url_for("jobs.detail", number=job.number))


# -- the outbox -------------------------------------------------------------------------


@bp.route("/outbox")
def outbox():
    status = request.args.get("status") or None
    if status not in {s.value for s in OutboxStatus}:
        status = None
    messages = notifications.outbox(current_user.service_point_ids, status=status)
    config = current_app.config
    senders = {"email": bool(config.get("SMTP_HOST")),
               "sms": bool(notifications.sms_sender(config).configured)}
    return render_template("pickup/outbox.html", messages=messages, status=status, senders=senders,
                           action_form=ActionForm(), statuses=[s.value for s in OutboxStatus])


@bp.route("/outbox/send", methods=["POST"])
def outbox_send():
    form = ActionForm()
    if form.validate_on_submit():
        report = sender.send_pending()
        if report.waiting and not (report.sent or report.failed or report.retrying):
            flash(_("Nothing sent: no sender is configured for the queued messages (set SMTP_HOST)."), "warning")
        else:
            flash(_("Outbox: %(report)s.", report=str(report)), "info")
    return redirect(url_for("pickup.outbox"))


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
def outbox_retry(message_id: int):
    message = get_scoped(current_user, OutboxMessage, OutboxMessage.id == message_id,
                         missing=_("There is no message %(id)s.", id=message_id))
    form = ActionForm()
    if form.validate_on_submit():
        try:
            notifications.requeue(current_user, message)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "warning")
        else:
            flash(_("Message queued again."), "success")
    return redirect(url_for("pickup.outbox"))


# -- the job page's pickup panel ---------------------------------------------------------


@bp.app_context_processor
def _panel_helpers():
    return {"accessory_label": accessory_label}


@bp.app_template_filter("sp_local")
def sp_local(value, service_point):
    """A stored UTC time as the service point's local time (for display)."""
    if value is None:
        return None
    return clock.local_now(service_point, value)


def pickup_panel(job, _forms: dict | None = None) -> dict:
    """What the job page's pickup/loaner panel shows (templates/pickup/_job_panel.html)."""
    if not (current_user.is_authenticated and can(current_user, "job.view")):
        return {}
    loans = loaner_service.loans_for(job)
    open_loan = next((loan for loan in loans if loan.returned_at is None), None)
    record = pickup_service.pickup_record(job)
    lend_form = None
    if can(current_user, "pickup") and open_loan is None and job.is_open and job.job_status not in (
            JobStatus.CANCELLED,):
        lend_form = LendForm(formdata=None)
        lend_form.loaner.choices = [SelectChoice(lo.id, f"{lo.label} · {lo.imei} · {lo.condition}")
                                    for lo in loaner_service.available(job.service_point_id)]
    return {
        "record": record,
        "bill": pickup_service.bill(job, record=record),
        "open_loan": open_loan,
        "loans": loans,
        "lend_form": lend_form,
        "deposit_form": DepositForm(formdata=None) if job.job_status != JobStatus.COLLECTED else None,
        "entitled": loaner_service.entitled(job),
        "messages": notifications.for_job(job),
        "collectable": job.job_status in pickup_service.COLLECTABLE,
    }


job_panels.register("pickup", "pickup/_job_panel.html", order=40, build=pickup_panel)
