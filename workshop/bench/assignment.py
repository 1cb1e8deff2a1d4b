"""Who repairs which job: qualification, the proposed engineer, assignment.

Qualification (PRODUCT.md section 5):

- brand: an engineer's ``brands`` list (comma separated) names the brands they
  repair; an empty list means every brand.  A job without a brand fits anyone.
- level: 1 covers screen, battery, port, camera, audio, buttons, housing and
  software work; board-level faults (no power, no boot, no signal, liquid damage,
  overheating, data recovery...: :data:`BOARD_LEVEL_FAULTS`) and any handset with
  liquid damage recorded at intake need level 2.  An engineer without a level
  counts as level 1.

The proposal is the least-loaded qualified active engineer of the job's service
point.  Load is the number of jobs assigned to the engineer that are still on the
bench (:data:`LOAD_STATUSES`: received up to QC).  Ties go to the lowest level that
qualifies (board-level engineers stay free for board work), then the name.

Only a manager assigns; an engineer may take an unassigned job they are qualified
for (:func:`claim`, used when they start its diagnosis).  Every assignment is a
job event ``assign`` with ``from``/``to``; nothing is committed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import bindparam, func, select

from models import (
    Conflict,
    Job,
    JobEvent,
    JobStatus,
    PermissionDenied,
    Role,
    User,
    ValidationError,
    db,
)
from models.jobs import open_jobs
from workshop.jobs import notes
from workshop.permissions.rules import check_service_point, may

S = JobStatus

#: Fault categories that need board-level (level 2) work.  Of the intake categories
#: (``workshop.intake.take_in.FAULT_CATEGORIES``): no_power, signal, wifi_bluetooth, overheating.
BOARD_LEVEL_FAULTS = frozenset({
    "no_power", "no_boot", "boot_loop", "restarting", "signal", "no_signal", "network", "baseband",
    "wifi_bluetooth", "wifi", "bluetooth", "liquid", "liquid_damage", "water_damage",
    "overheating", "short_circuit", "board", "motherboard", "data_recovery", "face_id",
    "not_charging_board", "audio_ic", "nfc",
})
BOARD_LEVEL = 2

#: Statuses in which a job counts towards its engineer's load.
LOAD_STATUSES = (S.RECEIVED, S.DIAGNOSING, S.AWAITING_APPROVAL, S.AWAITING_PARTS, S.REPAIRING, S.QC)
#: Statuses in which a job may still be (re)assigned.
ASSIGNABLE_STATUSES = (*LOAD_STATUSES, S.UNREPAIRABLE)


def required_level(job: Job) -> int:
    """The engineer level a job needs (1 or :data:`BOARD_LEVEL`)."""
    if (job.fault_category or "").strip().lower() in BOARD_LEVEL_FAULTS or job.liquid_damage:
        return BOARD_LEVEL
    return 1


def engineer_level(engineer: User) -> int:
    return engineer.engineer_level or 1


def unqualified_notes(engineer: User, job: Job) -> list[notes.Note]:
    """Why ``engineer`` is not qualified for ``job`` (empty when qualified), as history
    notes (English text with their code; :func:`notes.say` says them in any language)."""
    reasons = []
    if not _repairs_brand(_brands(engineer), job):
        reasons.append(notes.note("not_brand", label=engineer.label, brand=job.brand,
                                  brands=", ".join(engineer.brand_list)))
    need = required_level(job)
    if engineer_level(engineer) < need:
        if job.fault_category:
            reasons.append(notes.note("not_level_fault", label=engineer.label, level=engineer_level(engineer),
                                      fault=job.fault_category, need=need))
        else:
            reasons.append(notes.note("not_level", label=engineer.label, level=engineer_level(engineer),
                                      need=need))
    return reasons


def _brands(engineer: User) -> frozenset[str]:
    """The brands ``engineer`` repairs, in lower case (empty: every brand)."""
    return frozenset(b.lower() for b in engineer.brand_list)


def _repairs_brand(brands: frozenset[str], job: Job) -> bool:
    return not brands or not job.brand or job.brand.strip().lower() in brands


def _qualified(brands: frozenset[str], level: int, job: Job) -> bool:
    """The rule :func:`unqualified_notes` explains: the engineer repairs the job's brand
    and has the level it needs (``brands`` and ``level`` worked out once per engineer)."""
    return _repairs_brand(brands, job) and level >= required_level(job)


def unqualified_reasons(engineer: User, job: Job) -> list[str]:
    """Why ``engineer`` is not qualified for ``job`` (empty when qualified), in the
    current locale."""
    return [notes.say(n.code, n.args, str(n)) for n in unqualified_notes(engineer, job)]


def is_qualified(engineer: User, job: Job) -> bool:
    return _qualified(_brands(engineer), engineer_level(engineer), job)


# Built once, the ids a parameter: the board asks both on every request, and building a
# statement (and its cache key) costs more than running one this small.
_ENGINEERS_AT = (select(User).where(User.role == Role.ENGINEER.value, User.active.is_(True),
                                    User.service_point_id.in_(bindparam("ids", expanding=True)))
                 .order_by(User.display_name, User.username))
_LOADS = (select(Job.engineer_id, func.count(Job.id))
          .where(Job.engineer_id.in_(bindparam("ids", expanding=True)),
                 Job.status.in_([s.value for s in LOAD_STATUSES]), open_jobs())
          .group_by(Job.engineer_id))


def engineers_at(service_point_ids: Iterable[int]) -> list[User]:
    """Active engineers of these service points, by name."""
    ids = list(service_point_ids)
    if not ids:
        return []
    return list(db.session.scalars(_ENGINEERS_AT, {"ids": ids}))


def loads(engineer_ids: Iterable[int]) -> dict[int, int]:
    """Open bench jobs per engineer id (0 for those with none)."""
    ids = list(engineer_ids)
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update({engineer_id: n for engineer_id, n in db.session.execute(_LOADS, {"ids": ids})})
    return counts


@dataclass
class Proposal:
    job: Job
    engineer: User | None
    load: int | None = None

    @property
    def reason(self) -> str:
        if self.engineer is None:
            if self.job.brand:
                return gettext("No active engineer here repairs %(brand)s at level %(level)s.",
                               brand=self.job.brand, level=required_level(self.job))
            return gettext("No active engineer here repairs this brand at level %(level)s.",
                           level=required_level(self.job))
        return gettext("%(label)s: %(load)s open job(s), level %(level)s.", label=self.engineer.label,
                       load=self.load, level=engineer_level(self.engineer))


def _pick(job: Job, engineers: list[tuple[User, frozenset[str], int]], load: dict[int, int]) -> User | None:
    """``engineers``: each with their :func:`_brands` and level (worked out once for a
    list of jobs); qualified as :func:`is_qualified` says."""
    qualified = [(e, level) for e, brands, level in engineers
                 if e.service_point_id == job.service_point_id and _qualified(brands, level, job)]
    if not qualified:
        return None
    return min(qualified, key=lambda el: (load[el[0].id], el[1], el[0].label.lower(), el[0].id))[0]


def proposals(jobs: list[Job], *, engineers: list[User] | None = None,
              load: dict[int, int] | None = None) -> list[Proposal]:
    """Proposed engineers for several jobs at once, in the order given.

    Each proposal counts the jobs proposed before it, so a morning's intake is
    spread over the bench rather than all given to whoever is least loaded now.
    A caller that has already read the active engineers of the jobs' service points
    (:func:`engineers_at`) and their :func:`loads` passes them (``load`` is not
    changed); otherwise they are read here.
    """
    if engineers is None:
        engineers = engineers_at({j.service_point_id for j in jobs})
    load = dict(load) if load is not None else loads(e.id for e in engineers)
    qualities = [(e, _brands(e), engineer_level(e)) for e in engineers]
    out = []
    for job in jobs:
        engineer = _pick(job, qualities, load)
        out.append(Proposal(job, engineer, load[engineer.id] if engineer else None))
        if engineer is not None:
            load[engineer.id] += 1
    return out


def propose(job: Job) -> User | None:
    """The least-loaded active engineer at the job's service point qualified for it, or None."""
    return proposals([job])[0].engineer


