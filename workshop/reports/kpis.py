"""Workshop KPIs: every figure defined once, here, with its formula (docs/REPORTS.md
repeats the formulas for readers).

Each figure counts a *cohort* of jobs and, for rates, the part of that cohort that
meets a test.  The same cohort query and the same test serve the figure's value and
its drill-down list (:func:`drill`), so the list always adds up to the figure.

Cohorts (local dates of each job's own service point, ``from`` and ``to`` inclusive):

- **received**: jobs whose ``received_on`` is in the period;
- **collected**: jobs whose pickup ``collected_on`` is in the period;
- **ready now**: jobs whose status is ``ready`` at the moment of the report.

Read-only: nothing here writes or commits.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import and_, case, exists, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased

from models import (
    CollectedJobFact,
    Job,
    JobEvent,
    Part,
    PickupRecord,
    ReportDay,
    Requisition,
    User,
    ValidationError,
    db,
)
from models.parts import RequisitionLine, RequisitionStatus
from workshop.core.clock import as_utc, local_today, zone

from .period import Period, Scope

ZERO = Decimal("0.00")
#: Statuses in which a job is on someone's bench.
BENCH_STATUSES = ("diagnosing", "awaiting_approval", "awaiting_parts", "repairing", "qc")
#: Ready-but-uncollected age buckets, in whole local days since the job became ready.
AGE_BUCKETS = ((0, 2), (3, 7), (8, 14), (15, 30), (31, None))


# --------------------------------------------------------------------------- helpers

def days_between(earlier: dt.datetime, later: dt.datetime) -> float:
    """Elapsed time in days (24 h), as a fraction."""
    return (as_utc(later) - as_utc(earlier)).total_seconds() / 86400


def median(values: list[float]) -> float | None:
    """The middle value (of an even number: the mean of the two middle ones), 2 decimals."""
    return round(statistics.median(values), 2) if values else None


def rank(p: float, n: int) -> int:
    """The nearest rank (1-based) of percentile ``p`` among ``n`` values: ⌈p·n⌉, at least 1."""
    return max(1, math.ceil(p * n))


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``p`` of the values at
    or below it (p90 of 10 values is the 9th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[rank(p, len(ordered)) - 1], 2)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _in_period(column, scope: Scope, period: Period):
    """``column`` (a UTC timestamp of a row of ``sp_column``'s service point) within
    the period's local days: one UTC interval per service point, inside the span of
    them all (which an index on ``column`` can range-scan)."""
    bounds = scope.utc_bounds(period)
    lo_all, hi_all = min(lo for _, lo, _ in bounds), max(hi for _, _, hi in bounds)
    return lambda sp_column: and_(column >= lo_all, column < hi_all,
                                  or_(*(and_(sp_column == sp_id, column >= lo, column < hi)
                                        for sp_id, lo, hi in bounds)))


# --------------------------------------------------------------------------- received cohort

def received_filter(scope: Scope, period: Period):
    return and_(Job.service_point_id.in_(scope.ids), Job.received_on >= period.start,
                Job.received_on <= period.end)


#: Tests on a received job, as SQL: used for the figures and their drill-down lists.
RECEIVED_TESTS = {
    "jobs_received": None,
    "rerepair_rate": Job.rerepair_of_id.is_not(None),
    "warranty_share": Job.warranty_chargeable.is_(False),
}


def day_filter(scope: Scope, period: Period):
    """The daily summary rows of the period's local days at the scope's service points."""
    return and_(ReportDay.service_point_id.in_(scope.ids), ReportDay.day >= period.start,
                ReportDay.day <= period.end)


def day_sums(scope: Scope, period: Period) -> dict:
    """Σ of every count of the daily summary (:class:`models.ReportDay`) over the period:
    ``{received, rerepairs, warranty, collected, made_ready, on_time_base, on_time,
    ftf_base, first_time_fix, charged, revenue, parts_cost}``."""
    row = db.session.execute(select(*(func.coalesce(func.sum(getattr(ReportDay, name)), 0)
                                      for name in ReportDay.COUNTS)).where(day_filter(scope, period))).one()
    out = {name: int(v or 0) for name, v in zip(ReportDay.COUNTS, row, strict=True)}
    for money in ("revenue", "parts_cost"):
        out[money] = Decimal(str(row[ReportDay.COUNTS.index(money)] or 0)).quantize(Decimal("0.01"))
    return out


def received_figures(scope: Scope, period: Period, sums: dict | None = None) -> dict:
    """The received-cohort figures, from the daily summary (``sums``: :func:`day_sums`
    already read)."""
    sums = sums or day_sums(scope, period)
    received, rerepairs, warranty = sums["received"], sums["rerepairs"], sums["warranty"]
    return {"jobs_received": received, "rerepairs_received": rerepairs,
            "rerepair_rate": rate(rerepairs, received), "warranty_jobs": warranty,
            "warranty_share": rate(warranty, received)}


# --------------------------------------------------------------------------- collected cohort

@dataclass
class Collected:
    """What the collected-cohort figures need to know about one collected job,
    computed from the live rows (pickup, job, its events, its parts)."""

    job_id: int
    number: str
    service_point_id: int
    received_at: dt.datetime
    promised_by: dt.date
    ready_at: dt.datetime | None
    ready_on: dt.date | None
    collected_at: dt.datetime
    collected_on: dt.date
    total: Decimal
    parts_cost: Decimal
    repair_warranty_ends_on: dt.date | None
    came_back: bool

    @property
    def days_to_ready(self) -> float | None:
        return days_between(self.received_at, self.ready_at) if self.ready_at else None

    @property
    def days_to_collected(self) -> float:
        return days_between(self.received_at, self.collected_at)

    @property
    def on_time(self) -> bool | None:
        """Ready on or before the promised date (local); None for a job never made
        ready (cancelled and handed back)."""
        return self.ready_on <= self.promised_by if self.ready_on else None

    @property
    def first_time_fix(self) -> bool | None:
        """Repaired and not back as a re-repair within its repair warranty; None for
        a handset returned unrepaired (it has no repair warranty)."""
        return None if self.repair_warranty_ends_on is None else not self.came_back


def _first_ready():
    # Only status events carry a to_status, so no test on ``kind``: the index
    # (job_id, to_status, at) then answers alone.
    return (select(func.min(JobEvent.at)).where(JobEvent.job_id == Job.id, JobEvent.to_status == "ready")
            .correlate(Job).scalar_subquery())


_LATER = aliased(Job, name="later")


def _came_back():
    return exists().where(_LATER.rerepair_of_id == Job.id,
                          _LATER.received_on <= PickupRecord.repair_warranty_ends_on)


def _parts_cost():
    """(issued − returned) × unit cost over the job's issued requisition lines."""
    return (select(func.coalesce(func.sum((RequisitionLine.issued_qty - RequisitionLine.returned_qty)
                                          * RequisitionLine.unit_cost), 0))
            .join(Requisition, Requisition.id == RequisitionLine.requisition_id)
            .where(Requisition.job_id == Job.id, Requisition.status == RequisitionStatus.ISSUED.value)
            .correlate(Job).scalar_subquery())


def collected_filter(scope: Scope, period: Period):
    # "+ 0" keeps SQLite's planner from walking every job of the service points by
    # their index: the pickups of the period are the few rows to start from.
    return and_((Job.service_point_id + 0).in_(scope.ids), PickupRecord.collected_on >= period.start,
                PickupRecord.collected_on <= period.end)


def live_collected(where, zones: dict[int, dt.tzinfo], *, connection=None) -> list[Collected]:
    """:class:`Collected` per collected job matching ``where`` (over jobs and
    pickups), computed from the live rows, in collection order.  ``zones`` maps
    service point ids to their timezones (for the local date a job became ready)."""
    query = (select(Job.id, Job.number, Job.service_point_id, Job.received_at, Job.promised_by,
                    _first_ready().label("ready_at"), PickupRecord.collected_at, PickupRecord.collected_on,
                    PickupRecord.total, _parts_cost().label("parts_cost"), PickupRecord.repair_warranty_ends_on,
                    _came_back().label("came_back"))
             .join(PickupRecord, PickupRecord.job_id == Job.id).where(where)
             .order_by(PickupRecord.collected_at, Job.id))
    rows = (connection or db.session).execute(query).all()
    out = []
    for r in rows:
        ready_on = as_utc(r.ready_at).astimezone(zones[r.service_point_id]).date() if r.ready_at else None
        out.append(Collected(r.id, r.number, r.service_point_id, r.received_at, r.promised_by, r.ready_at,
                             ready_on, r.collected_at, r.collected_on, Decimal(r.total or 0),
                             Decimal(r.parts_cost or 0).quantize(Decimal("0.01")), r.repair_warranty_ends_on,
                             bool(r.came_back)))
    return out


def collected_jobs(scope: Scope, period: Period) -> list[Collected]:
    """The jobs collected in the period, computed from the live rows (the summary's
    recount; the KPIs read :func:`collected_facts`)."""
    return live_collected(collected_filter(scope, period), {sp.id: zone(sp) for sp in scope.service_points})


def collected_facts(scope: Scope, period: Period):
    """The jobs collected in the period, from the maintained summary
    (:class:`models.CollectedJobFact`): rows with ``collected_on``, ``days_to_ready``,
    ``days_to_collected``, ``on_time``, ``first_time_fix``, ``total``, ``parts_cost``."""
    f = CollectedJobFact
    return db.session.execute(
        select(f.job_id, f.collected_on, f.days_to_ready, f.days_to_collected, f.on_time, f.first_time_fix,
               f.total, f.parts_cost)
        .where(f.service_point_id.in_(scope.ids), f.collected_on >= period.start, f.collected_on <= period.end)
    ).all()


_F = CollectedJobFact
#: Tests on a collected job, as SQL over the collected-job summary: ``(in the base,
#: counted)``, ``None`` for every job.  Used for the drill-down lists.
COLLECTED_TESTS = {
    "jobs_collected": (None, None),
    "turnaround": (_F.days_to_ready.is_not(None), None),
    "on_time_rate": (_F.on_time.is_not(None), _F.on_time.is_(True)),
    "first_time_fix_rate": (_F.first_time_fix.is_not(None), _F.first_time_fix.is_(True)),
    "revenue": (None, _F.total > 0),
}


def collected_figures(jobs) -> dict:
    """The collected-cohort figures over :class:`Collected` objects or summary rows."""
    to_ready = [c.days_to_ready for c in jobs if c.days_to_ready is not None]
    to_collected = [c.days_to_collected for c in jobs]
    on_time = [c.on_time for c in jobs if c.on_time is not None]
    ftf = [c.first_time_fix for c in jobs if c.first_time_fix is not None]
    return {
        "jobs_collected": len(jobs),
        "turnaround_days_median": median(to_ready),
        "turnaround_days_p90": percentile(to_ready, 0.9),
        "collected_days_median": median(to_collected),
        "collected_days_p90": percentile(to_collected, 0.9),
        "on_time_rate": rate(sum(1 for v in on_time if v), len(on_time)),
        "first_time_fix_rate": rate(sum(1 for v in ftf if v), len(ftf)),
        "came_back": sum(1 for v in ftf if not v),
        "revenue": str(sum((Decimal(c.total) for c in jobs), ZERO)),
        "parts_cost": str(sum((Decimal(c.parts_cost) for c in jobs), ZERO)),
    }


def facts_filter(scope: Scope, period: Period):
    f = CollectedJobFact
    return and_(f.service_point_id.in_(scope.ids), f.collected_on >= period.start, f.collected_on <= period.end)


def _order_stats(scope: Scope, period: Period, column, n: int) -> tuple[float | None, float | None]:
    """The median and the nearest-rank 90th percentile of ``column`` (a column of the
    collected-job summary; NULLs left out, ``n`` of them not NULL) over the jobs
    collected in the period, found in the database: the values are not fetched.

    PostgreSQL: ``percentile_disc``, which is the nearest rank (the ⌈p·n⌉-th value);
    the median is the mean of ``percentile_disc(0.5)`` ascending (the ⌈n/2⌉-th) and
    descending (for an even n the next one; for an odd n the same one).  SQLite:
    ``ORDER BY column LIMIT .. OFFSET k`` over the covering index
    (service_point_id, collected_on, days_to_ready, days_to_collected, ...), the p90
    counted from the top (``DESC``, offset n - ⌈0.9 n⌉)."""
    if n == 0:
        return None, None
    where = and_(facts_filter(scope, period), column.is_not(None))
    if db.session.get_bind().dialect.name == "postgresql":
        low, high, p90 = db.session.execute(
            select(func.percentile_disc(0.5).within_group(column), func.percentile_disc(0.5).within_group(column.desc()),
                   func.percentile_disc(0.9).within_group(column)).where(where)).one()
    else:
        def at(offset: int, count: int, order) -> list[float]:
            return list(db.session.scalars(select(column).where(where).order_by(order).limit(count).offset(offset)))

        middle = at((n - 1) // 2, 2 - n % 2, column)
        low, high = middle[0], middle[-1]
        # The k-th smallest is the (n-k+1)-th largest: counted from the top, SQLite's
        # sorter keeps only the top tenth instead of nine tenths.
        p90 = at(n - rank(0.9, n), 1, column.desc())[0]
    return round((low + high) / 2, 2), round(p90, 2)


def collected_summary(scope: Scope, period: Period, sums: dict | None = None) -> dict:
    """:func:`collected_figures` of the jobs collected in the period, from the maintained
    summaries: the counts and sums from the daily rows (``sums``: :func:`day_sums`
    already read), the medians and 90th percentiles from the collected-job rows, found
    in the database (:func:`_order_stats`)."""
    sums = sums or day_sums(scope, period)
    f = CollectedJobFact
    ready_median, ready_p90 = _order_stats(scope, period, f.days_to_ready, sums["made_ready"])
    collected_median, collected_p90 = _order_stats(scope, period, f.days_to_collected, sums["collected"])
    return {
        "jobs_collected": sums["collected"],
        "turnaround_days_median": ready_median,
        "turnaround_days_p90": ready_p90,
        "collected_days_median": collected_median,
        "collected_days_p90": collected_p90,
        "on_time_rate": rate(sums["on_time"], sums["on_time_base"]),
        "first_time_fix_rate": rate(sums["first_time_fix"], sums["ftf_base"]),
        "came_back": sums["ftf_base"] - sums["first_time_fix"],
        "revenue": str(sums["revenue"]),
        "parts_cost": str(sums["parts_cost"]),
    }


# --------------------------------------------------------------------------- parts, engineers, ageing

def parts_by_sku(scope: Scope, period: Period) -> list[dict]:
    """Parts consumption by SKU: requisition lines issued in the period (local date of
    the issue), issued and returned units, net units and their cost."""
    in_period = _in_period(Requisition.issued_at, scope, period)(Requisition.service_point_id)
    net = RequisitionLine.issued_qty - RequisitionLine.returned_qty
    rows = db.session.execute(
        select(Part.sku, Part.name, func.sum(RequisitionLine.issued_qty), func.sum(RequisitionLine.returned_qty),
               func.sum(net), func.coalesce(func.sum(net * RequisitionLine.unit_cost), 0))
        .select_from(RequisitionLine)
        .join(Requisition, Requisition.id == RequisitionLine.requisition_id)
        .join(Part, Part.id == RequisitionLine.part_id)
        .where(Requisition.status == RequisitionStatus.ISSUED.value, in_period)
        .group_by(Part.sku, Part.name).order_by(func.sum(net).desc(), Part.sku)).all()
    return [{"sku": sku, "name": name, "issued": int(issued or 0), "returned": int(returned or 0),
             "net": int(n or 0), "cost": str(Decimal(cost or 0).quantize(Decimal("0.01")))}
            for sku, name, issued, returned, n, cost in rows]


def engineers(scope: Scope, period: Period) -> list[dict]:
    """Engineer workload and output.  Per engineer of a job in scope:
    ``received``: jobs received in the period assigned to them; ``on_bench``: their jobs
    in a bench status now; ``passed_qc``: QC passes (qc -> ready) in the period of jobs
    assigned to them; ``qc_failures``: QC failures (qc -> repairing) likewise."""
    in_period = _in_period(JobEvent.at, scope, period)(Job.service_point_id)

    qc_moves = db.session.execute(
        select(Job.engineer_id, JobEvent.to_status, func.count(JobEvent.id)).join(Job, Job.id == JobEvent.job_id)
        .where(JobEvent.to_status.in_(("ready", "repairing")), JobEvent.from_status == "qc",
               Job.engineer_id.is_not(None), Job.service_point_id.in_(scope.ids), in_period)
        .group_by(Job.engineer_id, JobEvent.to_status)).all()
    passed = {e: n for e, to, n in qc_moves if to == "ready"}
    failed = {e: n for e, to, n in qc_moves if to == "repairing"}

    received = dict(db.session.execute(
        select(Job.engineer_id, func.count(Job.id)).where(received_filter(scope, period),
                                                          Job.engineer_id.is_not(None))
        .group_by(Job.engineer_id)).all())
    # Counted here, not grouped in SQL: SQLite would then walk every job by the
    # engineer index (to skip the sort) instead of the few on a bench by
    # (service_point_id, status).
    on_bench = Counter(e for e in db.session.scalars(
        select(Job.engineer_id).where(Job.service_point_id.in_(scope.ids), Job.status.in_(BENCH_STATUSES)))
        if e is not None)
    ids = set(received) | set(on_bench) | set(passed) | set(failed)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    out = [{"engineer": users[i].username, "name": users[i].label, "received": received.get(i, 0),
            "on_bench": on_bench.get(i, 0), "passed_qc": passed.get(i, 0), "qc_failures": failed.get(i, 0),
            "qc_failure_rate": rate(failed.get(i, 0), passed.get(i, 0) + failed.get(i, 0))}
           for i in ids]
    return sorted(out, key=lambda e: (-e["received"], e["engineer"]))


def ready_waiting(scope: Scope, now: dt.datetime | None = None) -> list[dict]:
    """Jobs ready and not collected, with their age in whole local days since they
    became ready (the latest move to ready), oldest first."""
    rows = db.session.execute(
        select(Job.id, Job.number, Job.service_point_id, func.max(JobEvent.at).label("ready_at"))
        .outerjoin(JobEvent, and_(JobEvent.job_id == Job.id, JobEvent.to_status == "ready"))
        .where(Job.service_point_id.in_(scope.ids), Job.status == "ready")
        .group_by(Job.id, Job.number, Job.service_point_id)).all()
    out = []
    for r in rows:
        sp = scope.by_id(r.service_point_id)
        ready_on = local_today(sp, r.ready_at) if r.ready_at is not None else None
        age = (local_today(sp, now) - ready_on).days if ready_on else None
        out.append({"job_id": r.id, "number": r.number, "ready_on": ready_on, "age_days": age})
    return sorted(out, key=lambda x: (-(x["age_days"] or 0), x["number"]))


def bucket_label(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"


def ageing(waiting: list[dict]) -> list[dict]:
    """The ready-but-uncollected jobs counted per age bucket (:data:`AGE_BUCKETS`)."""
    out = []
    for low, high in AGE_BUCKETS:
        n = sum(1 for w in waiting if w["age_days"] is not None and w["age_days"] >= low
                and (high is None or w["age_days"] <= high))
        out.append({"bucket": bucket_label(low, high), "low": low, "high": high, "jobs": n})
    return out


# --------------------------------------------------------------------------- series for charts

def _per_day(scope: Scope, period: Period, column) -> list[tuple[dt.date, int]]:
    counts = {_date(d): int(n or 0) for d, n in db.session.execute(
        select(ReportDay.day, func.sum(column)).where(day_filter(scope, period)).group_by(ReportDay.day))}
    return [(d, counts.get(d, 0)) for d in period.dates()]


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def received_per_day(scope: Scope, period: Period) -> list[tuple[dt.date, int]]:
    """Jobs received each local day (the daily summary)."""
    return _per_day(scope, period, ReportDay.received)


def collected_per_day(scope: Scope, period: Period) -> list[tuple[dt.date, int]]:
    """Jobs collected each local day (the daily summary)."""
    return _per_day(scope, period, ReportDay.collected)


def turnaround_per_day(scope: Scope, period: Period) -> list[tuple[dt.date, float | None]]:
    """Median days to ready of the jobs collected each day (of an even number, the mean
    of the two middle values), found in the database: PostgreSQL ``percentile_disc``
    per day, ascending and descending (as :func:`_order_stats`); SQLite, per day, the
    middle rows by ``ORDER BY .. LIMIT .. OFFSET`` at the rank the daily summary's
    count gives (``made_ready``), all days in one statement."""
    f = CollectedJobFact
    where = and_(facts_filter(scope, period), f.days_to_ready.is_not(None))
    middle: dict[dt.date, tuple[float, float]] = {}
    if db.session.get_bind().dialect.name == "postgresql":
        for day, low, high in db.session.execute(
                select(f.collected_on, func.percentile_disc(0.5).within_group(f.days_to_ready),
                       func.percentile_disc(0.5).within_group(f.days_to_ready.desc()))
                .where(where).group_by(f.collected_on)):
            middle[_date(day)] = (low, high)
    else:
        counts = [(d, n) for d, n in _per_day(scope, period, ReportDay.made_ready) if n]
        parts = [select(literal(d.isoformat()).label("day"), f.days_to_ready.label("v"))
                 .where(where, f.collected_on == d).order_by(f.days_to_ready).limit(2 - n % 2).offset((n - 1) // 2)
                 .subquery().select() for d, n in counts]
        values: dict[dt.date, list[float]] = {}
        for start in range(0, len(parts), 400):  # SQLite takes up to 500 SELECTs in one compound
            chunk = parts[start:start + 400]
            rows = db.session.execute(chunk[0] if len(chunk) == 1 else union_all(*chunk)).all()
            for day, value in rows:
                values.setdefault(_date(day), []).append(value)
        middle = {d: (v[0], v[-1]) for d, v in values.items()}
    return [(d, round((middle[d][0] + middle[d][1]) / 2, 2) if d in middle else None) for d in period.dates()]


# --------------------------------------------------------------------------- the whole report

def compute(scope: Scope, period: Period, *, now: dt.datetime | None = None, detail: bool = True,
            snapshot: bool = True, more_figures: Callable[[Scope, Period, dict], dict] | None = None) -> dict:
    """All KPIs for ``scope`` over ``period``.  ``detail`` adds the tables (parts by SKU,
    engineers); ``snapshot`` the figures of the moment (ready but uncollected, and its
    ageing with ``detail``), which no past period has; ``more_figures`` adds figures of other
    domains (complaints)."""
    sums = day_sums(scope, period)
    out = {"from": period.start.isoformat(), "to": period.end.isoformat(), "service_points": scope.codes}
    out.update(received_figures(scope, period, sums))
    out.update(collected_summary(scope, period, sums))
    if snapshot:
        waiting = ready_waiting(scope, now)
        out["ready_uncollected"] = len(waiting)
        if detail:
            out["ready_ageing"] = ageing(waiting)
    if more_figures is not None:
        out.update(more_figures(scope, period, out))
    if detail:
        out["parts"] = parts_by_sku(scope, period)
        out["engineers"] = engineers(scope, period)
    return out


def public(figures: dict) -> dict:
    """The figures without the internal rows (for JSON and CSV)."""
    return {k: v for k, v in figures.items() if not k.startswith("_")}


# --------------------------------------------------------------------------- drill-down

DRILLS = ("jobs_received", "rerepair_rate", "warranty_share", "jobs_collected", "turnaround", "on_time_rate",
          "first_time_fix_rate", "revenue", "ready_uncollected")
#: The daily-summary counts that are each list's base and its counted part (the
#: figure's own numbers, so the list adds up to the figure).
DRILL_COUNTS = {
    "jobs_received": ("received", "received"),
    "rerepair_rate": ("received", "rerepairs"),
    "warranty_share": ("received", "warranty"),
    "jobs_collected": ("collected", "collected"),
    "turnaround": ("made_ready", "made_ready"),
    "on_time_rate": ("on_time_base", "on_time"),
    "first_time_fix_rate": ("ftf_base", "first_time_fix"),
    "revenue": ("collected", "charged"),
}
#: The most rows one page of a list may ask for.
MAX_PAGE = 1000


def _cursor(after: str | None, *, offset: bool) -> tuple | int | None:
    """A list page's ``after`` cursor: ``YYYY-MM-DD.<job id>`` (the last row's day and
    job), or a row count for the list of the moment.  Raises ValidationError."""
    if not after:
        return None
    try:
        if offset:
            value = int(after)
            if value < 0:
                raise ValueError
            return value
        day, job_id = after.split(".")
        return dt.date.fromisoformat(day), int(job_id)
    except ValueError:
        raise ValidationError(gettext("Not a page cursor: %(value)s.", value=repr(after)), field="after") from None


def _page_size(limit: int | None) -> int | None:
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise ValidationError(gettext("A page has 1 to %(n)s rows.", n=MAX_PAGE), field="per_page")
    return limit


def _received_page(figure: str, scope: Scope, period: Period, after, limit: int | None) -> tuple[list[dict], str | None]:
    test = RECEIVED_TESTS[figure]
    # The page's job ids first, from the index (service point, received_on); then their rows.
    keys = select(Job.received_on, Job.id).where(received_filter(scope, period)).order_by(Job.received_on, Job.id)
    if after is not None:
        keys = keys.where(tuple_(Job.received_on, Job.id) > tuple_(literal(after[0]), literal(after[1])))
    if limit is not None:
        keys = keys.limit(limit + 1)
    found = db.session.execute(keys).all()
    more = limit is not None and len(found) > limit
    ids = [i for _, i in found[:limit]]
    counted = case((test, literal(True)), else_=literal(False)) if test is not None else literal(True)
    rows = {r.id: r for r in db.session.execute(
        select(Job.id, Job.number, Job.received_on, Job.status, Job.promised_by, counted.label("counted"))
        .where(Job.id.in_(ids)))} if ids else {}
    items = [{"number": rows[i].number, "received_on": rows[i].received_on, "status": rows[i].status,
              "promised_by": rows[i].promised_by, "counted": bool(rows[i].counted)} for i in ids]
    last = found[len(ids) - 1] if more else None
    return items, f"{_date(last[0]).isoformat()}.{last[1]}" if last else None


def _collected_page(figure: str, scope: Scope, period: Period, after, limit: int | None) -> tuple[list[dict], str | None]:
    in_base, is_counted = COLLECTED_TESTS[figure]
    f = CollectedJobFact
    keys = select(f.collected_on, f.job_id).where(facts_filter(scope, period)).order_by(f.collected_on, f.job_id)
    if in_base is not None:
        keys = keys.where(in_base)
    if after is not None:
        keys = keys.where(tuple_(f.collected_on, f.job_id) > tuple_(literal(after[0]), literal(after[1])))
    if limit is not None:
        keys = keys.limit(limit + 1)
    found = db.session.execute(keys).all()
    more = limit is not None and len(found) > limit
    ids = [i for _, i in found[:limit]]
    counted = case((is_counted, literal(True)), else_=literal(False)) if is_counted is not None else literal(True)
    rows = {r.job_id: r for r in db.session.execute(
        select(f.job_id, Job.number, Job.received_on, Job.promised_by, f.ready_on, f.collected_on, f.days_to_ready,
               f.total, counted.label("counted"))
        .join(Job, Job.id == f.job_id).where(f.job_id.in_(ids)))} if ids else {}
    items = [{"number": c.number, "received_on": c.received_on, "ready_on": c.ready_on,
              "collected_on": c.collected_on, "promised_by": c.promised_by,
              "days_to_ready": round(c.days_to_ready, 2) if c.days_to_ready is not None else None,
              "total": c.total, "counted": bool(c.counted)} for c in (rows[i] for i in ids)]
    last = found[len(ids) - 1] if more else None
    return items, f"{_date(last[0]).isoformat()}.{last[1]}" if last else None


def drill(figure: str, scope: Scope, period: Period, *, now: dt.datetime | None = None,
          after: str | None = None, limit: int | None = None) -> dict:
    """The jobs behind ``figure``: ``{"rows": [{number, counted, ...}], "base", "counted",
    "next"}``, in order of the cohort's day and the job.

    For a rate, the rows are its base and ``counted`` marks the numerator; ``base`` and
    ``counted`` are the figure's own counts (the whole list's, whatever the page).
    ``limit`` rows at most (``None``: all), after the cursor ``after`` (the ``next`` of
    the previous page; ``None`` when there is no further page): keyset pages, so a
    deep page costs what the first does.  Raises ValidationError for an unknown
    figure, a bad cursor or page size.
    """
    limit = _page_size(limit)
    if figure == "ready_uncollected":
        start = _cursor(after, offset=True) or 0
        waiting = ready_waiting(scope, now)
        end = len(waiting) if limit is None else start + limit
        items = [{"number": w["number"], "ready_on": w["ready_on"], "age_days": w["age_days"], "counted": True}
                 for w in waiting[start:end]]
        return {"figure": figure, "rows": items, "base": len(waiting), "counted": len(waiting),
                "next": str(end) if end < len(waiting) else None}
    if figure not in DRILL_COUNTS:
        raise ValidationError(gettext("No figure %(figure)s; choose one of %(choices)s.", figure=repr(figure),
                                      choices=", ".join(DRILLS)), field="figure")
    cursor = _cursor(after, offset=False)
    page = _received_page if figure in RECEIVED_TESTS else _collected_page
    items, nxt = page(figure, scope, period, cursor, limit)
    sums = day_sums(scope, period)
    base, counted = DRILL_COUNTS[figure]
    return {"figure": figure, "rows": items, "base": sums[base], "counted": sums[counted], "next": nxt}


def drill_rows(figure: str, scope: Scope, period: Period, *, now: dt.datetime | None = None, page: int = MAX_PAGE):
    """Every row of :func:`drill`, fetched a page at a time (for a streamed CSV)."""
    after = None
    while True:
        result = drill(figure, scope, period, now=now, after=after, limit=page)
        yield from result["rows"]
        after = result["next"]
        if after is None:
            return
