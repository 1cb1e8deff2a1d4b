"""Promise watch: which jobs are near or past the date promised to the customer,
and, for warranty repairs, near or past the 7-day loaner and 30-day exchange dates
of the job's warranty policy (PRODUCT.md section 3).

Dates are the service point's local dates.  A job is watched until its handset is
ready (or the job is cancelled or collected): a repaired handset on the pickup shelf
has kept the promise.  Nothing here writes to the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import get_translations
from sqlalchemy import func, select

from models import Job, JobEvent, JobStatus, db
from workshop.core.clock import as_utc, local_today
from workshop.warranty import engine as warranty
from workshop.warranty import policies

S = JobStatus

#: Warn this many days before a date passes (0: on the day itself).
NEAR_DAYS = 2
#: Statuses in which the promise is still to be kept.
WATCHED_STATUSES = frozenset({S.RECEIVED, S.DIAGNOSING, S.AWAITING_APPROVAL, S.AWAITING_PARTS,
                              S.REPAIRING, S.QC, S.UNREPAIRABLE})
#: Warranty statuses under which a repair is the manufacturer's warranty work.
WARRANTY_STATUSES = frozenset({"return_window", "exchange_window", "in_warranty"})


def terms_for(code: str | None) -> warranty.PolicyTerms:
    """The terms of the policy a job was decided under (stored policy, preset, else 三包).

    Looked up once per database session (a request's) and code: a board or a job
    list asks for many jobs.
    """
    cache = db.session.info.setdefault("promise_terms", {})
    if code not in cache:
        cache[code] = _load_terms(code)
    return cache[code]


def _load_terms(code: str | None) -> warranty.PolicyTerms:
    if code:
        row = policies.get(code)
        if row is not None:
            try:
                return policies.terms_of(row)
            except (TypeError, ValueError):
                pass  # a row edited into nonsense must not break the bench board
        if code in warranty.PRESETS:
            return warranty.PRESETS[code]
    return warranty.SANBAO


def is_warranty_repair(job: Job) -> bool:
    """Free repair under the manufacturer warranty, or a free re-repair of our own work."""
    return not job.warranty_chargeable and (job.warranty_status in WARRANTY_STATUSES
                                           or job.rerepair_of_id is not None)


@dataclass(frozen=True)
class PromiseWarning:
    """One date to watch: ``code`` is promise, loaner or exchange."""

    code: str
    due: dt.date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def level(self) -> str:
        """``late`` once the date has passed, ``warn`` before (CSS ``age-late``/``age-warn``)."""
        return "late" if self.overdue else "warn"

    @property
    def message(self) -> str:
        return self.describe(get_translations())

    def describe(self, translations) -> str:
        """:attr:`message` through ``translations`` (flask_babel.get_translations()):
        a list of many jobs looks them up once, not once per message."""
        gettext, ngettext = translations.gettext, translations.ngettext  # names pybabel extracts
        if self.code == "promise":
            what = gettext("Promised date")
        elif self.code == "loaner":
            what = gettext("Free loaner due (warranty repair not done in time)")
        else:
            what = gettext("Exchange due (warranty repair not done in time)")
        if self.days_left < 0:
            when = ngettext("%(num)d day overdue", "%(num)d days overdue", -self.days_left) % {"num": -self.days_left}
        elif self.days_left == 0:
            when = gettext("today")
        else:
            when = ngettext("in %(num)d day", "in %(num)d days", self.days_left) % {"num": self.days_left}
        return f"{what}: {self.due.isoformat()} ({when})"

    def to_dict(self) -> dict:
        return {"code": self.code, "due": self.due.isoformat(), "days_left": self.days_left,
                "overdue": self.overdue}


def warnings_for(job: Job, today: dt.date | None = None) -> list[PromiseWarning]:
    """Dates of ``job`` due within :data:`NEAR_DAYS` or passed, most urgent first.

    The promise applies to every job still on the bench; the loaner and exchange dates
    only to warranty repairs (:func:`is_warranty_repair`).  Never raises.
    """
    if job.status not in WATCHED_STATUSES:  # a str among StrEnum members: lists pass plain rows
        return []
    today = today or local_today(job.service_point)
    due = [("promise", job.promised_by)]
    if is_warranty_repair(job) and job.received_on:
        dates = warranty.service_dates(terms_for(job.warranty_policy), job.received_on)
        due += [("loaner", dates.loaner_due), ("exchange", dates.exchange_due)]
    out = [PromiseWarning(code, day, (day - today).days) for code, day in due
           if day is not None and (day - today).days <= NEAR_DAYS]
    order = ("promise", "loaner", "exchange")
    return sorted(out, key=lambda w: (w.days_left, order.index(w.code)))


def worst_level(warnings: list[PromiseWarning]) -> str:
    """``late``, ``warn`` or '' for a list of warnings (for row highlighting)."""
    if any(w.overdue for w in warnings):
        return "late"
    return "warn" if warnings else ""


def status_since(job: Job) -> dt.datetime:
    """When the job entered its current status (its latest status event)."""
    for event in reversed(job.events):
        if event.kind == "status" and event.to_status == job.status:
            return as_utc(event.at)
    return as_utc(job.received_at)


def status_since_column():
    """:func:`status_since` as a correlated scalar subquery of a select of jobs (the
    latest status event, on the events' job_id index): a list gets each job's age
    without loading its events."""
    return (
        select(func.max(JobEvent.at))
        .where(JobEvent.job_id == Job.id, JobEvent.kind == "status", JobEvent.to_status == Job.status)
        .correlate(Job)
        .scalar_subquery()
    )


def age_text(since: dt.datetime, now: dt.datetime | None = None, translations=None) -> str:
    """A short age for the board in the reader's language: ``35m``, ``5h``, ``3d``
    (``35分``, ``5时``, ``3天``).  ``translations``: a catalogue looked up once for a list."""
    gettext = (translations or get_translations()).gettext  # the name pybabel extracts
    seconds = max(0, int(((now or dt.datetime.now(dt.UTC)) - as_utc(since)).total_seconds()))
    if seconds < 3600:
        return gettext("%(n)dm") % {"n": seconds // 60}
    if seconds < 86400:
        return gettext("%(n)dh") % {"n": seconds // 3600}
    return days_text(seconds // 86400, gettext)


def days_text(days: int, gettext=None) -> str:
    """``3d`` (``3天``): a number of days, short."""
    return (gettext or get_translations().gettext)("%(n)dd") % {"n": days}
