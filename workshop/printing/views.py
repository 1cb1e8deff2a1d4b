import datetime as dt

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_babel import gettext
from flask_login import current_user

import labels
from models import db
from workshop.jobs import loading as job_service
from workshop.printing import documents as printing

bp = Blueprint("printing", __name__)


def _pdf(data: bytes, filename: str) -> Response:
    # inline: the browser opens its PDF viewer, whose print dialog goes to the label printer
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _status_url() -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url.rstrip("/")
    return base + url_for("track.lookup") if "track.lookup" in current_app.view_functions else base + "/track"


# GET answers the PDF and writes nothing (a prefetch, a crawler, a preview); POST -- the
# print buttons (static/js/print.js) -- answers the same PDF and records the print event.


def _person_prints() -> bool:
    return request.method == "POST"


@bp.route("/jobs/<number>/label.pdf", methods=["GET", "POST"])
def job_label(number: str):
    job = job_service.get_job(current_user, number)
    sp = job.service_point
    size = printing.check_choice(request.args.get("size"), labels.LABEL_SIZES, sp.label_size, "size")
    data = labels.tag_labels_pdf([printing.tag_label(job)], size=size, dpi=sp.printer_dpi)
    if _person_prints():
        printing.record_print(job, current_user, "tag_label", size)
        db.session.commit()
    return _pdf(data, f"{job.number}-tag-{size}.pdf")


@bp.route("/jobs/<number>/ticket.pdf", methods=["GET", "POST"])
def job_ticket(number: str):
    job = job_service.get_job(current_user, number)
    sp = job.service_point
    fmt = printing.check_choice(request.args.get("format"), labels.RECEIPT_FORMATS, sp.receipt_format, "format")
    lang = printing.receipt_language(job)
    receipt = printing.intake_receipt(job, lang=lang, status_url=_status_url(), words=printing.receipt_words(lang))
    data = labels.receipt_pdf(receipt, fmt=fmt, dpi=sp.printer_dpi)
    if _person_prints():
        printing.record_print(job, current_user, "intake_receipt", fmt)
        db.session.commit()
    return _pdf(data, f"{job.number}-receipt-{fmt}.pdf")


@bp.route("/labels/intake.pdf", methods=["GET", "POST"])
def intake_batch():
    """All device tags of one day's intake in one PDF (``?date=YYYY-MM-DD``, default today)."""
    try:
        day = dt.date.fromisoformat(request.args["date"]) if request.args.get("date") else None
    except ValueError:
        abort(400, description=gettext("The date must look like 2026-11-22."))
    sp = current_user.service_point
    if day is None:
        from zoneinfo import ZoneInfo

        day = dt.datetime.now(ZoneInfo(sp.timezone)).date()
    size = printing.check_choice(request.args.get("size"), labels.LABEL_SIZES, sp.label_size, "size")
    jobs = printing.jobs_received_on(current_user, day)
    if not jobs:
        abort(404, description=f"No handsets were taken in on {day.isoformat()}.")
    data = labels.tag_labels_pdf([printing.tag_label(j) for j in jobs], size=size, dpi=sp.printer_dpi)
    if _person_prints():
        for job in jobs:
            printing.record_print(job, current_user, "tag_label", size)
        db.session.commit()
    return _pdf(data, f"{sp.code}-intake-{day.isoformat()}-{size}.pdf")


@bp.route("/labels/bins.pdf")
def bin_labels():
    """Part-bin labels for a shelf (``?shelf=A-01``) or for listed SKUs (``?sku=...&sku=...``)."""
    sp = current_user.service_point
    size = printing.check_choice(request.args.get("size"), labels.LABEL_SIZES, sp.label_size, "size")
    parts_to_print = printing.parts_on_shelf(request.args.get("shelf"), request.args.getlist("sku"))
    if not parts_to_print:
        abort(404, description=gettext("No parts are stored there."))
    data = printing.bin_labels_pdf(parts_to_print, size=size, dpi=sp.printer_dpi)
    what = request.args.get("shelf") or parts_to_print[0].sku
    return _pdf(data, f"bins-{what}-{size}.pdf")
