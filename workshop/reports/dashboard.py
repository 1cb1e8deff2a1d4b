"""The manager's home page: today's and this month's figures against the previous
period, the charts a manager looks at, and what is overdue."""

from __future__ import annotations

import datetime as dt

from models import User
from workshop.core.clock import local_today

from . import charts, kpis
from .period import Period, preset, scope_for

#: The figures the home page shows (the KPI page shows them all).
HOME_FIGURES = ("jobs_received", "jobs_collected", "turnaround_days_median", "on_time_rate",
                "first_time_fix_rate", "revenue", "ready_uncollected", "complaints_received",
                "complaints_per_100_jobs", "responded_on_time_rate", "satisfaction_average", "satisfied_rate")


def trend(now, before, better: str) -> dict | None:
    """Arrow against the previous period: ``{"arrow": "up"|"down"|"flat", "good": bool|None, "before"}``."""
    try:
        a, b = float(now), float(before)
    except (TypeError, ValueError):
        return None
    arrow = "up" if a > b else "down" if a < b else "flat"
    return {"arrow": arrow, "good": None if not better or arrow == "flat" else arrow == better, "before": before}


def for_user(user: User, *, now: dt.datetime | None = None, better: dict[str, str] | None = None,
             more_figures=None, extra_charts=None, labels: dict | None = None) -> dict:
    """Figures for today and this month (with the previous period's and the trend),
    and the month's charts, over all of ``user``'s service points.

    ``better`` says per figure whether up or down is good; ``more_figures`` adds figures of
    other domains; ``labels`` titles the charts in the reader's language."""
    better = better or {}
    labels = labels or {}
    scope = scope_for(user)
    today = local_today(user.service_point, now)
    periods = {"today": preset("today", today), "month": preset("this_month", today)}
    out: dict = {"scope": scope, "today": today, "periods": {}}
    waiting = len(kpis.ready_waiting(scope, now))  # a figure of the moment: the same for both
    for name, period in periods.items():
        figures = kpis.compute(scope, period, now=now, detail=False, snapshot=False, more_figures=more_figures)
        figures["ready_uncollected"] = waiting
        previous = period.previous()
        before = kpis.compute(scope, previous, now=now, detail=False, snapshot=False, more_figures=more_figures)
        out["periods"][name] = {
            "period": period, "previous": previous, "figures": kpis.public(figures),
            "trends": {k: trend(figures.get(k), before.get(k), better.get(k, "")) for k in figures},
        }
    month: Period = periods["month"]
    label = (lambda d: d.strftime("%d"))
    out["charts"] = {
        "received": charts.bar_chart(labels.get("received", "Jobs received per day"),
                                     [(label(d), n) for d, n in kpis.received_per_day(scope, month)]),
        "turnaround": charts.line_chart(labels.get("turnaround", "Median days to ready"),
                                        [(label(d), v) for d, v in kpis.turnaround_per_day(scope, month)]),
    }
    if extra_charts is not None:
        out["charts"].update(extra_charts(scope, month, labels))
    return out
