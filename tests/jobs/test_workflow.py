"""The repair workflow, straight against the service (workshop.jobs.workflow)
and the model method under it (Job.move_to): every allowed move for every role,
every forbidden move, the person rules, and the cross-field rules."""

from __future__ import annotations

import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest

from models import (
    TRANSITIONS,
    JobStatus,
    PermissionDenied,
    ValidationError,
    WorkflowError,
)
from models.words import role_words, status_words, statuses_words
from tests import factories
from workshop.jobs import workflow

S = JobStatus
ROLES = ("receptionist", "engineer", "clerk", "manager", "admin")


@pytest.fixture
def people(db):
    sp = factories.service_point("SZ01")
    ns = SimpleNamespace(sp=sp)
    for role in ROLES:
        setattr(ns, role, factories.user(role, username=role, sp=sp, engineer_level=2 if role == "engineer" else None))
    ns.engineer2 = factories.user("engineer", username="engineer2", sp=sp, engineer_level=2)
    db.session.flush()
    return ns


def _extras(frm: JobStatus, to: JobStatus) -> dict:
    """What the workflow needs besides the move itself."""
    extras = {}
    if to in workflow.REASON_NEEDED:
        extras["note"] = "customer changed their mind" if to == S.CANCELLED else "board corroded"
    if to == S.COLLECTED:
        extras["handover"] = True
    if frm == S.QC and to == S.REPAIRING:
        extras["failed_checks"] = ["cameras"]
    if frm == S.AWAITING_APPROVAL:
        extras["channel"] = "phone"
    return extras


def _job_for(people, frm: JobStatus, actor):
    """A job in ``frm`` that ``actor`` could work on: assigned to them when they are an
    engineer; from QC, repaired by someone else (engineer2)."""
    engineer = people.engineer
    if frm == S.QC:
        engineer = people.engineer2
    return factories.job(people.sp, status=frm.value, engineer=engineer)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("move", sorted(TRANSITIONS), ids=lambda m: f"{m[0].value}->{m[1].value}")
def test_every_allowed_move_for_every_role(people, move, role):
    frm, to = move
    actor = getattr(people, role)
    job = _job_for(people, frm, actor)
    if role in TRANSITIONS[move]:
        event = workflow.move(job, to, actor, **_extras(frm, to))
        assert job.status == to.value
        assert (event.from_status, event.to_status) == (frm.value, to.value)
        assert event.actor is actor
        assert event.location == job.location != ""
        assert job.events[-1] is event
    else:
        with pytest.raises(PermissionDenied) as exc:
            workflow.move(job, to, actor, **_extras(frm, to))
        assert (f"Your role ({role_words(role)}) may not move a job from “{status_words(frm)}” to "
                f"“{status_words(to)}”") in exc.value.message
        assert "You may: " + statuses_words(job.allowed_moves(role)) in exc.value.message
        assert job.status == frm.value


FORBIDDEN = [(a, b) for a, b in itertools.product(S, S) if (a, b) not in TRANSITIONS]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("move", FORBIDDEN, ids=lambda m: f"{m[0].value}->{m[1].value}")
def test_every_forbidden_move_is_refused_naming_the_allowed_ones(people, move):
    frm, to = move
    job = _job_for(people, frm, people.manager)
    before = len(job.events)
    with pytest.raises(WorkflowError) as exc:
        workflow.move(job, to, people.manager, **_extras(frm, to))
    allowed = [t for (f, t) in TRANSITIONS if f == frm]
    assert exc.value.status == 409
    assert f"cannot move to “{status_words(to)}”" in exc.value.message
    assert "Allowed: " + statuses_words(allowed) in exc.value.message
    assert job.status == frm.value and len(job.events) == before


def test_unknown_status_is_refused(people):
    job = factories.job(people.sp, engineer=people.engineer)
    with pytest.raises(WorkflowError, match="Unknown status 'fixed'"):
        workflow.move(job, "fixed", people.engineer)


# --- person rules -------------------------------------------------------------------


def test_engineer_moves_only_their_own_jobs(people):
    job = factories.job(people.sp, status="repairing", engineer=people.engineer2)
    with pytest.raises(PermissionDenied, match="assigned to engineer2; only they or a manager"):
        workflow.move(job, S.QC, people.engineer)
    assert workflow.move(job, S.QC, people.manager).to_status == "qc"


def test_engineer_starting_an_unassigned_job_takes_it(people):
    job = factories.job(people.sp)
    event = workflow.start_diagnosis(job, people.engineer)
    assert job.engineer is people.engineer and job.status == "diagnosing"
    assign, status = job.events[-2], job.events[-1]
    assert assign.kind == "assign" and assign.data["claimed"] is True and assign.data["to"] == "engineer"
    assert status is event and event.location == "bench · engineer"


