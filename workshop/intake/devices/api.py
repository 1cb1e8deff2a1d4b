"""GET /api/v1/imei/{value}: what a scanned or typed IMEI is (CONTRACT.md)."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from workshop.intake import take_in as intake_service

blp = Blueprint("api_imei", __name__, url_prefix="/api/v1", description="IMEI check")


class ImeiOut(Schema):
    input = fields.String()
    imei = fields.String(metadata={"description": "The value as normalised (separators removed)."})
    valid = fields.Boolean()
    kind = fields.String(metadata={"description": "imei | imeisv | meid | unknown"})
    code = fields.String(metadata={"description": "Stable key of the reason (ok, bad_check_digit, imeisv...)."})
    reason = fields.String(allow_none=True)
    suggestion = fields.String(allow_none=True, metadata={"description": "The full IMEI, when it can be worked out."})
    tac = fields.String(allow_none=True)
    tac_known = fields.Boolean()
    brand = fields.String(allow_none=True)
    model = fields.String(allow_none=True)
    blocked = fields.Boolean()
    blocked_entries = fields.List(fields.Dict())
    blocked_message = fields.String(allow_none=True)
    jobs = fields.List(fields.String(), metadata={"description": "Earlier job numbers, newest first."})
    history = fields.List(fields.Dict())
    open_job = fields.String(allow_none=True)
    jobs_next = fields.String(allow_none=True, metadata={
        "description": "When ``jobs`` stops at its cap (50): the job list of this IMEI, a page at a time."})
    rerepair_of = fields.Dict(allow_none=True, metadata={
        "description": "The earlier job whose repair warranty this handset is back within (返修)."})


@blp.route("/imei/<path:value>")
class ImeiLookup(MethodView):
    @blp.response(200, ImeiOut)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, value):
        """Check an IMEI: validity, brand and model, blocked register, earlier jobs.

        Answers 200 even when the value is not a valid IMEI (``valid`` false, with the
        reason).  Earlier jobs are those of the caller's service points.
        """
        found = intake_service.lookup_imei(current_user, value)
        # The history is capped; past the cap the job list pages through the rest (by id).
        found["jobs_next"] = None
        if found["history_capped"]:
            found["jobs_next"] = url_for("api_jobs.Jobs", q=found["imei"] or found["suggestion"],
                                         after=found["history_last_id"])
        return found
