"""Promise watch (workshop.warranty.promise): promised dates near or passed, and the
loaner/exchange dates of warranty repairs, from the job's own warranty policy."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from workshop.warranty import engine as warranty
from workshop.warranty import policies, promise

TODAY = dt.date(2026, 11, 22)


def _job(db, **kwargs):
    sp = factories.service_point("SZ01")
    kwargs.setdefault("received_on", TODAY - dt.timedelta(days=1))
    kwargs.setdefault("promised_by", TODAY + dt.timedelta(days=6))
    return factories.job(sp, **kwargs)


def test_local_today_is_the_service_points_date(db):
    sp = factories.service_point("SZ01", timezone="Asia/Shanghai")
    late_evening_utc = dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 23rd in Shanghai
    assert promise.local_today(sp, late_evening_utc) == dt.date(2026, 11, 23)


@pytest.mark.parametrize(("promised_in", "expected"), [
    (6, []), (3, []), (2, [("promise", 2, "warn")]), (0, [("promise", 0, "warn")]),
    (-3, [("promise", -3, "late")]),
])
def test_promise_near_and_overdue(db, promised_in, expected):
    job = _job(db, promised_by=TODAY + dt.timedelta(days=promised_in), warranty_chargeable=True,
               warranty_status="expired")
    got = [(w.code, w.days_left, w.level) for w in promise.warnings_for(job, TODAY)]
    assert got == expected


def test_warranty_repair_warns_before_the_loaner_and_exchange_dates(db):
    # 三包: loaner from day 7, exchange from day 30 after receipt.
    job = _job(db, received_on=TODAY - dt.timedelta(days=28), promised_by=TODAY - dt.timedelta(days=21))
    warnings = promise.warnings_for(job, TODAY)
    assert [(w.code, w.due, w.days_left) for w in warnings] == [
        ("promise", TODAY - dt.timedelta(days=21), -21),
        ("loaner", TODAY - dt.timedelta(days=21), -21),
        ("exchange", TODAY + dt.timedelta(days=2), 2),
    ]
    assert promise.worst_level(warnings) == "late"
    assert warnings[-1].to_dict() == {"code": "exchange", "due": "2026-11-24", "days_left": 2, "overdue": False}


def test_chargeable_repairs_have_no_loaner_or_exchange_dates(db):
    job = _job(db, received_on=TODAY - dt.timedelta(days=29), promised_by=TODAY + dt.timedelta(days=5),
               warranty_chargeable=True, warranty_status="void")
    assert promise.warnings_for(job, TODAY) == []


def test_the_jobs_own_policy_decides_the_dates(db):
    terms = {**warranty.SANBAO.as_mapping(), "code": "brandx", "name": "Brand X", "loaner_after_days": 3,
             "exchange_after_days": None}
    policies.save(None, terms)
    job = _job(db, warranty_policy="brandx", received_on=TODAY - dt.timedelta(days=2))
    assert [(w.code, w.days_left) for w in promise.warnings_for(job, TODAY)] == [("loaner", 1)]


@pytest.mark.parametrize("status", ["ready", "collected", "cancelled"])
def test_done_jobs_are_not_watched(db, status):
    job = _job(db, status=status, promised_by=TODAY - dt.timedelta(days=10))
    assert promise.warnings_for(job, TODAY) == []


def test_ages(db):
    now = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
    assert promise.age_text(now - dt.timedelta(minutes=5), now) == "5m"
    assert promise.age_text(now - dt.timedelta(hours=5), now) == "5h"
    assert promise.age_text((now - dt.timedelta(days=3)).replace(tzinfo=None), now) == "3d"
    from flask_babel import force_locale

    with force_locale("zh_Hans"):  # the units in the reader's language
        assert promise.age_text(now - dt.timedelta(minutes=5), now) == "5分"
        assert promise.age_text(now - dt.timedelta(days=3), now) == "3天"
    job = _job(db)
    assert promise.status_since(job) == promise.as_utc(job.events[0].at)
