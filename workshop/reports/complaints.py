"""Complaint statistics (投诉案件统计表), the monthly complaint report's data, and the
complaint and satisfaction KPIs: every figure defined once, here (docs/REPORTS.md).

Cohort: complaints *registered* in the period (the local date of ``registered_at`` at
the complaint's service point).  Satisfaction: follow-up calls *answered* in the
period with a satisfaction score (1-5), pickup and complaint calls alike.

Read-only: nothing here writes or commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from flask_babel import gettext
from sqlalchemy import and_, case, func, or_, select

from models import Complaint, FollowUp, Remedy, User, ValidationError, db, utcnow
from models.aftercare import COMPLAINT_STATUSES
from workshop.core.clock import as_utc, local_today, zone

from . import kpis
from .period import Period, Scope, month_of

ZERO = Decimal("0.00")
SERIOUS_LEVELS = ("serious", "critical")
#: Statuses of a complaint not closed (a list the index (service_point_id, status) can serve).
OPEN_STATUSES = tuple(s for s in COMPLAINT_STATUSES if s != "closed")
#: Satisfaction scores counted as satisfied.
SATISFIED = (4, 5)


@dataclass
class Case:
    """What the complaint figures need to know about one complaint."""

    id: int
    number: str
    service_point_id: int
    registered_at: dt.datetime
    registered_on: dt.date
    channel: str
    category: str
    level: str
    status: str
    founded: bool | None
    respond_by: dt.datetime
    responded_at: dt.datetime | None
    report_by: dt.datetime | None
    reported_at: dt.datetime | None
    closed_at: dt.datetime | None
    root_cause: str | None
    remedy_cost: Decimal
    owner: str | None

    def __post_init__(self):
        # Times as aware UTC once (SQLite hands them back naive), not at every test.
        for name in ("registered_at", "respond_by", "responded_at", "report_by", "reported_at", "closed_at"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, as_utc(value))

    @property
    def month(self) -> str:
        return self.registered_on.strftime("%Y-%m")

    @cached_property
    def responded_on_time(self) -> bool:
        """Answered at or before ``respond_by`` (registration + 24 h: an answer at
        exactly 24 h is on time)."""
        return self.responded_at is not None and self.responded_at <= self.respond_by

    def overdue(self, now: dt.datetime) -> bool:
        """A deadline missed: the answer (late, or still missing after ``respond_by``)
        or, for serious and critical cases, the written report (``report_by``)."""
        now = as_utc(now)

        def missed(done, due):
            if due is None:
                return False
            return done > due if done is not None else now > due
        return missed(self.responded_at, self.respond_by) or missed(self.reported_at, self.report_by)

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    @cached_property
    def days_to_close(self) -> float | None:
        return (self.closed_at - self.registered_at).total_seconds() / 86400 if self.closed_at else None


def _remedy_cost():
    """What the remedies carried out cost: Σ amount of the complaint's ``done`` remedies."""
    return (select(func.coalesce(func.sum(Remedy.amount), 0))
            .where(Remedy.complaint_id == Complaint.id, Remedy.status == "done")
            .correlate(Complaint).scalar_subquery())


def _cases(where, scope: Scope) -> list[Case]:
    rows = db.session.execute(
        select(Complaint.id, Complaint.number, Complaint.service_point_id, Complaint.registered_at,
               Complaint.channel, Complaint.category, Complaint.level, Complaint.status, Complaint.founded,
               Complaint.respond_by, Complaint.responded_at, Complaint.report_by, Complaint.reported_at,
               Complaint.closed_at, Complaint.root_cause, _remedy_cost().label("remedy_cost"),
               User.username.label("owner"))
        .outerjoin(User, User.id == Complaint.owner_id)
        .where(where).order_by(Complaint.registered_at, Complaint.id)).all()
    zones = {sp.id: zone(sp) for sp in scope.service_points}
    return [Case(r.id, r.number, r.service_point_id, r.registered_at,
                 as_utc(r.registered_at).astimezone(zones[r.service_point_id]).date(), r.channel, r.category, r.level,
                 r.status, r.founded, r.respond_by, r.responded_at, r.report_by, r.reported_at, r.closed_at,
                 r.root_cause, Decimal(r.remedy_cost or 0).quantize(Decimal("0.01")), r.owner) for r in rows]


