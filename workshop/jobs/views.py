from flask import Blueprint, render_template, request
from flask_login import current_user

from workshop.jobs import loading as job_service
from workshop.jobs import panels
from workshop.jobs import search as job_search
from workshop.jobs.forms import JobSearchForm
from workshop.jobs.notes import EVENT_KINDS, event_note

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
# A history note in the reader's language (the job page, after-sales pages).
bp.add_app_template_global(event_note, "event_note")
bp.add_app_template_global(EVENT_KINDS, "job_event_words")


#: Jobs a page of the search shows (a counter screen's worth).
SEARCH_PAGE = 25


@bp.route("/")
def search():
    """The jobs at one's service points, newest first: all of them, or those the text
    typed finds (number, IMEI or serial, the customer's phone or its last four digits,
    words of the name or of the fault; see workshop/jobs/search.py)."""
    form = JobSearchForm(request.args)
    rows, next_after = [], None
    if form.validate():
        rows, next_after = job_search.search(current_user, q=form.q.data, after=form.after.data,
                                             limit=SEARCH_PAGE)
    return render_template("jobs/search.html", form=form, rows=rows, next_after=next_after,
                           first_page=form.after.data is not None), 422 if form.errors else 200


@bp.route("/<number>")
def detail(number: str):
    return job_page(job_service.get_job(current_user, number, shown=True))


def job_page(job, *, forms: dict[str, dict] | None = None, status: int = 200):
    """The job page with every registered panel (``forms``: panel name -> bound forms
    with errors, after a refused submission)."""
    return render_template("jobs/detail.html", job=job, panels=panels.for_job(job, forms)), status
