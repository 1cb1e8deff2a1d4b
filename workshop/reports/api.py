"""Reports API (CONTRACT.md "reports"): ``GET /api/v1/reports/kpis`` and
``GET /api/v1/reports/complaints``, managers only."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from . import complaints as complaint_reports
from . import kpis
from .web import report_args

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1/reports", description="Reports (managers)")


class ReportQuery(Schema):
    from_ = fields.String(data_key="from", metadata={"description": "First local date, YYYY-MM-DD (inclusive)."})
    to = fields.String(metadata={"description": "Last local date, YYYY-MM-DD (inclusive)."})
    preset = fields.String(metadata={"description": "today, this_week, this_month, last_month (instead of dates)."})
    service_point = fields.String(metadata={"description": "One of the manager's service points (default: all)."})


def _args(args: dict) -> dict:
    return {("from" if k == "from_" else k): v for k, v in args.items()}


@blp.route("/kpis")
class Kpis(MethodView):
    @blp.arguments(ReportQuery, location="query")
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.response(200)
    def get(self, args):
        """Workshop KPIs for the period (docs/REPORTS.md defines each figure).

        422 with ``errors.from`` / ``errors.to`` for a malformed date, ``from`` after
        ``to`` or a range over 400 days; 403 for a service point not the caller's.
        """
        scope, period = report_args(_args(args))
        return kpis.public(kpis.compute(scope, period, more_figures=complaint_reports.kpi_extra()))


@blp.route("/complaints")
class Complaints(MethodView):
    @blp.arguments(ReportQuery, location="query")
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.response(200)
    def get(self, args):
        """投诉案件统计表: complaints registered in the period by month, category and level,
        with channels, received, founded, closed, answered on time, overdue, average
        days to close and remedy cost; ``totals`` with the on-time and resolution rates.

        422 for a bad period, 403 for a service point not the caller's.
        """
        scope, period = report_args(_args(args))
        return complaint_reports.statistics(scope, period)
