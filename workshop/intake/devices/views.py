"""Manager pages for what intake looks handsets up in: the TAC table (CSV upload)
and the register of blocked IMEIs."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import DomainError, TacImport, db
from workshop.intake.blueprint import bp
from workshop.intake.devices import blocked, tac
from workshop.intake.forms import BlockedForm, LiftForm, TacUploadForm
from workshop.web import attempt


@bp.route("/devices/tac", methods=["GET", "POST"])
def tac_import():
    """Upload a TAC table (Osmocom export or plain tac,brand,model); re-import updates."""
    form = TacUploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        # Committed after each batch, so the counter keeps working meanwhile.
        done = attempt(lambda: tac.import_bytes(upload.read(), actor=current_user, filename=upload.filename or "",
                                                progress=lambda *_: db.session.commit()),
                       form=form)
        if done:
            result = done.value
            flash(_("TAC table imported: %(summary)s", summary=result.summary()),
                  "warning" if result.rejected else "success")
            return redirect(url_for("intake.tac_import_detail", import_id=result.record.id))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("intake/tac.html", form=form, count=tac.count(),
                           imports=tac.recent_imports()), status


@bp.route("/devices/tac/imports/<int:import_id>")
def tac_import_detail(import_id: int):
    record = db.session.get(TacImport, import_id)
    if record is None:
        abort(404, description=_("There is no such TAC import."))
    return render_template("intake/tac_import.html", record=record, count=tac.count())


@bp.route("/devices/blocked", methods=["GET", "POST"])
def blocked_list():
    """The blocked register: add an IMEI reported lost or stolen; see and lift entries."""
    form = BlockedForm()
    status = 200
    if form.validate_on_submit():
        done = attempt(lambda: blocked.add(current_user, form.imei.data, reason=form.reason.data,
                                           reference=form.reference.data or "", note=form.note.data or ""),
                       form=form)
        if done:
            flash(_("IMEI %(imei)s is blocked: intake of it is stopped.", imei=done.value.imei), "success")
            return redirect(url_for("intake.blocked_list"))
        status = 422
    elif form.is_submitted():
        status = 422
    show_lifted = request.args.get("lifted") == "1"
    return render_template("intake/blocked.html", form=form, lift_form=LiftForm(), show_lifted=show_lifted,
                           entries=blocked.entries(include_lifted=show_lifted)), status


@bp.route("/devices/blocked/<int:entry_id>/lift", methods=["POST"])
def blocked_lift(entry_id: int):
    form = LiftForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    try:
        entry = blocked.lift(current_user, entry_id, reason=form.lift_reason.data or "")
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        for messages in exc.errors.values():
            for message in messages:
                flash(message, "danger")
    else:
        flash(_("IMEI %(imei)s is no longer blocked.", imei=entry.imei), "success")
    return redirect(url_for("intake.blocked_list"))
