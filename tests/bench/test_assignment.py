"""Who repairs which job: qualification, proposals, assignment and taking a job
(workshop.bench.assignment), straight against the service."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from models import Conflict, PermissionDenied, ValidationError
from tests import factories
from workshop.bench import assignment
from workshop.jobs import workflow

_phones = itertools.count(13900000000)


def _job(sp, **kwargs):
    kwargs.setdefault("customer", factories.customer(sp, phone=f"+86{next(_phones)}"))
    return factories.job(sp, **kwargs)


@pytest.fixture
def bench(db):
    sp = factories.service_point("SZ01")
    ns = SimpleNamespace(sp=sp)
    ns.manager = factories.user("manager", username="boss", sp=sp)
    ns.zhang = factories.user("engineer", username="zhang", sp=sp, engineer_level=2)  # board level, any brand
    ns.chen = factories.user("engineer", username="chen", sp=sp, engineer_level=1, brands="Apple, Samsung")
    ns.wu = factories.user("engineer", username="wu", sp=sp, engineer_level=1, brands="Xiaomi")
    db.session.flush()
    return ns


@pytest.mark.parametrize(("category", "liquid", "level"), [
    ("screen", False, 1), ("battery", False, 1), ("no_power", False, 2), ("NO_SIGNAL", False, 2),
    ("screen", True, 2), ("", False, 1),
])
def test_required_level(bench, category, liquid, level):
    job = _job(bench.sp, fault_category=category, liquid_damage=liquid)
    assert assignment.required_level(job) == level


def test_board_level_among_the_intake_fault_categories():
    from workshop.intake.take_in import FAULT_CATEGORIES

    board = {c for c in FAULT_CATEGORIES if c in assignment.BOARD_LEVEL_FAULTS}
    assert board == {"no_power", "signal", "wifi_bluetooth", "overheating"}


def test_qualification_by_brand_and_level(bench):
    apple_screen = _job(bench.sp, brand="apple", fault_category="screen")
    assert assignment.is_qualified(bench.chen, apple_screen)  # brand match ignores case
    assert assignment.is_qualified(bench.zhang, apple_screen)  # empty brands: all
    assert assignment.unqualified_reasons(bench.wu, apple_screen) == ["wu does not repair apple (Xiaomi)."]
    board = _job(bench.sp, brand="Apple", fault_category="no_power")
    assert assignment.unqualified_reasons(bench.chen, board) == [
        "chen is level 1; no_power needs level 2 (board-level work)."]
    unbranded = _job(bench.sp, brand="", fault_category="screen")
    assert assignment.is_qualified(bench.wu, unbranded)


def test_proposal_is_the_least_loaded_qualified_engineer(bench):
    job = _job(bench.sp, brand="Apple", fault_category="screen")
    # Tie at zero load: the lowest qualifying level keeps board engineers free.
    assert assignment.propose(job) is bench.chen
    for _ in range(2):
        _job(bench.sp, brand="Apple", engineer=bench.chen, status="repairing")
    _job(bench.sp, brand="Apple", engineer=bench.zhang, status="diagnosing")
    _job(bench.sp, brand="Apple", engineer=bench.zhang, status="ready")  # done: not load
    assert assignment.loads([bench.chen.id, bench.zhang.id, bench.wu.id]) == {
        bench.chen.id: 2, bench.zhang.id: 1, bench.wu.id: 0}
    assert assignment.propose(job) is bench.zhang  # wu is less loaded but does not repair Apple


def test_proposal_skips_inactive_other_service_points_and_non_engineers(bench):
    other = factories.service_point("OT01")
    factories.user("engineer", username="faraway", sp=other, engineer_level=3)
    bench.zhang.active = False
    job = _job(bench.sp, brand="Huawei", fault_category="no_power")
    assert assignment.propose(job) is None
    assert "No active engineer here repairs Huawei at level 2" in assignment.Proposal(job, None).reason


def test_proposals_spread_the_mornings_jobs(bench):
    jobs = [_job(bench.sp, brand="Apple", fault_category="screen") for _ in range(4)]
    picked = [p.engineer.username for p in assignment.proposals(jobs)]
    assert picked == ["chen", "zhang", "chen", "zhang"]


def test_manager_assigns_the_proposed_engineer(bench):
    job = _job(bench.sp, brand="Apple", fault_category="screen")
    event = assignment.assign(job, None, bench.manager)
    assert job.engineer is bench.chen
    assert event.kind == "assign" and event.actor is bench.manager
    assert event.data == {"from": None, "to": "chen", "proposed": True, "qualified": True, "load_before": 0,
                          "note_code": "assigned_proposed", "note_args": {"label": "chen"}}
    assert event.note == "Assigned to chen (proposed)."


def test_reassignment_is_logged_and_moves_the_handset_to_the_new_bench(bench):
    job = _job(bench.sp, brand="Apple", fault_category="screen", engineer=bench.chen, status="repairing",
               location="bench · chen")
    event = assignment.assign(job, bench.zhang, bench.manager)
    assert event.data["from"] == "chen" and event.data["to"] == "zhang"
    assert event.note == "Reassigned from chen to zhang."
    assert job.location == event.location == "bench · zhang"
    assert assignment.assign(job, bench.zhang, bench.manager) is None  # no change, no event
    assert [e.kind for e in job.events].count("assign") == 1


def test_a_manager_may_assign_an_unqualified_engineer_and_it_is_recorded(bench):
    job = _job(bench.sp, brand="Apple", fault_category="no_power")
    event = assignment.assign(job, bench.wu, bench.manager)
    assert job.engineer is bench.wu and event.data["qualified"] is False
    assert "Not qualified: wu does not repair Apple" in event.note


def test_who_may_assign_and_to_whom(bench):
    job = _job(bench.sp)
    with pytest.raises(PermissionDenied, match="Only a manager"):
        assignment.assign(job, bench.chen, bench.zhang)
    other_manager = factories.user("manager", username="om", sp=factories.service_point("OT01"))
    with pytest.raises(PermissionDenied, match="another service point"):
        assignment.assign(job, bench.chen, other_manager)
    faraway = factories.user("engineer", username="faraway", sp=factories.service_point("OT01"))
    with pytest.raises(ValidationError) as exc:
        assignment.assign(job, faraway, bench.manager)
    assert "not an active engineer at SZ01" in exc.value.errors["engineer"][0]
    with pytest.raises(ValidationError):
        assignment.assign(job, bench.manager, bench.manager)
    ready = _job(bench.sp, status="ready")
    with pytest.raises(Conflict, match="no longer on the bench"):
        assignment.assign(ready, bench.chen, bench.manager)
    nobody = _job(bench.sp, brand="Nokia", fault_category="no_power")
    bench.zhang.active = False  # the only board-level engineer is away
    with pytest.raises(Conflict, match="No active engineer here repairs Nokia"):
        assignment.assign(nobody, None, bench.manager)
    assert job.engineer is None and nobody.engineer is None


def test_assign_all_proposed(bench):
    a = _job(bench.sp, brand="Apple", fault_category="screen")
    b = _job(bench.sp, brand="Xiaomi", fault_category="battery")
    c = _job(bench.sp, brand="Nokia", fault_category="no_power", liquid_damage=True)
    d = _job(bench.sp, brand="Nokia", fault_category="screen")
    events, left = assignment.assign_all_proposed(bench.manager)
    assert {(e.job.number, e.data["to"]) for e in events} == {
        (a.number, "chen"), (b.number, "wu"), (c.number, "zhang"), (d.number, "zhang")}
    assert left == []
    assert assignment.unassigned_jobs([bench.sp.id]) == []
    with pytest.raises(PermissionDenied):
        assignment.assign_all_proposed(bench.chen)


def test_an_engineer_takes_an_unassigned_job_they_are_qualified_for(bench):
    job = _job(bench.sp, brand="Xiaomi", fault_category="screen")
    event = assignment.claim(job, bench.wu)
    assert job.engineer is bench.wu and event.actor is bench.wu and event.data["claimed"] is True
    with pytest.raises(Conflict, match="already yours"):
        assignment.claim(job, bench.wu)
    with pytest.raises(PermissionDenied, match="assigned to wu"):
        assignment.claim(job, bench.zhang)
    board = _job(bench.sp, brand="Xiaomi", fault_category="no_power")
    with pytest.raises(PermissionDenied, match="needs level 2"):
        workflow.start_diagnosis(board, bench.wu)
    assert board.engineer is None
