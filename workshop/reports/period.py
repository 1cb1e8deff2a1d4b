"""The days and service points a report covers.

A report runs over whole local days, ``start`` to ``end`` inclusive, in each service
point's own calendar (its IANA timezone): a job taken in at 23:30 in Shenzhen on the
31st belongs to the 31st there, whatever the UTC date.  Timestamps are therefore
compared against per-service-point UTC bounds (:meth:`Scope.utc_bounds`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext

from models import PermissionDenied, ServicePoint, User, ValidationError, db
from workshop.core.clock import local_today, zone

#: A report covers at most this many days (a year and a leap day, plus a margin).
MAX_DAYS = 400

PRESETS = ("today", "this_week", "this_month", "last_month", "custom")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def previous(self) -> Period:
        """What this period is compared with: for a period starting on the 1st, the
        same days of the previous month (a whole month: the whole previous month;
        the 1st to the 28th: the 1st to the 28th, cut at the month's end); otherwise
        the period of the same length just before it."""
        if self.start.day == 1 and 1 < self.days <= 31:
            last = self.start - dt.timedelta(days=1)
            first = last.replace(day=1)
            if (self.end + dt.timedelta(days=1)).day == 1:
                return Period(first, last)
            return Period(first, min(last, first + dt.timedelta(days=self.days - 1)))
        length = dt.timedelta(days=self.days)
        return Period(self.start - length, self.end - length)

    def as_dict(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def month_of(day: dt.date) -> Period:
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, nxt - dt.timedelta(days=1))


def preset(name: str, today: dt.date) -> Period:
    """A named period around ``today`` (the reader's local date).

    Raises ValidationError for an unknown name."""
    if name == "today":
        return Period(today, today)
    if name == "this_week":  # Monday to today
        return Period(today - dt.timedelta(days=today.weekday()), today)
    if name == "this_month":
        return Period(today.replace(day=1), today)
    if name == "last_month":
        return month_of(today.replace(day=1) - dt.timedelta(days=1))
    raise ValidationError(gettext("Unknown period %(name)s; choose one of %(choices)s.", name=repr(name),
                                  choices=", ".join(PRESETS)), field="preset")


def _parse_date(value: str, field: str, errors: dict) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        errors.setdefault(field, []).append(gettext("Not a date: %(value)s; write it as YYYY-MM-DD.",
                                                    value=repr(value)))
        return None


def parse(start: str | None, end: str | None, *, today: dt.date, preset_name: str | None = None) -> Period:
    """The period named by ``from``/``to`` strings (ISO dates, both inclusive) or a
    preset.  Without either: this month up to today.

    Raises ValidationError (fields ``from``, ``to``, ``preset``) for a malformed date,
    ``from`` after ``to``, a range longer than :data:`MAX_DAYS`, or an unknown preset.
    """
    start = (start or "").strip() or None
    end = (end or "").strip() or None
    if preset_name and preset_name != "custom" and not (start or end):
        return preset(preset_name, today)
    if preset_name and preset_name not in PRESETS:
        preset(preset_name, today)  # raises
    errors: dict[str, list[str]] = {}
    first = _parse_date(start, "from", errors) if start else None
    last = _parse_date(end, "to", errors) if end else None
    if errors:
        raise ValidationError(gettext("The report period is not valid."), errors=errors)
    if first is None and last is None:
        return preset("this_month", today)
    if first is None:
        first = last.replace(day=1)
    if last is None:
        last = max(first, today) if first <= today else first
    if first > last:
        raise ValidationError(gettext("The report period is not valid."),
                              errors={"from": [gettext("'from' (%(first)s) is after 'to' (%(last)s).",
                                                       first=first, last=last)]})
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError(gettext("The report period is not valid."),
                              errors={"to": [gettext("A report covers at most %(days)s days.", days=MAX_DAYS)]})
    return Period(first, last)


@dataclass(frozen=True)
class Scope:
    """The service points a report counts (one or several, never none)."""

    service_points: tuple[ServicePoint, ...]

    @property
    def ids(self) -> list[int]:
        return [sp.id for sp in self.service_points]

    @property
    def codes(self) -> list[str]:
        return [sp.code for sp in self.service_points]

    def by_id(self, sp_id: int) -> ServicePoint:
        return next(sp for sp in self.service_points if sp.id == sp_id)

    def utc_bounds(self, period: Period) -> list[tuple[int, dt.datetime, dt.datetime]]:
        """``(service_point_id, from, to)`` per service point: the UTC instants of
        local midnight starting ``period.start`` and local midnight after ``period.end``
        (a half-open interval)."""
        out = []
        for sp in self.service_points:
            tz = zone(sp)
            lo = dt.datetime.combine(period.start, dt.time(), tz).astimezone(dt.UTC)
            hi = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
            out.append((sp.id, lo, hi))
        return out

    def local_date(self, sp_id: int, moment: dt.datetime) -> dt.date:
        return local_today(self.by_id(sp_id), moment)


def scope_for(user: User, code: str | None = None) -> Scope:
    """The service points ``user`` reports on: ``code`` alone (when granted), else all
    of theirs.

    Raises PermissionDenied for a service point the user may not see,
    ValidationError for an unknown code.
    """
    code = (code or "").strip().upper()
    if code:
        sp = db.session.scalar(db.select(ServicePoint).where(ServicePoint.code == code))
        if sp is None:
            raise ValidationError(gettext("No service point %(code)s.", code=code), field="service_point")
        if sp.id not in user.service_point_ids:
            raise PermissionDenied(gettext("This belongs to another service point."))
        return Scope((sp,))
    sps = db.session.scalars(db.select(ServicePoint).where(ServicePoint.id.in_(user.service_point_ids))
                             .order_by(ServicePoint.code)).all()
    return Scope(tuple(sps))