def test_unqualified_engineer_cannot_take_a_job(people):
    l1 = factories.user("engineer", username="l1", sp=people.sp, engineer_level=1, brands="Samsung")
    job = factories.job(people.sp, fault_category="no_power", brand="Apple")
    with pytest.raises(PermissionDenied) as exc:
        workflow.start_diagnosis(job, l1)
    assert "does not repair Apple" in exc.value.message and "needs level 2" in exc.value.message
    assert job.engineer is None


def test_engineer_cannot_move_an_unassigned_job_otherwise(people):
    job = factories.job(people.sp)
    with pytest.raises(PermissionDenied, match="not assigned to anyone"):
        workflow.move(job, S.CANCELLED, people.engineer, note="no")


def test_qc_is_done_by_someone_other_than_the_repairer(people):
    job = factories.job(people.sp, status="repairing", engineer=people.engineer)
    workflow.record_repair(job, people.engineer, actions="replaced screen", hand_to_qc=True)
    assert job.status == "qc" and job.location == "qc"
    for hands in (people.engineer,):
        with pytest.raises(PermissionDenied, match="someone other than the engineer who repaired"):
            workflow.qc_pass(job, hands)
        with pytest.raises(PermissionDenied):
            workflow.qc_fail(job, hands, failed_checks=["cameras"])
    assert S.READY not in job.moves_for(people.engineer)
    assert job.moves_for(people.engineer2) == [S.READY, S.REPAIRING]
    event = workflow.qc_pass(job, people.engineer2, note="all good")
    assert job.status == "ready" and event.actor is people.engineer2
    assert event.data["qc"] == {"result": "pass", "passed": list(workflow.QC_CHECKS), "failed": []}


def test_a_manager_who_repaired_cannot_pass_their_own_qc(people):
    job = factories.job(people.sp, status="repairing", engineer=people.engineer)
    workflow.move(job, S.QC, people.manager)
    with pytest.raises(PermissionDenied):
        workflow.qc_pass(job, people.manager)
    with pytest.raises(PermissionDenied):
        workflow.qc_pass(job, people.engineer)  # the assigned engineer is a repairer too
    workflow.qc_pass(job, people.engineer2)
    assert job.status == "ready"


def test_qc_pass_needs_every_check(people):
    job = factories.job(people.sp, status="qc", engineer=people.engineer2)
    partial = [c for c in workflow.QC_CHECKS if c != "cameras"]
    with pytest.raises(ValidationError, match="not passed: Cameras and flash. Fail QC instead"):
        workflow.qc_pass(job, people.engineer, checks=partial)
    with pytest.raises(ValidationError, match="Unknown QC check"):
        workflow.qc_pass(job, people.engineer, checks=[*workflow.QC_CHECKS, "vibes"])
    assert job.status == "qc"
    workflow.qc_pass(job, people.engineer, checks=list(workflow.QC_CHECKS))
    assert job.status == "ready"


def test_qc_failure_goes_back_to_repairing_with_the_failed_checks(people):
    job = factories.job(people.sp, status="qc", engineer=people.engineer2)
    event = workflow.qc_fail(job, people.engineer, failed_checks=["audio", "cameras"], note="mic crackles")
    assert job.status == "repairing" and job.location == "bench · engineer2"
    assert event.data["qc"]["result"] == "fail"
    assert event.data["qc"]["failed"] == ["audio", "cameras"]
    assert "audio" not in event.data["qc"]["passed"]
    assert event.note.startswith("QC failed: Earpiece, speaker and microphone") and "mic crackles" in event.note


def test_qc_failure_needs_to_say_what_failed(people):
    job = factories.job(people.sp, status="qc", engineer=people.engineer2)
    with pytest.raises(ValidationError, match="Say what failed QC"):
        workflow.qc_fail(job, people.engineer, failed_checks=[])
    event = workflow.qc_fail(job, people.engineer, failed_checks=[], note="back cover loose")
    assert event.data["qc"]["failed"] == ["other"]


def test_checks_only_when_leaving_qc(people):
    job = factories.job(people.sp, status="repairing", engineer=people.engineer)
    with pytest.raises(ValidationError, match="only when a job leaves QC"):
        workflow.move(job, S.QC, people.engineer, failed_checks=["audio"])


@pytest.mark.parametrize("target", [S.CANCELLED, S.UNREPAIRABLE])
def test_cancelling_and_giving_up_need_a_reason(people, target):
    job = factories.job(people.sp, status="diagnosing", engineer=people.engineer)
    with pytest.raises(ValidationError) as exc:
        workflow.move(job, target, people.engineer, note="   ")
    assert exc.value.errors == {"note": [workflow.REASON_NEEDED[target]]}
    event = workflow.move(job, target, people.engineer, note="customer wants it back")
    assert event.note == "customer wants it back"


