"""The intake screen: a keyboard- and scanner-first form; static/js/intake.js adds
the live IMEI check and warranty preview through the JSON API."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from models import DomainError, ServicePoint, db
from workshop.intake import take_in as intake_service
from workshop.sqlite_tx import reads_first
from workshop.warranty import policies
from workshop.web import run_once

from .blueprint import bp
from .forms import IntakeForm, show_errors


def _choices(form: IntakeForm) -> None:
    sps = db.session.scalars(select(ServicePoint).where(ServicePoint.id.in_(current_user.service_point_ids))
                             .order_by(ServicePoint.code)).all()
    form.service_point.choices = [SelectChoice(sp.code, f"{sp.code} · {sp.name}") for sp in sps]
    default = policies.applicable(current_user.service_point)
    form.policy.choices = [SelectChoice("", _("Service point default: %(name)s", name=default.name))] + [
        SelectChoice(p.code, p.name) for p in policies.active_policies()]


def _request_from(form: IntakeForm) -> intake_service.IntakeRequest:
    return intake_service.IntakeRequest(
        customer_name=form.customer_name.data or "", customer_phone=form.customer_phone.data or "",
        customer_email=form.customer_email.data, customer_update=bool(form.customer_update.data),
        customer_previous_phone=form.customer_previous_phone.data or None,
        imei=form.device_imei.data, imei2=form.device_imei2.data,
        serial_number=form.device_serial_number.data, brand=form.device_brand.data, model=form.device_model.data,
        colour=form.device_colour.data, proof_kind=form.proof_kind.data, proof_number=form.proof_number.data,
        purchase_date=form.proof_purchase_date.data, proof_seller=form.proof_seller.data,
        proof_imei=form.proof_imei.data, fault_category=form.fault_category.data or "",
        fault_description=form.fault_description.data or "", component=form.fault_component.data or "handset",
        liquid_damage=form.condition_liquid_damage.data, physical_damage=form.condition_physical_damage.data,
        seals_intact=form.condition_seals_intact.data, unauthorised_repair=form.condition_unauthorised_repair.data,
        documents_altered=form.condition_documents_altered.data, condition_notes=form.condition_notes.data or "",
        accessories=form.accessories.data or [], data_disclaimer=form.consent_data_disclaimer.data,
        lock_removed=form.consent_lock_removed.data, estimate_amount=form.estimate_amount.data,
        estimate_ceiling=form.estimate_ceiling.data, promised_by=form.promised_by.data,
        policy=form.policy.data or None, service_point=form.service_point.data or None,
        blocked_override_reason=form.blocked_override_reason.data,
        open_job_override_reason=form.open_job_override_reason.data,
    )


@bp.route("/intake", methods=["GET", "POST"])
@reads_first  # the intake takes the write lock for its inserts only (workshop/sqlite_tx.py)
def new():
    """Take a handset in.  Submitting twice (same one-time token) creates one job."""
    form = IntakeForm()
    _choices(form)
    status = 200
    if request.method == "GET":
        form.intake_token.data = secrets.token_urlsafe(18)
        form.service_point.data = current_user.service_point.code
    elif form.validate_on_submit():
        intake_request = _request_from(form)

        def create():
            job = intake_service.take_in(current_user, intake_request)
            return {"number": job.number}, 201

        try:
            # The token stands for this filled-in form: a second submit opens the job made by the first.
            answer, _status, replayed = run_once(
                current_user, "intake.form", form.intake_token.data or None, {"form": "intake"}, create)
        except DomainError as exc:
            show_errors(form, exc.errors, exc.message)
            status = 422
        else:
            if replayed:
                flash(_("This intake was already submitted: job %(number)s.", number=answer["number"]), "info")
                return redirect(url_for("jobs.detail", number=answer["number"]))
            flash(_("Job %(number)s taken in. Print the ticket and the device label.",
                    number=answer["number"]), "success")
            # "Take in and print": the job page prints the tag label and the receipt at once.
            return redirect(url_for("jobs.detail", number=answer["number"], print="intake"))
    else:
        status = 422
    if not form.intake_token.data:
        form.intake_token.data = secrets.token_urlsafe(18)
    return render_template("intake/new.html", form=form), status
