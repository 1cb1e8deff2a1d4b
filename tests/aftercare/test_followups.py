"""Follow-up calls: queued on pickup (local dates, once per job), no answers counted,
unhappy answers open or reopen a complaint; the contact log."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Complaint, Conflict, FollowUp, FollowUpAttempt, PermissionDenied, ValidationError, db
from tests import factories
from workshop.aftercare import contacts, followups
from workshop.pickup import collection as pickup

from .conftest import at_local, collected_job, job, person, register


def pickup_followups(j):
    return list(db.session.scalars(db.select(FollowUp).where(FollowUp.job_id == j.id, FollowUp.kind == "pickup")))


def test_collecting_a_job_queues_one_pickup_follow_up(ctx):
    j = collected_job()
    [call] = pickup_followups(j)
    today = followups.local_today(j.service_point)
    assert call.status == "open" and call.attempts == 0
    assert call.due_on == today + dt.timedelta(days=3)
    assert call.customer_id == j.customer_id and call.token
    assert followups.queue_for_pickup(j) is None
    assert len(pickup_followups(j)) == 1


def test_due_date_counts_from_the_local_date_of_collection(ctx):
    late = job(status="collected")
    early = job(status="collected")
    # 23:30 on 27 November in Shanghai, and 00:30 on 28 November (still 27 November in UTC).
    assert followups.queue_for_pickup(late, at_local(2026, 11, 27, 23, 30)).due_on == dt.date(2026, 11, 30)
    assert followups.queue_for_pickup(early, at_local(2026, 11, 28, 0, 30)).due_on == dt.date(2026, 12, 1)


def test_the_delay_is_the_service_points_setting(ctx):
    sp = factories.service_point("SZ01")
    sp.followup_after_days = 5
    j = job(status="collected")
    assert followups.queue_for_pickup(j, at_local(2026, 11, 27, 12)).due_on == dt.date(2026, 12, 2)


def test_a_retried_pickup_still_queues_one_follow_up(ctx):
    j = job(status="ready")
    db.session.commit()
    wrong = pickup.Verification(method="phone_id", phone_last4="0000", id_checked=True)
    with pytest.raises(pickup.VerificationFailed):
        pickup.collect(j, person("receptionist"), verification=wrong)
    db.session.rollback()
    j = db.session.get(type(j), j.id)
    right = pickup.Verification(method="phone_id", phone_last4=j.customer.phone_last4, id_checked=True)
    pickup.collect(j, person("receptionist"), verification=right)
    with pytest.raises(Conflict):  # a second hand-over is refused: the job is collected
        pickup.collect(j, person("receptionist"), verification=right)
    assert len(pickup_followups(j)) == 1


def test_three_misses_make_a_call_unreachable(ctx):
    call = pickup_followups(collected_job())[0]
    followups.record(call, person("receptionist"), outcome="no_answer")
    followups.record(call, person("receptionist"), outcome="no_answer", comment="Voicemail")
    assert call.status == "open" and call.attempts == 2
    followups.record(call, person("manager"), outcome="no_answer")
    assert call.status == "unreachable" and call.attempts == 3
    assert [a.outcome for a in call.attempt_log] == ["no_answer"] * 3
    with pytest.raises(Conflict):
        followups.record(call, person("receptionist"), outcome="reached", satisfaction=5)


@pytest.mark.parametrize("satisfaction", [0, 6, None, "five", 2.5, True])
def test_bad_satisfaction_is_refused_with_nothing_written(ctx, satisfaction):
    call = pickup_followups(collected_job())[0]
    with pytest.raises(ValidationError) as err:
        followups.record(call, person("receptionist"), outcome="reached", satisfaction=satisfaction)
    assert "satisfaction" in err.value.errors
    assert call.attempts == 0 and call.status == "open"
    assert db.session.scalar(db.select(db.func.count(FollowUpAttempt.id))) == 0


def test_unknown_outcome_and_satisfaction_without_an_answer_are_refused(ctx):
    call = pickup_followups(collected_job())[0]
    with pytest.raises(ValidationError):
        followups.record(call, person("receptionist"), outcome="maybe")
    with pytest.raises(ValidationError):
        followups.record(call, person("receptionist"), outcome="no_answer", satisfaction=4)
    assert call.attempts == 0


@pytest.mark.parametrize("score", [1, 2])
def test_an_unhappy_pickup_answer_opens_a_phone_complaint_on_the_job(ctx, score):
    j = collected_job()
    call = pickup_followups(j)[0]
    followups.record(call, person("receptionist"), outcome="reached", satisfaction=score, fixed=False,
                     comment="Battery drains fast")
    complaint = call.opened_complaint
    assert complaint is not None and complaint.job_id == j.id
    assert complaint.channel == "phone" and complaint.level == "general"
    assert complaint.category == "repair_quality"
    assert complaint.recorded_by.username == "receptionist"
    assert "Battery drains fast" in complaint.description
    assert call.status == "done"


def test_a_happy_answer_opens_nothing(ctx):
    call = pickup_followups(collected_job())[0]
    followups.record(call, person("receptionist"), outcome="reached", satisfaction=3)
    assert call.opened_complaint is None
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 0


def test_an_unhappy_answer_joins_the_complaint_already_open_for_the_job(ctx):
    j = collected_job()
    existing = register(job_number=j.number, phone="", name="")
    call = pickup_followups(j)[0]
    followups.record(call, person("receptionist"), outcome="reached", satisfaction=1)
    assert call.opened_complaint_id == existing.id
    assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 1
    assert existing.events[-1].kind == "followup_unhappy"


def test_refused_ends_the_call(ctx):
    call = pickup_followups(collected_job())[0]
    followups.record(call, person("receptionist"), outcome="refused", comment="Does not want calls")
    assert call.status == "refused" and call.attempts == 1


def test_the_call_list_is_by_due_date_and_scoped_to_the_service_point(ctx):
    first, second = job(status="collected"), job(status="collected")
    later = followups.queue_for_pickup(first, at_local(2026, 11, 27, 12))
    sooner = followups.queue_for_pickup(second, at_local(2026, 11, 20, 12))
    items, _ = followups.call_list(person("receptionist"))
    assert [f.id for f in items] == [sooner.id, later.id]
    items, _ = followups.call_list(person("receptionist"), due_by=dt.date(2026, 11, 25))
    assert [f.id for f in items] == [sooner.id]
    assert followups.call_list(person("other_manager"))[0] == []
    with pytest.raises(PermissionDenied):
        followups.get(person("other_manager"), sooner.id)


def test_contact_log_counts_by_kind(ctx):
    contacts.log(person("receptionist"), kind="enquiry", note="Opening hours?", phone="13800138000")
    contacts.log(person("receptionist"), kind="praise", note="Fast repair, thanks", channel="walk_in")
    contacts.log(person("manager"), kind="enquiry", note="Price of a screen")
    counts = contacts.counts(person("manager"))
    assert counts["enquiry"] == 2 and counts["praise"] == 1 and counts["suggestion"] == 0
    with pytest.raises(ValidationError) as err:
        contacts.log(person("receptionist"), kind="gossip", note="", channel="fax")
    assert set(err.value.errors) == {"kind", "note", "channel"}
    assert contacts.counts(person("other_manager"))["enquiry"] == 0


def test_the_call_list_pages_by_due_date_then_id_and_the_home_count_reads_open_calls(ctx):
    jobs = [job(status="collected") for _ in range(5)]
    days = [27, 20, 27, 22, 20]  # two calls due on the same day twice: the id breaks the tie
    calls = [followups.queue_for_pickup(j, at_local(2026, 11, d, 12)) for j, d in zip(jobs, days, strict=True)]
    expected = [c.id for c in sorted(calls, key=lambda c: (c.due_on, c.id))]
    seen, after = [], None
    while True:
        items, after = followups.call_list(person("receptionist"), limit=2, after=after)
        seen += [f.id for f in items]
        if after is None:
            break
    assert seen == expected
    # a cursor that is no call (or past the id column's range) starts from the top
    assert [f.id for f in followups.call_list(person("receptionist"), limit=2, after=2 ** 40)[0]] == expected[:2]
    sp_ids = person("receptionist").service_point_ids
    assert followups.due_count(sp_ids, dt.date(2026, 11, 25)) == 3  # due 23, 23 and 25 November
    followups.record(calls[1], person("receptionist"), outcome="reached", satisfaction=5,
                     now=at_local(2026, 11, 24, 10))
    followups.record(calls[3], person("receptionist"), outcome="reached", satisfaction=4,
                     now=at_local(2026, 11, 26, 10))
    assert followups.due_count(sp_ids, dt.date(2026, 11, 25)) == 1
    assert [f.id for f in followups.recently_answered(person("receptionist"))] == [calls[3].id, calls[1].id]
    assert [f.id for f in followups.call_list(person("receptionist"))[0]] == [
        i for i in expected if i not in (calls[1].id, calls[3].id)]
