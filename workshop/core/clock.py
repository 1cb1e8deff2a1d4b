"""Times and dates at a service point.

Warranty periods, promises and ages count in the service point's own calendar
(its IANA timezone).  SQLite hands back naive datetimes for timezone-aware columns;
they were stored as UTC, and :func:`as_utc` says so.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from models import ServicePoint, utcnow


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` as an aware UTC time (naive values are taken as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def zone(service_point: ServicePoint) -> dt.tzinfo:
    """The service point's timezone (UTC if its name is unknown to this machine)."""
    try:
        return zoneinfo.ZoneInfo(service_point.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def local_now(service_point: ServicePoint, moment: dt.datetime | None = None) -> dt.datetime:
    """``moment`` (default: now) on the service point's clock."""
    return as_utc(moment or utcnow()).astimezone(zone(service_point))


def local_today(service_point: ServicePoint, moment: dt.datetime | None = None) -> dt.date:
    """The service point's calendar date at ``moment`` (default: now)."""
    return local_now(service_point, moment).date()
