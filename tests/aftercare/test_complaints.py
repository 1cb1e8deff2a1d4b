"""The complaint register's rules (CONTRACT.md "After-sales care (v2)") at their boundaries."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from models import Complaint, ComplaintEvent, Customer, OutboxMessage, PermissionDenied, ValidationError, db
from models.aftercare import CHANNEL_LEVELS
from tests import factories
from workshop.aftercare import complaints

from .conftest import at_local, job, person, register

EXPECTED_LEVEL = {"walk_in": "general", "phone": "general", "email": "general", "online": "general",
                  "social_media": "general", "manufacturer": "serious", "carrier": "serious",
                  "regulator": "serious", "media": "critical", "government": "critical"}


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.mark.parametrize("channel", sorted(EXPECTED_LEVEL))
def test_level_follows_the_channel(ctx, channel):
    assert CHANNEL_LEVELS == EXPECTED_LEVEL
    complaint = register(channel=channel)
    assert complaint.level == EXPECTED_LEVEL[channel]
    assert complaint.events[0].kind == "registered"
    assert complaint.events[0].actor.username == "receptionist"


def test_a_level_may_be_given_higher_never_lower(ctx):
    assert register(channel="walk_in", level="serious").level == "serious"
    assert register(channel="carrier", level="critical").level == "critical"
    before = count(Complaint), count(ComplaintEvent), count(Customer)
    with pytest.raises(ValidationError) as err:
        register(channel="regulator", level="general", phone="13900139000")
    assert "level" in err.value.errors
    with pytest.raises(ValidationError):
        register(channel="media", level="serious", phone="13900139000")
    assert (count(Complaint), count(ComplaintEvent), count(Customer)) == before


def test_raising_later_sets_the_report_deadline_and_lowering_is_refused(ctx):
    complaint = register(channel="phone")
    assert complaint.report_by is None
    complaints.raise_level(complaint, person("receptionist"), "serious", "Customer went to 12315")
    assert complaint.level == "serious"
    assert complaints.as_utc(complaint.report_by) == complaints.as_utc(complaint.registered_at) + dt.timedelta(hours=48)
    with pytest.raises(ValidationError):
        complaints.raise_level(complaint, person("manager"), "general")
    assert complaint.level == "serious"
    complaints.raise_level(complaint, person("receptionist"), "critical", "On the local TV news")
    assert complaint.escalated and complaint.owner.username == "manager"
    assert [e.kind for e in complaint.events][-3:] == ["level_raised", "level_raised", "escalated"]


def test_unknown_channel_and_category_are_refused_with_nothing_written(ctx):
    before = count(Complaint), count(Customer), count(OutboxMessage)
    with pytest.raises(ValidationError) as err:
        register(channel="pigeon", category="weather", phone="13700137000")
    assert set(err.value.errors) >= {"channel", "category"}
    with pytest.raises(ValidationError) as err:
        register(description="   ", phone="not a phone")
    assert set(err.value.errors) >= {"description", "customer.phone"}
    assert (count(Complaint), count(Customer), count(OutboxMessage)) == before


def test_deadlines_around_the_service_points_midnight(ctx):
    # 23:59:59 on the Shanghai clock is 15:59:59 UTC the same day.
    late = at_local(2026, 11, 27, 23, 59, 59)
    general = register(channel="walk_in", now=late)
    serious = register(channel="manufacturer", now=late)
    assert complaints.as_utc(general.respond_by) == at_local(2026, 11, 28, 23, 59, 59)
    assert general.report_by is None
    assert complaints.as_utc(serious.report_by) == at_local(2026, 11, 29, 23, 59, 59)
    # One second after local midnight: the deadlines move to the next local day too.
    early = at_local(2026, 11, 28, 0, 0, 1)
    critical = register(channel="government", now=early)
    assert complaints.as_utc(critical.respond_by) == at_local(2026, 11, 29, 0, 0, 1)
    assert complaints.as_utc(critical.report_by) == at_local(2026, 11, 30, 0, 0, 1)


def test_response_on_time_at_the_deadline_and_late_one_second_after(ctx):
    start = at_local(2026, 11, 27, 9, 0)
    on_time = register(now=start)
    late = register(now=start)
    assert not complaints.is_overdue(on_time, start + dt.timedelta(hours=24))
    assert complaints.is_overdue(late, start + dt.timedelta(hours=24, seconds=1))
    complaints.respond(on_time, person("receptionist"), "Called back, apologised", now=start + dt.timedelta(hours=24))
    complaints.respond(late, person("receptionist"), "Called back", now=start + dt.timedelta(hours=24, seconds=1))
    assert on_time.responded_on_time is True
    assert late.responded_on_time is False
    assert not complaints.is_overdue(late, start + dt.timedelta(days=3))
    with pytest.raises(complaints.Conflict):
        complaints.respond(on_time, person("receptionist"), "again")
    with pytest.raises(ValidationError):
        complaints.respond(register(), person("receptionist"), "  ")


def test_serious_complaint_is_overdue_without_its_written_report(ctx):
    start = at_local(2026, 11, 27, 9, 0)
    serious = register(channel="carrier", now=start)
    complaints.respond(serious, person("receptionist"), "Answered", now=start + dt.timedelta(hours=1))
    assert not complaints.is_overdue(serious, start + dt.timedelta(hours=48))
    assert complaints.is_overdue(serious, start + dt.timedelta(hours=48, seconds=1))
    db.session.flush()
    overdue, _ = complaints.search(person("manager"), overdue=True, now=start + dt.timedelta(hours=49))
    assert serious in overdue
    complaints.write_report(serious, person("manager"), "Cause: wrong part fitted.", founded=True,
                            responsible="engineer", now=start + dt.timedelta(hours=47))
    assert not complaints.is_overdue(serious, start + dt.timedelta(hours=49))
    with pytest.raises(complaints.Conflict):
        complaints.write_report(register(), person("manager"), "A general case has no report")


def test_critical_complaint_is_owned_by_a_manager_from_the_start(ctx):
    complaint = register("receptionist", channel="media")
    assert complaint.level == "critical"
    assert complaint.escalated is True
    assert complaint.owner.username == "manager"
    assert complaint.recorded_by.username == "receptionist"
    general = register("receptionist")
    assert general.owner.username == "receptionist" and general.escalated is False


def test_escalation_hands_the_case_to_a_manager_with_the_reason(ctx):
    complaint = register("receptionist")
    with pytest.raises(ValidationError):
        complaints.escalate(complaint, person("receptionist"), "")
    complaints.escalate(complaint, person("receptionist"), "Customer asks for a refund")
    assert complaint.escalated and complaint.owner.username == "manager"
    assert complaint.events[-1].kind == "escalated"
    assert complaint.events[-1].note == "Customer asks for a refund"


def test_numbers_are_readable_and_unique_across_the_chain(ctx):
    first = register(now=at_local(2026, 11, 30, 23, 0))
    second = register(now=at_local(2026, 11, 30, 23, 30))
    # 00:30 on 1 December in Shanghai is still 30 November in UTC: the local month counts.
    december = register(now=at_local(2026, 12, 1, 0, 30))
    assert first.number == "TS-SZ01-202611-0001"
    assert second.number == "TS-SZ01-202611-0002"
    assert december.number == "TS-SZ01-202612-0001"
    other = complaints.register(person("other_manager"), complaints.NewComplaint(
        channel="walk_in", category="delay", description="Slow", customer_name="李雷", customer_phone="13600136000"),
        now=at_local(2026, 11, 30, 23, 0))
    assert other.number == "TS-OT01-202611-0001"
    assert re.fullmatch(r"TS-[A-Z0-9]{2,6}-\d{6}-\d{4}", other.number)


def test_a_job_fills_customer_and_handset_and_gets_an_event(ctx):
    j = job()
    complaint = register(job_number=j.number, phone="", name="")
    assert complaint.customer_id == j.customer_id
    assert complaint.imei == j.imei
    assert j.events[-1].kind == "complaint" and complaint.number in j.events[-1].note


def test_registration_queues_the_customer_message_with_number_and_deadline(ctx):
    complaint = register(now=at_local(2026, 11, 27, 10, 0))
    message = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.template == "complaint_registered"))
    assert message.to_address == "+8613800138000"
    assert message.locale == "zh_Hans"
    assert complaint.number in message.body
    assert "2026-11-28 10:00" in message.body


def test_another_service_points_job_is_refused_with_nothing_written(ctx):
    other_sp = factories.service_point("OT01")
    theirs = factories.job(other_sp, created_by=person("other_manager"))
    before = count(Complaint), count(ComplaintEvent)
    with pytest.raises(PermissionDenied):
        register(job_number=theirs.number)
    with pytest.raises(complaints.NotFound):
        register(job_number="SZ01-999999")
    assert (count(Complaint), count(ComplaintEvent)) == before
