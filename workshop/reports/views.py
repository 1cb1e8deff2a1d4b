"""Report pages for managers: the KPI page with its charts and tables, the drill-down
lists behind each figure, CSV of every table and the month's workbook."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from labels.complaint_report import MonthlyComplaintReport, Section, monthly_report_pdf
from models import ServicePoint, ValidationError, db
from workshop.core.clock import local_today
from workshop.sqlite_tx import write_intent

from . import charts, exports, kpis
from . import complaints as complaint_reports
from .period import Scope, month_of
from .web import (
    COMPLAINT_DRILL_TITLES,
    DRILL_TITLES,
    FIGURES,
    PRESET_NAMES,
    care_words,
    my_codes,
    report_args,
    trend,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _or_dash(value):
    """A figure for the printed report: "-" only when there is none (0 is a figure)."""
    return "-" if value is None else value


def _csv(name: str, header, rows) -> Response:
    return Response(exports.csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}.csv"})


def kpi_charts(figures: dict, scope, period) -> dict:
    """The SVG charts of a KPI page (jobs per day, turnaround)."""
    received = kpis.received_per_day(scope, period)
    collected = kpis.collected_per_day(scope, period)
    turnaround = kpis.turnaround_per_day(scope, period)
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
    extra = complaint_reports.kpi_extra()
    figures = kpis.compute(scope, period, detail=detail, more_figures=extra)
    before = kpis.compute(scope, period.previous(), detail=False, snapshot=False, more_figures=extra)
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
    if request.args.get("format") == "csv":
        return Response(_streamed_drill(figure, scope.ids, period), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={figure}-{period.start}-"
                                                        f"{period.end}.csv"})
    per_page = _per_page()
    result = kpis.drill(figure, scope, period, after=request.args.get("after"), limit=per_page)
    return render_template("reports/drill.html", result=result, title=DRILL_TITLES[figure], figure=figure,
                           scope=scope, period=period, query=_query(scope, period), per_page=per_page,
                           first_page=not request.args.get("after"))


def _streamed_drill(figure: str, sp_ids: list[int], period):
    """Every row of a drill-down list as CSV lines, a page at a time: the list may have
    tens of thousands.  The lines are written after the view has returned, so in an
    app context (and a reading transaction) of their own."""
    app = current_app._get_current_object()

    def lines():
        with app.app_context(), write_intent(False):
            scope = Scope(tuple(db.session.scalars(select(ServicePoint).where(ServicePoint.id.in_(sp_ids))
                                                   .order_by(ServicePoint.code))))
            try:
                yield from exports.csv_lines(
                    ["number", "counted", "received_on", "ready_on", "collected_on", "promised_by",
                     "days_to_ready", "age_days", "total"],
                    ([r.get("number"), r.get("counted"), r.get("received_on"), r.get("ready_on"),
                      r.get("collected_on"), r.get("promised_by"), r.get("days_to_ready"), r.get("age_days"),
                      r.get("total")] for r in kpis.drill_rows(figure, scope, period)))
            finally:
                db.session.rollback()
    return lines()


def _per_page() -> int:
    """``per_page`` from the query string (default :data:`DRILL_PAGE_ROWS`).  Raises ValidationError."""
    value = (request.args.get("per_page") or "").strip()
    if not value:
        return DRILL_PAGE_ROWS
    try:
        return int(value)
    except ValueError:
        raise ValidationError(_("Not a page size."), errors={"per_page": [_("Not a number: %(value)s.", value=repr(value))]}) from None


KPI_TABLES = ("kpis", "parts", "engineers", "ageing")
#: Rows a drill-down page shows by default (``per_page``, up to kpis.MAX_PAGE); the CSV has them all.
DRILL_PAGE_ROWS = 100


@bp.route("/<table>.csv")
def table_csv(table):
    if table not in KPI_TABLES:
        abort(404)
    scope, period = report_args()
    figures = kpis.compute(scope, period, more_figures=complaint_reports.kpi_extra())
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
    memo: dict = {}
    figures = kpis.compute(scope, month, more_figures=complaint_reports.kpi_extra(memo=memo))
    sheets = []
    for table, title in (("kpis", "KPIs"), ("parts", "Parts"), ("engineers", "Engineers"),
                         ("ageing", "Ready ageing")):
        header, rows = kpi_table(table, figures)
        sheets.append((title, header, rows))
    header, rows = complaint_table(complaint_reports.statistics(scope, month, memo=memo))
    sheets.append(("Complaints", header, rows))
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
        raise ValidationError(_("Not a month."), errors={
            "month": [_("Not a month: %(value)s; write YYYY-MM.", value=repr(value))]}) from None


@bp.route("/workbook.xlsx")
def workbook():
    scope, _period = report_args({k: v for k, v in request.args.items() if k == "service_point"})
    month = month_from_args(local_today(current_user.service_point))
    data = exports.workbook(month_sheets(scope, month))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=workshop-{month.start:%Y-%m}.xlsx"})


# --------------------------------------------------------------------------- complaints (投诉案件统计表)

COMPLAINT_HEADER = ["month", "category", "level", "received", "founded", "closed", "responded_on_time", "overdue",
                    "avg_days_to_close", "remedy_cost", "channels"]


def complaint_table(stats: dict) -> tuple[list[str], list[list]]:
    """The statistics table as the CSV and the workbook write it."""
    return COMPLAINT_HEADER, [[r["month"], r["category"], r["level"], r["received"], r["founded"], r["closed"],
                               r["responded_on_time"], r["overdue"], r["avg_days_to_close"], r["remedy_cost"],
                               "; ".join(f"{k}={v}" for k, v in sorted(r["channels"].items()))]
                              for r in stats["rows"]]


def complaint_charts(stats: dict, scope, period) -> dict:
    return {
        "categories": charts.hbar_chart(_("Complaints by category"),
                                        [(str(care_words()["category"].get(k, k)), n) for k, n in
                                         complaint_reports.by_category(stats)]),
        "satisfaction": charts.line_chart(_("Satisfaction (average 1-5) by month"),
                                          complaint_reports.satisfaction_by_month(scope, period.end), top=5),
    }


@bp.route("/complaints")
def complaints():
    scope, period = report_args()
    memo: dict = {}
    stats = complaint_reports.statistics(scope, period, memo=memo)
    figures = complaint_reports.kpi_figures(scope, period, memo=memo)
    return render_template("reports/complaints.html", stats=stats, figures=figures, scope=scope, period=period,
                           charts=complaint_charts(stats, scope, period), presets=PRESET_NAMES,
                           query=_query(scope, period), my_codes=my_codes(), words=care_words(),
                           root_causes=complaint_reports.root_causes(scope, period, memo=memo))


@bp.route("/complaints.csv")
def complaints_csv():
    scope, period = report_args()
    header, rows = complaint_table(complaint_reports.statistics(scope, period))
    return _csv(f"complaints-{period.start}-{period.end}", header, rows)


@bp.route("/complaints/list/<figure>")
def complaint_list(figure):
    if figure not in complaint_reports.COMPLAINT_DRILLS:
        abort(404)
    scope, period = report_args()
    result = complaint_reports.drill(figure, scope, period)
    if request.args.get("format") == "csv":
        return _csv(f"{figure}-{period.start}-{period.end}",
                    ["number", "counted", "registered_on", "channel", "category", "level", "status",
                     "responded_on_time", "closed", "remedy_cost"],
                    [[r["case"].number, r["counted"], r["case"].registered_on, r["case"].channel, r["case"].category,
                      r["case"].level, r["case"].status, r["case"].responded_on_time, r["case"].closed,
                      r["case"].remedy_cost] for r in result["rows"]])
    return render_template("reports/complaint_list.html", result=result, figure=figure, scope=scope,
                           period=period, query=_query(scope, period), words=care_words(),
                           title=COMPLAINT_DRILL_TITLES[figure])


@bp.route("/satisfaction")
def satisfaction_list():
    scope, period = report_args()
    rows = complaint_reports.answers(scope, period)
    if request.args.get("format") == "csv":
        return _csv(f"satisfaction-{period.start}-{period.end}", ["answered_at", "kind", "satisfaction", "comment"],
                    [[r.answered_at, r.kind, r.satisfaction, r.comment] for r in rows])
    return render_template("reports/satisfaction_list.html", rows=rows, scope=scope, period=period,
                           query=_query(scope, period), figures=complaint_reports.satisfaction(scope, period))


def monthly_report(scope, month) -> bytes:
    """The monthly complaint report (客户投诉情况及处理月报) for ``month`` as A4 PDF bytes."""
    memo: dict = {}
    stats = complaint_reports.statistics(scope, month, memo=memo)
    figures = complaint_reports.kpi_figures(scope, month, memo=memo)
    w = care_words()
    t = stats["totals"]
    rate = (lambda v: "-" if v is None else f"{v * 100:.1f}%")
    table_rows = [[r["month"], w["category"].get(r["category"], r["category"]), w["level"].get(r["level"], r["level"]),
                   ", ".join(f"{w['channel'].get(k, k)} {v}" for k, v in sorted(r["channels"].items())),
                   r["received"], r["founded"], r["closed"], r["responded_on_time"], r["overdue"],
                   "-" if r["avg_days_to_close"] is None else r["avg_days_to_close"], r["remedy_cost"]]
                  for r in stats["rows"]]
    serious = complaint_reports.open_serious(scope, month.end)
    report = MonthlyComplaintReport(
        title=_("Monthly complaint report %(month)s", month=month.start.strftime("%Y-%m")),
        subtitle=" · ".join(f"{sp.code} {sp.name}" for sp in scope.service_points),
        footer=_("Printed %(date)s", date=dt.date.today().isoformat()),
        sections=[
            Section(_("Summary"), "pairs", [
                (_("Complaints received"), t["received"]), (_("Founded"), t["founded"]),
                (_("Closed"), t["closed"]), (_("Answered within 24 hours"), rate(t["responded_on_time_rate"])),
                (_("Overdue"), t["overdue"]), (_("Average days to close"), _or_dash(t["avg_days_to_close"])),
                (_("Remedy cost"), t["remedy_cost"]),
                (_("Complaints per 100 jobs"), _or_dash(figures["complaints_per_100_jobs"])),
                (_("Satisfaction (average 1-5)"), _or_dash(figures["satisfaction_average"])),
                (_("Satisfied (4-5)"), rate(figures["satisfied_rate"]))]),
            Section(_("Complaint statistics table"), "table", table_rows,
                    header=[_("Month"), _("Category"), _("Level"), _("Channel"), _("Received"), _("Founded"),
                            _("Closed"), _("Answered on time"), _("Overdue"), _("Days to close"), _("Remedy cost")],
                    col_widths=[14, 18, 16, 34, 12, 12, 12, 14, 12, 14, 16], empty=_("No complaint this month.")),
            Section(_("Complaints by category"), "bars",
                    [(w["category"].get(k, k), n) for k, n in complaint_reports.by_category(stats)],
                    empty=_("No complaint this month.")),
            Section(_("Satisfaction (average 1-5) by month"), "bars",
                    [(m, v) for m, v in complaint_reports.satisfaction_by_month(scope, month.end, 6) if v is not None],
                    empty=_("No answer yet.")),
            Section(_("Top root causes"), "bars",
                    [(w["root_cause"].get(k, k), n)
                     for k, n in complaint_reports.root_causes(scope, month, memo=memo)],
                    empty=_("No case closed with a root cause.")),
            Section(_("Open serious and critical cases"), "table",
                    [[c.number, c.registered_on, w["level"].get(c.level, c.level),
                      w["category"].get(c.category, c.category), w["status"].get(c.status, c.status), c.owner or "-"]
                     for c in serious],
                    header=[_("Complaint"), _("Registered"), _("Level"), _("Category"), _("Status"), _("Owner")],
                    empty=_("None open.")),
        ])
    return monthly_report_pdf(report)


@bp.route("/complaints.pdf")
def complaints_pdf():
    scope, _period = report_args({k: v for k, v in request.args.items() if k == "service_point"})
    month = month_from_args(local_today(current_user.service_point))
    return Response(monthly_report(scope, month), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=complaints-{month.start:%Y-%m}.pdf"})
