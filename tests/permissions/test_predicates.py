"""The named permission predicates (workshop.permissions.rules.may): pure, so they are
tried on plain objects, no database."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from workshop.permissions.rules import PREDICATES, may


def person(role: str, sp: int = 1, *, granted=(), active: bool = True):
    return SimpleNamespace(role=role, service_point_id=sp, service_point_ids={sp, *granted}, active=active,
                           is_authenticated=True)


def job(sp: int = 1):
    return SimpleNamespace(service_point_id=sp)


@pytest.mark.parametrize(("who", "what", "expected"), [
    (person("manager"), job(1), True),
    (person("manager"), job(2), False),  # another service point
    (person("manager", granted=(2,)), job(2), True),
    (person("engineer"), job(1), False),
    (person("admin"), job(1), False),  # admins configure, managers run the bench
])
def test_only_a_manager_of_the_job_s_service_point_assigns_it(who, what, expected):
    assert may(who, "job.assign", what) is expected


def test_engineers_take_work_at_their_own_service_point_only():
    assert may(person("engineer"), "job.take", job(1))
    assert not may(person("engineer"), "job.take", job(2))
    assert not may(person("manager"), "job.take", job(1))


def test_a_job_is_given_to_active_engineers_of_its_service_point():
    assert may(person("engineer"), "job.work_on", job(1))
    assert not may(person("engineer", active=False), "job.work_on", job(1))
    assert not may(person("clerk"), "job.work_on", job(1))


def test_managers_manage_non_admin_accounts_of_their_service_points():
    sp1, sp2 = SimpleNamespace(id=1), SimpleNamespace(id=2)
    manager, admin = person("manager"), person("admin")
    assert may(manager, "user.manage", ("engineer", sp1))
    assert not may(manager, "user.manage", ("engineer", sp2))
    assert not may(manager, "user.manage", ("admin", sp1))
    assert may(admin, "user.manage", ("admin", sp2))
    assert not may(person("receptionist"), "user.manage")


def test_permissions_of_the_role_table_are_asked_the_same_way():
    assert may(person("receptionist"), "job.intake") and not may(person("engineer"), "job.intake")
    assert not may(None, "job.view")
    with pytest.raises(KeyError):
        may(person("admin"), "no.such.rule")


def test_every_predicate_refuses_someone():
    # A predicate that lets everyone through would be a rule that says nothing.
    nobody = person("receptionist")
    assert all(not rule(nobody, None) for rule in PREDICATES.values())
