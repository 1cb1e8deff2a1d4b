from flask import Blueprint, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user

from models import NotFound
from workshop.jobs import scan as scan_service
from workshop.jobs import search as job_search
from workshop.jobs.forms import SEARCH_MAX
from workshop.permissions.rules import can
from workshop.reports.web import home_dashboard

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    # A manager's home page is the dashboard: the day and the month at a glance.
    dashboard = home_dashboard() if can(current_user, "reports.view") else None
    return render_template("main/index.html", dashboard=dashboard)


@bp.route("/favicon.ico")
def favicon():
    # Browsers ask for /favicon.ico on their own (a PDF tab, an old page): no 404 in the log.
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.route("/scan")
def scan():
    """The header box: a keyboard-wedge scanner types the code and Enter, or one types
    what one knows.  A job number, receipt stub, IMEI or serial opens its job; else the
    text is searched (a phone, its last four digits, a name, a word of the fault): one
    job found opens, several are listed on the jobs page.  Nothing found: back where
    one was, saying so."""
    code = request.args.get("code", "")
    try:
        job = scan_service.resolve(current_user, code)
    except NotFound as exc:
        found, _ = (job_search.search(current_user, q=code, limit=2) if code.strip() and len(code) <= SEARCH_MAX
                    else ([], None))
        if len(found) > 1:
            return redirect(url_for("jobs.search", q=code.strip()))
        if not found:
            flash(exc.message, "warning")
            return redirect(request.referrer if _same_site(request.referrer) else url_for("main.index"))
        return redirect(url_for("jobs.detail", number=found[0].number))
    return redirect(url_for("jobs.detail", number=job.number))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)
