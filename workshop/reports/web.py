"""What the report pages, the API and the CLI share: reading the period and the
service points from a request, and the figures' names in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from workshop.aftercare import words
from workshop.core.clock import local_today

from . import charts, dashboard
from . import complaints as complaint_reports
from .dashboard import trend
from .period import Period, Scope, parse, scope_for


def report_args(args=None) -> tuple[Scope, Period]:
    """Scope and period from the query string (``from``, ``to``, ``preset``,
    ``service_point``) for the signed-in manager.  Raises ValidationError (422) and
    PermissionDenied (403)."""
    args = request.args if args is None else args
    scope = scope_for(current_user, args.get("service_point"))
    today = local_today(current_user.service_point)
    period = parse(args.get("from"), args.get("to"), today=today, preset_name=args.get("preset"))
    return scope, period


@dataclass(frozen=True)
class FigureName:
    key: str
    label: object
    unit: str  # count, rate, days, money, score
    better: str  # up, down or "" (neither)
    drill: str | None  # the drill-down list it links to
    endpoint: str = "reports.drill"

    def url(self, query: dict) -> str | None:
        """The list of what the figure counts, over the same period and service points."""
        if self.drill is None:
            return None
        if self.endpoint == "reports.satisfaction_list":
            return url_for(self.endpoint, **query)
        return url_for(self.endpoint, figure=self.drill, **query)


FIGURES = [
    FigureName("jobs_received", _l("Jobs received"), "count", "", "jobs_received"),
    FigureName("jobs_collected", _l("Jobs collected"), "count", "up", "jobs_collected"),
    FigureName("turnaround_days_median", _l("Turnaround to ready, median (days)"), "days", "down", "turnaround"),
    FigureName("turnaround_days_p90", _l("Turnaround to ready, 90th percentile (days)"), "days", "down",
               "turnaround"),
    FigureName("collected_days_median", _l("Intake to collection, median (days)"), "days", "down", "jobs_collected"),
    FigureName("collected_days_p90", _l("Intake to collection, 90th percentile (days)"), "days", "down",
               "jobs_collected"),
    FigureName("on_time_rate", _l("Ready by the promised date"), "rate", "up", "on_time_rate"),
    FigureName("first_time_fix_rate", _l("First-time fix rate"), "rate", "up", "first_time_fix_rate"),
    FigureName("rerepair_rate", _l("Re-repair rate"), "rate", "down", "rerepair_rate"),
    FigureName("warranty_share", _l("Warranty share"), "rate", "", "warranty_share"),
    FigureName("revenue", _l("Revenue"), "money", "up", "revenue"),
    FigureName("parts_cost", _l("Parts cost"), "money", "", "revenue"),
    FigureName("ready_uncollected", _l("Ready, not collected (now)"), "count", "down", "ready_uncollected"),
    FigureName("complaints_received", _l("Complaints received"), "count", "down", "complaints_received",
               "reports.complaint_list"),
    FigureName("complaints_per_100_jobs", _l("Complaints per 100 jobs"), "score", "down", "complaints_received",
               "reports.complaint_list"),
    FigureName("responded_on_time_rate", _l("Complaints answered within 24 hours"), "rate", "up",
               "responded_on_time_rate", "reports.complaint_list"),
    FigureName("complaints_overdue", _l("Complaints overdue"), "count", "down", "complaints_overdue",
               "reports.complaint_list"),
    FigureName("resolution_rate", _l("Complaints closed"), "rate", "up", "resolution_rate",
               "reports.complaint_list"),
    FigureName("remedy_cost", _l("Remedy cost"), "money", "down", None),
    FigureName("satisfaction_average", _l("Satisfaction (average 1-5)"), "score", "up", "satisfaction",
               "reports.satisfaction_list"),
    FigureName("satisfied_rate", _l("Satisfied (4-5)"), "rate", "up", "satisfaction", "reports.satisfaction_list"),
]

COMPLAINT_DRILL_TITLES = {
    "complaints_received": _l("Complaints received"),
    "responded_on_time_rate": _l("Complaints: answered within 24 hours marked"),
    "complaints_overdue": _l("Complaints: overdue marked"),
    "resolution_rate": _l("Complaints: closed marked"),
    "complaints_founded": _l("Complaints: founded marked"),
}


def care_words() -> dict:
    """After-sales care's words (channel, level, category...) by kind."""
    return {"channel": words.CHANNEL_WORDS, "level": words.LEVEL_WORDS, "category": words.CATEGORY_WORDS,
            "status": words.STATUS_WORDS, "root_cause": words.ROOT_CAUSE_WORDS,
            "followup_kind": words.FOLLOWUP_KIND_WORDS}

DRILL_TITLES = {
    "jobs_received": _l("Jobs received"),
    "rerepair_rate": _l("Jobs received: re-repairs marked"),
    "warranty_share": _l("Jobs received: warranty jobs marked"),
    "jobs_collected": _l("Jobs collected"),
    "turnaround": _l("Jobs collected after a repair, with their days to ready"),
    "on_time_rate": _l("Jobs collected: ready by the promised date marked"),
    "first_time_fix_rate": _l("Repairs collected: not back within the repair warranty marked"),
    "revenue": _l("Jobs collected: charged jobs marked"),
    "ready_uncollected": _l("Ready, not collected"),
}

PRESET_NAMES = {
    "today": _l("Today"),
    "this_week": _l("This week"),
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "custom": _l("Custom"),
}


def my_codes() -> list[str]:
    """Codes of every service point the signed-in manager reports on."""
    return scope_for(current_user).codes


def home_dashboard() -> dict:
    """The manager's home page figures (see :func:`dashboard.for_user`)."""
    def care_charts(scope, month, _labels):
        today = local_today(current_user.service_point)
        return {
            "categories": charts.hbar_chart(_("Complaints by category"),
                                            [(str(words.CATEGORY_WORDS.get(k, k)), n)
                                             for k, n in complaint_reports.count_by_category(scope, month)]),
            "satisfaction": charts.line_chart(_("Satisfaction (average 1-5) by month"),
                                              complaint_reports.satisfaction_by_month(scope, today), top=5),
        }

    out = dashboard.for_user(current_user, better={f.key: f.better for f in FIGURES},
                             labels={"received": _("Jobs received per day"),
                                     "turnaround": _("Median days to ready, by day of collection")},
                             more_figures=complaint_reports.kpi_extra(), extra_charts=care_charts)
    out["names"] = [f for f in FIGURES if f.key in dashboard.HOME_FIGURES]
    out["overdue"] = {"complaints": complaint_reports.open_overdue(out["scope"]),
                      "calls": complaint_reports.overdue_calls(out["scope"])}
    out["words"] = care_words()
    return out


__all__ = ["COMPLAINT_DRILL_TITLES", "DRILL_TITLES", "FIGURES", "PRESET_NAMES", "care_words", "home_dashboard",
           "my_codes", "report_args", "trend"]
