from flask import Blueprint, render_template
from flask_login import current_user

from workshop.jobs import loading as job_service

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.route("/<number>")
def detail(number: str):
    job = job_service.get_job(current_user, number, shown=True)
    return render_template("jobs/detail.html", job=job)
