"""Jobs API: intake (``POST /api/v1/jobs``), one job with its history, and the list."""

from __future__ import annotations

from flask import request, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from workshop.intake import take_in as intake_service
from workshop.intake.api import IntakeIn, request_from
from workshop.jobs import loading as job_service
from workshop.jobs import search as job_search
from workshop.jobs.schemas import JobListItemSchema, JobSchema, JobWithEventsSchema
from workshop.sqlite_tx import reads_first
from workshop.web import idempotent

blp = Blueprint("api_jobs", __name__, url_prefix="/api/v1", description="Jobs")

IDEMPOTENCY_HEADER = {
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"},
    "description": "The same key returns the first answer and creates nothing new.",
}


class JobListQuery(Schema):
    status = fields.String(metadata={"description": "One status, or several separated by commas."})
    engineer = fields.String(metadata={"description": "Username of the assigned engineer."})
    q = fields.String(metadata={"description": "Job number, IMEI or serial, customer phone or name."})
    after = fields.Integer(metadata={"description": "Cursor: the `next` of the previous page."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=job_search.MAX_LIMIT))


class JobPage(Schema):
    items = fields.List(fields.Nested(JobListItemSchema),
                        metadata={"description": "Each job in short; the whole job is at its `url`."})
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page, or null."})


@blp.route("/jobs")
class Jobs(MethodView):
    @blp.arguments(JobListQuery, location="query")
    @blp.response(200, JobPage)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, args):
        """Jobs at the caller's service points, newest first, filtered and paginated."""
        items, after = job_search.search(current_user, statuses=[args.get("status")] if args.get("status") else None,
                                         engineer=args.get("engineer"), q=args.get("q"),
                                         after=args.get("after"), limit=args["limit"])
        next_url = None
        if after is not None:
            query = {k: v for k, v in request.args.items() if k != "after"}
            next_url = url_for("api_jobs.Jobs", **query, after=after)
        return {"items": items, "next": next_url}

    @reads_first  # the intake takes the write lock for its inserts only (workshop/sqlite_tx.py)
    @blp.arguments(IntakeIn)
    @blp.response(201, JobSchema)
    @blp.doc(security=[{"bearerAuth": []}], parameters=[IDEMPOTENCY_HEADER])
    def post(self, body):
        """Take a handset in (front-desk intake); answers the new job.

        422 with per-field ``errors`` (``device.imei``, ``customer.phone``...) when
        anything is wrong; nothing is written then.  A blocked IMEI needs
        ``blocked_override_reason`` from a manager.
        """
        intake_request = request_from(body)

        @idempotent("api.jobs.create", location=lambda answer: url_for("api_jobs.JobByNumber",
                                                                       number=answer["number"]))
        def create():
            job = intake_service.take_in(current_user, intake_request)
            return JobSchema().dump(job), 201

        return create


@blp.route("/jobs/<number>")
class JobByNumber(MethodView):
    @blp.response(200, JobWithEventsSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, number):
        """One job with its events (404 unknown, 403 another service point's)."""
        job = job_service.get_job(current_user, number)
        return job