def test_collection_goes_through_pickup(people):
    job = factories.job(people.sp, status="ready", engineer=people.engineer)
    with pytest.raises(WorkflowError, match="through pickup"):
        workflow.move(job, S.COLLECTED, people.receptionist)
    workflow.move(job, S.COLLECTED, people.receptionist, handover=True)
    assert job.status == "collected" and job.closed_at is not None


# --- diagnosis and the estimate ceiling ---------------------------------------------


def _diagnosing(people, **kwargs):
    kwargs.setdefault("estimate_amount", Decimal("200.00"))
    kwargs.setdefault("estimate_ceiling", Decimal("300.00"))
    return factories.job(people.sp, status="diagnosing", engineer=people.engineer, **kwargs)


def test_diagnosis_within_the_ceiling_goes_on(people):
    job = _diagnosing(people)
    event = workflow.record_diagnosis(job, people.engineer, findings="cracked LCD", estimate="280",
                                      next_status="awaiting_parts")
    assert job.status == "awaiting_parts" and event.location == "parts_wait_shelf"
    assert job.estimate_amount == Decimal("280.00")
    diagnosis = job.events[-2]
    assert diagnosis.kind == "diagnosis" and diagnosis.note == "cracked LCD"
    assert diagnosis.data["estimate"] == "280.00" and diagnosis.data["over_limit"] is False


def test_diagnosis_above_the_ceiling_asks_the_customer(people):
    job = _diagnosing(people)
    event = workflow.record_diagnosis(job, people.engineer, findings="board short", estimate="450.00",
                                      next_status="repairing")
    assert job.status == "awaiting_approval"
    assert event.data == {"estimate": "450.00", "ceiling": "300.00", "then": "repairing",
                          "note_code": "over_estimate", "note_args": {"price": "450.00", "limit": "300.00"}}
    assert "above the 300.00" in event.note
    assert job.estimate_amount == Decimal("200.00")  # not agreed yet


def test_without_a_ceiling_the_agreed_estimate_is_the_limit(people):
    job = _diagnosing(people, estimate_ceiling=None)
    workflow.record_diagnosis(job, people.engineer, findings="x", estimate="200.01")
    assert job.status == "awaiting_approval"


def test_unrepairable_diagnosis_needs_no_approval(people):
    job = _diagnosing(people)
    event = workflow.record_diagnosis(job, people.engineer, findings="CPU dead", estimate="900",
                                      next_status="unrepairable")
    assert job.status == "unrepairable" and event.note == "CPU dead"


def test_diagnosis_input_is_checked(people):
    job = _diagnosing(people)
    with pytest.raises(ValidationError) as exc:
        workflow.record_diagnosis(job, people.engineer, findings=" ", estimate="-5", next_status="qc")
    assert set(exc.value.errors) == {"findings", "estimate", "next_status"}
    assert job.status == "diagnosing" and [e.kind for e in job.events] == ["status"]


def test_diagnosis_on_a_received_job_starts_it(people):
    job = factories.job(people.sp, engineer=people.engineer)
    workflow.record_diagnosis(job, people.engineer, findings="battery swollen", estimate=None)
    assert [e.to_status or e.kind for e in job.events] == ["received", "diagnosing", "diagnosis", "repairing"]


def test_diagnosis_by_someone_else_writes_nothing(people):
    job = _diagnosing(people)
    with pytest.raises(PermissionDenied):
        workflow.record_diagnosis(job, people.engineer2, findings="x", estimate="1")
    assert [e.kind for e in job.events] == ["status"]


@pytest.mark.parametrize(("approved", "then", "expected"), [
    (True, "repairing", "repairing"), (True, "awaiting_parts", "awaiting_parts"), (False, "repairing", "ready"),
])
def test_the_desk_records_the_customers_answer(people, approved, then, expected):
    job = _diagnosing(people)
    workflow.record_diagnosis(job, people.engineer, findings="board", estimate="450", next_status=then)
    event = workflow.record_approval(job, people.receptionist, approved, "phone", note="spoke to Ms Wang")
    assert job.status == expected
    assert event.actor is people.receptionist
    assert event.data["approval"]["answer"] == ("approved" if approved else "declined")
    assert event.data["approval"]["channel"] == "phone"
    assert "spoke to Ms Wang" in event.note
    if approved:
        assert job.estimate_amount == Decimal("450.00") == job.estimate_ceiling
        assert event.location == ("bench · engineer" if expected == "repairing" else "parts_wait_shelf")
    else:
        assert event.data["unrepaired"] is True and job.location == "pickup_shelf"
        assert job.estimate_amount == Decimal("200.00")


