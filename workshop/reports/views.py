"""Report pages for managers: the KPI page with its charts and tables, the drill-down
lists behind each figure, CSV of every table and the month's workbook."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from models import ValidationError
from workshop.services.clock import local_today

from . import charts, exports, kpis
from .period import month_of
from .web import DRILL_TITLES, FIGURES, PRESET_NAMES, my_codes, report_args, trend

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _csv(name: str, header, rows) -> Response:
    return Response(exports.csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}.csv"})


def kpi_charts(figures: dict, scope, period) -> dict:
    """The SVG charts of a KPI page (jobs per day, turnaround)."""
    received = kpis.received_per_day(scope, period)
    collected = kpis.collected_per_day(scope, period)
    turnaround = kpis.turnaround_per_day(figures["_collected"], period)
    label = (lambda d: d.strftime("%m-%d"))
    return {
        "received": charts.bar_chart(_("Jobs received per day"), [(label(d), n) for d, n in received]),
        "collected": charts.bar_chart(_("Jobs collected per day"), [(label(d), n) for d, n in collected]),
        "turnaround": charts.line_chart(_("Median days to ready, by day of collection"),
                                        [(label(d), v) for d, v in turnaround]),
        "ageing": charts.hbar_chart(_("Ready, not collected, by days waiting"),
                                    [(b["bucket"], b["jobs"]) for b in figures["ready_ageing"]]),
    }


def figures_with_trend(scope, period, *, detail: bool = True) -> tuple[dict, dict]:
    figures = kpis.compute(scope, period, detail=detail)
    before = kpis.compute(scope, period.previous(), detail=False, snapshot=False)
    trends = {f.key: trend(figures.get(f.key), before.get(f.key), f.better) for f in FIGURES}
    return figures, trends


@bp.route("/")
def index():
    scope, period = report_args()
    figures, trends = figures_with_trend(scope, period)
    return render_template("reports/kpis.html", figures=figures, trends=trends, names=FIGURES, scope=scope,
                           period=period, previous=period.previous(), charts=kpi_charts(figures, scope, period),
                           presets=PRESET_NAMES, query=_query(scope, period), my_codes=my_codes())


def _query(scope, period) -> dict:
    q = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if request.args.get("service_point"):
        q["service_point"] = request.args["service_point"]
    return q


@bp.route("/jobs/<figure>")
def drill(figure):
    if figure not in kpis.DRILLS:
        abort(404)
    scope, period = report_args()
    result = kpis.drill(figure, scope, period)
    if request.args.get("format") == "csv":
        return _csv(f"{figure}-{period.start}-{period.end}",
                    ["number", "counted", "received_on", "ready_on", "collected_on", "promised_by",
                     "days_to_ready", "age_days", "total"],
                    [[r.get("number"), r.get("counted"), r.get("received_on"), r.get("ready_on"),
                      r.get("collected_on"), r.get("promised_by"), r.get("days_to_ready"), r.get("age_days"),
                      r.get("total")] for r in result["rows"]])
    return render_template("reports/drill.html", result=result, title=DRILL_TITLES[figure], figure=figure,
                           scope=scope, period=period, query=_query(scope, period))


KPI_TABLES = ("kpis", "parts", "engineers", "ageing")


@bp.route("/<table>.csv")
def table_csv(table):
    if table not in KPI_TABLES:
        abort(404)
    scope, period = report_args()
    figures = kpis.compute(scope, period)
    name = f"{table}-{period.start}-{period.end}"
    header, rows = kpi_table(table, figures)
    return _csv(name, header, rows)


def kpi_table(table: str, figures: dict) -> tuple[list[str], list[list]]:
    """The header and rows of one KPI table, as the CSV and the workbook write it."""
    if table == "kpis":
        public = kpis.public(figures)
        keys = [k for k, v in public.items() if not isinstance(v, list)]
        return ["figure", "value"], [[k, ", ".join(public[k]) if isinstance(public[k], tuple) else public[k]]
                                     for k in keys]
    if table == "parts":
        return (["sku", "name", "issued", "returned", "net", "cost"],
                [[p["sku"], p["name"], p["issued"], p["returned"], p["net"], p["cost"]] for p in figures["parts"]])
    if table == "engineers":
        return (["engineer", "name", "received", "on_bench", "passed_qc", "qc_failures", "qc_failure_rate"],
                [[e["engineer"], e["name"], e["received"], e["on_bench"], e["passed_qc"], e["qc_failures"],
                  e["qc_failure_rate"]] for e in figures["engineers"]])
    return ["days_waiting", "jobs"], [[b["bucket"], b["jobs"]] for b in figures["ready_ageing"]]


def month_sheets(scope, month) -> list:
    """The sheets of the month's workbook (KPIs and their tables)."""
    figures = kpis.compute(scope, month)
    sheets = []
    for table, title in (("kpis", "KPIs"), ("parts", "Parts"), ("engineers", "Engineers"),
                         ("ageing", "Ready ageing")):
        header, rows = kpi_table(table, figures)
        sheets.append((title, header, rows))
    return sheets


def month_from_args(default_day: dt.date):
    """The ``month=YYYY-MM`` query argument as a period (default: ``default_day``'s month).
    Raises ValidationError."""
    value = (request.args.get("month") or "").strip()
    if not value:
        return month_of(default_day)
    try:
        return month_of(dt.date.fromisoformat(value + "-01"))
    except ValueError:
        raise ValidationError("Not a month.", errors={"month": [f"Not a month: {value!r}; write YYYY-MM."]}) \
            from None


@bp.route("/workbook.xlsx")
def workbook():
    scope, _period = report_args({k: v for k, v in request.args.items() if k == "service_point"})
    month = month_from_args(local_today(current_user.service_point))
    data = exports.workbook(month_sheets(scope, month))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=workshop-{month.start:%Y-%m}.xlsx"})