def _check_assignable(job: Job) -> None:
    if job.job_status not in ASSIGNABLE_STATUSES:
        raise Conflict(gettext("Job %(number)s is %(status)s; it is no longer on the bench to assign.",
                               number=job.number, status=job.status))


def _bench_location(job: Job, engineer: User) -> None:
    # A handset on someone's bench moves to the new engineer's bench.
    if (job.location or "").startswith("bench"):
        job.location = bench_location(engineer)


def bench_location(engineer: User | None) -> str:
    """Where a handset is while an engineer works on it: ``bench · <username>``."""
    return f"bench · {engineer.username}"[:40] if engineer is not None else "bench"


def assign(job: Job, engineer: User | None, actor: User, *, proposed: bool = False) -> JobEvent | None:
    """Assign (or reassign) ``job`` to ``engineer``; ``None`` takes the proposed engineer.

    Only a manager of the job's service point assigns.  The engineer must be an active
    engineer of the job's service point; a manager may assign one who is not qualified
    (the event records it).  Assigning the current engineer again changes nothing and
    returns None.  Raises PermissionDenied (not a manager, other service point),
    Conflict (job no longer on the bench, nobody to propose), ValidationError (not an
    engineer here).  Appends an ``assign`` event; flushes, never commits.
    """
    if not may(actor, "job.assign"):
        raise PermissionDenied(gettext("Only a manager assigns jobs to engineers."))
    check_service_point(actor, job.service_point_id)
    _check_assignable(job)
    if engineer is None:
        engineer = propose(job)
        proposed = True
        if engineer is None:
            raise Conflict(gettext("%(reason)s Assign someone by name.", reason=Proposal(job, None).reason))
    if not may(engineer, "job.work_on", job):
        raise ValidationError(
            gettext("%(label)s is not an active engineer at %(code)s.",
                    label=engineer.label, code=job.service_point.code),
            field="engineer",
        )
    previous = job.engineer
    if previous is not None and previous.id == engineer.id:
        return None
    reasons = unqualified_notes(engineer, job)
    load = loads([engineer.id])[engineer.id]
    if previous is None:
        note = notes.note("assigned_proposed" if proposed else "assigned", label=engineer.label)
    else:
        note = notes.note("reassigned", before=previous.label, label=engineer.label)
    if reasons:
        note = notes.join(note, notes.note("not_qualified"), *reasons)
    job.engineer = engineer
    _bench_location(job, engineer)
    event = job.add_event("assign", actor, note=note, data={
        "from": previous.username if previous else None,
        "to": engineer.username,
        "proposed": proposed,
        "qualified": not reasons,
        "load_before": load,
    })
    db.session.flush()
    return event