def test_approval_asked_while_waiting_for_parts_returns_there(people):
    job = factories.job(people.sp, status="awaiting_parts", engineer=people.engineer)
    workflow.move(job, S.AWAITING_APPROVAL, people.engineer, note="part price went up")
    workflow.record_approval(job, people.manager, True, "in_person")
    assert job.status == "awaiting_parts"


def test_approval_rules(people):
    job = _diagnosing(people)
    with pytest.raises(WorkflowError, match="not waiting for the customer's approval"):
        workflow.record_approval(job, people.receptionist, True, "phone")
    workflow.record_diagnosis(job, people.engineer, findings="board", estimate="450")
    with pytest.raises(ValidationError, match="Choose how the customer answered"):
        workflow.record_approval(job, people.receptionist, True, "pigeon")
    with pytest.raises(PermissionDenied, match="Your role .Engineer. may not move a job from “Awaiting approval”"):
        workflow.record_approval(job, people.engineer, True, "phone")
    assert job.status == "awaiting_approval"


# --- repair, and the whole journey --------------------------------------------------


def test_repair_work_is_recorded_by_the_jobs_engineer(people):
    job = factories.job(people.sp, status="repairing", engineer=people.engineer)
    event = workflow.record_repair(job, people.engineer, actions="replaced battery", parts_fitted="BAT-IP13")
    assert event.kind == "repair" and event.data == {"parts_fitted": "BAT-IP13"} and job.status == "repairing"
    with pytest.raises(PermissionDenied):
        workflow.record_repair(job, people.engineer2, actions="x")
    with pytest.raises(ValidationError, match="what you did"):
        workflow.record_repair(job, people.engineer, actions="")
    done = factories.job(people.sp, status="qc", engineer=people.engineer, customer=job.customer)
    with pytest.raises(WorkflowError, match="while repairing"):
        workflow.record_repair(done, people.engineer, actions="x")


def test_the_journey_is_in_the_history_with_who_and_where(people):
    from workshop.bench import assignment

    job = factories.job(people.sp)
    assignment.assign(job, None, people.manager)
    workflow.start_diagnosis(job, people.engineer)
    workflow.record_diagnosis(job, people.engineer, findings="dead battery", estimate="0")
    workflow.record_repair(job, people.engineer, actions="new battery", hand_to_qc=True)
    workflow.qc_pass(job, people.engineer2)
    rows = [(e.kind, e.from_status, e.to_status, e.actor.username, e.location) for e in job.events]
    assert rows[0][:4] == ("status", None, "received", job.created_by.username)  # intake's
    assert rows[1:] == [
        ("assign", None, None, "manager", "front_desk"),
        ("status", "received", "diagnosing", "engineer", "bench · engineer"),
        ("diagnosis", None, None, "engineer", "bench · engineer"),
        ("status", "diagnosing", "repairing", "engineer", "bench · engineer"),
        ("repair", None, None, "engineer", "bench · engineer"),
        ("status", "repairing", "qc", "engineer", "qc"),
        ("status", "qc", "ready", "engineer2", "pickup_shelf"),
    ]
    assert all(e.at is not None for e in job.events)


def test_moves_to_ready_and_awaiting_approval_call_the_notification_hook(people, monkeypatch):
    calls = []
    monkeypatch.setattr(workflow, "_after_move", lambda job, event: calls.append(event.to_status))
    job = _diagnosing(people)
    workflow.record_diagnosis(job, people.engineer, findings="x", estimate="999")
    workflow.record_approval(job, people.receptionist, False, "phone")
    assert calls == ["awaiting_approval", "ready"]


def test_moves_for_lists_only_what_this_user_may_do_now(people):
    job = factories.job(people.sp, status="repairing", engineer=people.engineer)
    assert job.moves_for(people.engineer) == [S.AWAITING_PARTS, S.AWAITING_APPROVAL, S.QC, S.UNREPAIRABLE]
    assert job.moves_for(people.engineer2) == []
    assert job.moves_for(people.receptionist) == []
    assert job.moves_for(people.manager) == job.allowed_moves("manager")


def test_workflow_moves_for_offers_taking_an_unassigned_job(people):
    l1 = factories.user("engineer", username="l1", sp=people.sp, engineer_level=1)
    job = factories.job(people.sp, fault_category="screen")
    assert job.moves_for(people.engineer) == []  # the model alone: not their job
    assert workflow.moves_for(job, people.engineer) == [S.DIAGNOSING]
    board = factories.job(people.sp, fault_category="no_power", customer=job.customer)
    assert workflow.moves_for(board, l1) == []  # not qualified
    assert workflow.moves_for(board, people.receptionist) == [S.CANCELLED]
