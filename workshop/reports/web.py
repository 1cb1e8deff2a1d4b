"""What the report pages, the API and the CLI share: reading the period and the
service points from a request, and the figures' names in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from workshop.services.clock import local_today

from . import dashboard
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
]

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
    out = dashboard.for_user(current_user, better={f.key: f.better for f in FIGURES},
                             labels={"received": _("Jobs received per day"),
                                     "turnaround": _("Median days to ready, by day of collection")})
    out["names"] = [f for f in FIGURES if f.key in dashboard.HOME_FIGURES]
    return out


__all__ = ["DRILL_TITLES", "FIGURES", "PRESET_NAMES", "home_dashboard", "my_codes", "report_args", "trend"]