def claim(job: Job, engineer: User) -> JobEvent:
    """An engineer takes an unassigned job they are qualified for.

    Raises PermissionDenied when the job is someone else's, belongs to another service
    point, or the engineer is not qualified (the reasons are named); Conflict when the
    job is no longer on the bench.  Appends an ``assign`` event; flushes only.
    """
    check_service_point(engineer, job.service_point_id)
    _check_assignable(job)
    if job.engineer is not None:
        if job.engineer.id == engineer.id:
            raise Conflict(gettext("Job %(number)s is already yours.", number=job.number))
        raise PermissionDenied(gettext("Job %(number)s is assigned to %(label)s.", number=job.number, label=job.engineer.label))
    if not may(engineer, "job.take", job):
        raise PermissionDenied(gettext("Only an engineer of this service point takes jobs from the queue."))
    reasons = unqualified_reasons(engineer, job)
    if reasons:
        raise PermissionDenied(" ".join(reasons) + " " + gettext("Ask a manager to assign it."))
    job.engineer = engineer
    _bench_location(job, engineer)
    event = job.add_event("assign", engineer, note=notes.note("taken", label=engineer.label), data={
        "from": None, "to": engineer.username, "proposed": False, "qualified": True, "claimed": True,
    })
    db.session.flush()
    return event


def unassigned_jobs(service_point_ids: Iterable[int]) -> list[Job]:
    """Jobs on the bench with no engineer, oldest promise first."""
    return list(db.session.scalars(
        select(Job).where(Job.service_point_id.in_(list(service_point_ids)), Job.engineer_id.is_(None),
                          Job.status.in_([s.value for s in LOAD_STATUSES]), open_jobs())
        .order_by(Job.promised_by, Job.id)
    ))


def assign_all_proposed(actor: User, service_point_ids: Iterable[int] | None = None
                        ) -> tuple[list[JobEvent], list[Proposal]]:
    """Assign every unassigned job to its proposed engineer (the board's bulk button).

    Returns ``(events, left)``: the assignment events and the proposals that found
    nobody qualified.  Raises PermissionDenied unless ``actor`` is a manager.  Flushes.
    """
    if not may(actor, "job.assign"):
        raise PermissionDenied(gettext("Only a manager assigns jobs to engineers."))
    ids = set(service_point_ids or actor.service_point_ids) & actor.service_point_ids
    events, left = [], []
    for proposal in proposals(unassigned_jobs(ids)):
        if proposal.engineer is None:
            left.append(proposal)
            continue
        event = assign(proposal.job, proposal.engineer, actor, proposed=True)
        if event is not None:
            events.append(event)
    return events, left
