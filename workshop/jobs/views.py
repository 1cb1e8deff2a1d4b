from flask import Blueprint, render_template
from flask_login import current_user

from workshop.jobs import loading as job_service
from workshop.jobs import panels
from workshop.jobs.notes import EVENT_KINDS, event_note

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
# A history note in the reader's language (the job page, after-sales pages).
bp.add_app_template_global(event_note, "event_note")
bp.add_app_template_global(EVENT_KINDS, "job_event_words")


@bp.route("/<number>")
def detail(number: str):
    return job_page(job_service.get_job(current_user, number, shown=True))


def job_page(job, *, forms: dict[str, dict] | None = None, status: int = 200):
    """The job page with every registered panel (``forms``: panel name -> bound forms
    with errors, after a refused submission)."""
    return render_template("jobs/detail.html", job=job, panels=panels.for_job(job, forms)), status