def registered_filter(scope: Scope, period: Period):
    return and_(Complaint.service_point_id.in_(scope.ids),
                kpis._in_period(Complaint.registered_at, scope, period)(Complaint.service_point_id))


def cases(scope: Scope, period: Period, memo: dict | None = None) -> list[Case]:
    """The complaints registered in the period, oldest first.  ``memo`` (a dict the
    caller keeps for one report) saves reading the same period twice."""
    if memo is None:
        return _cases(registered_filter(scope, period), scope)
    key = (tuple(scope.ids), period)
    if key not in memo:
        memo[key] = _cases(registered_filter(scope, period), scope)
    return memo[key]


def _avg(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _totals(group: list[Case], now: dt.datetime) -> dict:
    closed = [c for c in group if c.closed]
    on_time = sum(1 for c in group if c.responded_on_time)
    return {
        "received": len(group),
        "founded": sum(1 for c in group if c.founded),
        "closed": len(closed),
        "responded_on_time": on_time,
        "overdue": sum(1 for c in group if c.overdue(now)),
        "avg_days_to_close": _avg([c.days_to_close for c in closed if c.days_to_close is not None]),
        "remedy_cost": str(sum((c.remedy_cost for c in group), ZERO)),
    }


def statistics(scope: Scope, period: Period, *, now: dt.datetime | None = None, memo: dict | None = None) -> dict:
    """投诉案件统计表: ``{"rows": [{month, category, level, channels: {channel: n}, received,
    founded, closed, responded_on_time, overdue, avg_days_to_close, remedy_cost}],
    "by_channel": [...], "totals": {..., responded_on_time_rate, resolution_rate}}``."""
    now = now or utcnow()
    group: dict[tuple[str, str, str], list[Case]] = {}
    all_cases = cases(scope, period, memo)
    for c in all_cases:
        group.setdefault((c.month, c.category, c.level), []).append(c)
    rows = []
    for (month, category, level), members in sorted(group.items()):
        channels: dict[str, int] = {}
        for c in members:
            channels[c.channel] = channels.get(c.channel, 0) + 1
        rows.append({"month": month, "category": category, "level": level, "channels": channels,
                     **_totals(members, now)})
    by_channel: dict[str, list[Case]] = {}
    for c in all_cases:
        by_channel.setdefault(c.channel, []).append(c)
    totals = _totals(all_cases, now)
    totals["responded_on_time_rate"] = kpis.rate(totals["responded_on_time"], totals["received"])
    totals["resolution_rate"] = kpis.rate(totals["closed"], totals["received"])
    return {"from": period.start.isoformat(), "to": period.end.isoformat(), "service_points": scope.codes,
            "rows": rows, "by_channel": [{"channel": ch, **_totals(members, now)}
                                         for ch, members in sorted(by_channel.items())],
            "totals": totals}


# --------------------------------------------------------------------------- satisfaction

def answers_filter(scope: Scope, period: Period):
    return and_(FollowUp.service_point_id.in_(scope.ids), FollowUp.satisfaction.is_not(None),
                kpis._in_period(FollowUp.answered_at, scope, period)(FollowUp.service_point_id))


def satisfaction(scope: Scope, period: Period) -> dict:
    """Satisfaction from follow-up calls answered in the period: the average score and
    the share of 4-5 answers."""
    count, total, happy = db.session.execute(
        select(func.count(FollowUp.id), func.coalesce(func.sum(FollowUp.satisfaction), 0),
               func.coalesce(func.sum(case((FollowUp.satisfaction >= SATISFIED[0], 1), else_=0)), 0))
        .where(answers_filter(scope, period))).one()
    count = int(count or 0)
    return {"satisfaction_answers": count,
            "satisfaction_average": round(int(total) / count, 2) if count else None,
            "satisfied_rate": kpis.rate(int(happy or 0), count)}


def _missed(done, due, now: dt.datetime):
    """SQL of :meth:`Case.overdue`'s test for one deadline: ``due`` set, and ``done``
    after it or still missing after it at ``now``."""
    return and_(due.is_not(None), or_(and_(done.is_not(None), done > due), and_(done.is_(None), due < now)))


def _counted_totals(scope: Scope, period: Period, now: dt.datetime) -> dict:
    """:func:`_totals` of the complaints registered in the period, counted by the
    database with the same tests (only the closed ones' two timestamps are fetched,
    for the average days to close as :attr:`Case.days_to_close` computes it)."""
    now = as_utc(now)
    where = registered_filter(scope, period)
    c = Complaint

    def count(test):
        return func.coalesce(func.sum(case((test, 1), else_=0)), 0)

    received, founded, closed, on_time, overdue = db.session.execute(
        select(func.count(c.id), count(c.founded.is_(True)), count(c.status == "closed"),
               count(and_(c.responded_at.is_not(None), c.responded_at <= c.respond_by)),
               count(or_(_missed(c.responded_at, c.respond_by, now), _missed(c.reported_at, c.report_by, now))))
        .where(where)).one()
    spans = [(as_utc(closed_at) - as_utc(registered_at)).total_seconds() / 86400
             for registered_at, closed_at in db.session.execute(
                 select(c.registered_at, c.closed_at).where(where, c.status == "closed", c.closed_at.is_not(None))
                 .order_by(c.registered_at, c.id))]
    cost = db.session.scalar(select(func.coalesce(func.sum(Remedy.amount), 0))
                             .join(c, c.id == Remedy.complaint_id).where(where, Remedy.status == "done"))
    return {"received": int(received), "founded": int(founded), "closed": int(closed),
            "responded_on_time": int(on_time), "overdue": int(overdue), "avg_days_to_close": _avg(spans),
            "remedy_cost": str(Decimal(str(cost or 0)).quantize(Decimal("0.01")))}


def kpi_figures(scope: Scope, period: Period, so_far: dict | None = None, *,
                now: dt.datetime | None = None, memo: dict | None = None) -> dict:
    """The complaint and satisfaction KPIs.  ``complaints_per_100_jobs`` = complaints
    registered / jobs received in the same period × 100 (``so_far`` may carry
    ``jobs_received`` already counted)."""
    now = now or utcnow()
    if memo is not None and (tuple(scope.ids), period) in memo:  # read already: count those
        totals = _totals(cases(scope, period, memo), now)
    else:
        totals = _counted_totals(scope, period, now)
    jobs = (so_far or {}).get("jobs_received")
    if jobs is None:
        jobs = kpis.received_figures(scope, period)["jobs_received"]
    out = {
        "complaints_received": totals["received"],
        "complaints_per_100_jobs": round(100 * totals["received"] / jobs, 2) if jobs else None,
        "complaints_founded": totals["founded"],
        "complaints_closed": totals["closed"],
        "resolution_rate": kpis.rate(totals["closed"], totals["received"]),
        "responded_on_time_rate": kpis.rate(totals["responded_on_time"], totals["received"]),
        "complaints_overdue": totals["overdue"],
        "avg_days_to_close": totals["avg_days_to_close"],
        "remedy_cost": totals["remedy_cost"],
    }
    out.update(satisfaction(scope, period))
    return out


def kpi_extra(now: dt.datetime | None = None, memo: dict | None = None) -> Callable[[Scope, Period, dict], dict]:
    """:func:`kpi_figures` as the ``more_figures`` of :func:`kpis.compute`."""
    return lambda scope, period, so_far: kpi_figures(scope, period, so_far, now=now, memo=memo)


# --------------------------------------------------------------------------- lists and charts

COMPLAINT_DRILLS = ("complaints_received", "responded_on_time_rate", "complaints_overdue", "resolution_rate",
                    "complaints_founded")


def drill(figure: str, scope: Scope, period: Period, *, now: dt.datetime | None = None) -> dict:
    """The complaints behind ``figure`` (the base, with ``counted`` marking the part
    counted).  Raises ValidationError for an unknown figure."""
    now = now or utcnow()
    tests: dict[str, Callable[[Case], bool]] = {
        "complaints_received": lambda c: True,
        "responded_on_time_rate": lambda c: c.responded_on_time,
        "complaints_overdue": lambda c: c.overdue(now),
        "resolution_rate": lambda c: c.closed,
        "complaints_founded": lambda c: bool(c.founded),
    }
    if figure not in tests:
        raise ValidationError(gettext("No figure %(figure)s; choose one of %(choices)s.", figure=repr(figure),
                                      choices=", ".join(tests)), field="figure")
    rows = [{"case": c, "counted": tests[figure](c)} for c in cases(scope, period)]
    return {"figure": figure, "rows": rows, "base": len(rows), "counted": sum(1 for r in rows if r["counted"])}


def answers(scope: Scope, period: Period) -> list:
    """The follow-up answers behind the satisfaction figures."""
    return db.session.execute(
        select(FollowUp.id, FollowUp.kind, FollowUp.answered_at, FollowUp.satisfaction, FollowUp.comment,
               FollowUp.job_id, FollowUp.complaint_id)
        .where(answers_filter(scope, period)).order_by(FollowUp.answered_at)).all()


def count_by_category(scope: Scope, period: Period) -> list[tuple[str, int]]:
    """:func:`by_category` of the period's statistics, counted by the database (the
    dashboard's chart needs no more)."""
    counts = db.session.execute(select(Complaint.category, func.count(Complaint.id))
                                .where(registered_filter(scope, period)).group_by(Complaint.category)).all()
    return sorted(((k, int(n)) for k, n in counts), key=lambda kv: (-kv[1], kv[0]))


def by_category(stats: dict) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for row in stats["rows"]:
        counts[row["category"]] = counts.get(row["category"], 0) + row["received"]
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def root_causes(scope: Scope, period: Period, limit: int = 5, memo: dict | None = None) -> list[tuple[str, int]]:
    """The most frequent root causes of the complaints registered in the period and
    closed (a root cause is recorded when a case closes)."""
    counts: dict[str, int] = {}
    for c in cases(scope, period, memo):
        if c.root_cause:
            counts[c.root_cause] = counts.get(c.root_cause, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def open_serious(scope: Scope, until: dt.date | None = None) -> list[Case]:
    """Serious and critical complaints not closed, registered up to ``until`` (local)."""
    where = and_(Complaint.service_point_id.in_(scope.ids), Complaint.level.in_(SERIOUS_LEVELS),
                 Complaint.status.in_(OPEN_STATUSES))
    found = _cases(where, scope)
    return [c for c in found if until is None or c.registered_on <= until]


def open_overdue(scope: Scope, now: dt.datetime | None = None) -> list[Case]:
    """Complaints not closed with a deadline missed (the answer or the written report)."""
    now = now or utcnow()
    where = and_(Complaint.service_point_id.in_(scope.ids), Complaint.status.in_(OPEN_STATUSES))
    return [c for c in _cases(where, scope) if c.overdue(now)]


def overdue_calls(scope: Scope, now: dt.datetime | None = None) -> list:
    """Follow-up calls still open after their due date (each service point's local today)."""
    # Sorted here, not in SQL: an ORDER BY due_on sent SQLite through every call by
    # the due-date index instead of the few open ones.
    rows = db.session.execute(
        select(FollowUp.id, FollowUp.kind, FollowUp.service_point_id, FollowUp.due_on, FollowUp.attempts,
               FollowUp.job_id, FollowUp.complaint_id)
        .where(FollowUp.service_point_id.in_(scope.ids), FollowUp.status == "open")).all()
    today = {sp.id: local_today(sp, now) for sp in scope.service_points}
    return sorted((r for r in rows if r.due_on < today[r.service_point_id]), key=lambda r: (r.due_on, r.id))


def satisfaction_by_month(scope: Scope, last: dt.date, months: int = 12) -> list[tuple[str, float | None]]:
    """Average satisfaction per local month, the ``months`` months up to ``last``'s: one
    small query a month over the index (service_point_id, answered_at, satisfaction).
    (One statement summing every month by CASE over each service point's bounds cost
    more: every answer of the year tested against every month.)"""
    out = []
    month = month_of(last)
    periods = []
    for _ in range(months):
        periods.append(month)
        month = month_of(month.start - dt.timedelta(days=1))
    for p in reversed(periods):
        out.append((p.start.strftime("%Y-%m"), satisfaction(scope, p)["satisfaction_average"]))
    return out
