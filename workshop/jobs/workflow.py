"""The repair workflow: the one entry point the bench, the desk, the API and the other
areas call to change a job's status.

:func:`move` wraps :meth:`models.Job.move_to` (which checks the transition table, the
actor's role and the person rules, and appends the status event) with the rules that
look at more than the two statuses:

- cancelling (``cancelled``) and giving up (``unrepairable``) need a reason (the note);
- leaving ``qc`` is the QC decision: ``ready`` passes the checklist (:data:`QC_CHECKS`,
  all of them), back to ``repairing`` fails it with the failed checks recorded in the
  event (``data.qc``); done by someone other than the repairer (the model's rule);
- leaving ``awaiting_approval`` records the customer's answer (``data.approval``):
  on to ``repairing``/``awaiting_parts`` is approved (the diagnosed price becomes the
  agreed estimate and ceiling), ``ready`` (returned unrepaired) or ``cancelled`` is
  declined; only the desk (receptionist, manager) records it;
- handing a handset back (``collected``) belongs to pickup (customer verification
  and payment), which passes ``handover=True``;
- an engineer starting the diagnosis of an unassigned job takes it
  (:func:`workshop.bench.assignment.claim`: qualified engineers only).

The bench steps build on it: :func:`record_diagnosis` (to ``awaiting_approval`` when
the price is above the ceiling the customer agreed), :func:`record_repair`,
:func:`qc_pass`/:func:`qc_fail`, :func:`record_approval`.  Everything flushes and
nothing commits; on a domain error the caller rolls back.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from models import (
    DEFAULT_LOCATION,
    Job,
    JobEvent,
    JobStatus,
    User,
    ValidationError,
    WorkflowError,
    db,
)
from models.words import status_words
from workshop.bench import assignment
from workshop.core.money import parse_optional_money
from workshop.core.signals import job_moved
from workshop.jobs import notes
from workshop.permissions.rules import may

S = JobStatus

#: The QC checklist: code -> what the checker confirms.  A pass confirms them all.
#: (History notes are stored in English; the bench forms translate the labels.)
QC_CHECKS: dict[str, str] = {
    "powers_on": "Powers on and boots normally",
    "original_fault": "The reported fault is gone",
    "display_touch": "Display and touch: no dead pixels or dead zones",
    "audio": "Earpiece, speaker and microphone (test call)",
    "cameras": "Cameras and flash",
    "charging": "Charges by cable",
    "network": "SIM signal, Wi-Fi and Bluetooth",
    "buttons": "Buttons, switches and vibration",
    "biometrics": "Fingerprint or face unlock",
    "housing": "Housing closed, screws in, no gaps, clean",
    "imei": "IMEI (*#06#) matches the ticket",
}
#: A failure outside the checklist (described in the note).
QC_OTHER = "other"

#: How the desk heard the customer's answer to an estimate overrun.
APPROVAL_CHANNELS: dict[str, str] = {
    "phone": "by phone",
    "in_person": "in person",
    "message": "by text message / WeChat",
    "email": "by email",
}

#: What the engineer says comes after the diagnosis.
DIAGNOSIS_NEXT = (S.REPAIRING, S.AWAITING_PARTS, S.UNREPAIRABLE)

#: Moves that need a reason in the note.
REASON_NEEDED = {
    S.CANCELLED: _l("Cancelling needs a reason."),
    S.UNREPAIRABLE: _l("Say why the handset cannot be repaired."),
}


def price_limit(job: Job) -> Decimal:
    """The most the customer agreed to pay without being asked again: the ceiling,
    or the agreed estimate where no separate ceiling was recorded."""
    if job.estimate_ceiling is not None:
        return Decimal(job.estimate_ceiling)
    return Decimal(job.estimate_amount or 0)


def default_location(job: Job, target: JobStatus) -> str:
    """Where the handset goes with a move: the engineer's own bench for bench statuses."""
    where = DEFAULT_LOCATION[target]
    if where == "bench" and job.engineer is not None:
        return assignment.bench_location(job.engineer)
    return where


def _last_entry(job: Job, status: JobStatus) -> JobEvent | None:
    for event in reversed(job.events):
        if event.kind == "status" and event.to_status == status.value:
            return event
    return None


def _qc_data(target: JobStatus, note: str, checks, failed_checks) -> tuple[dict, str]:
    """Validate a QC decision; return the event's ``qc`` data and the note to record."""
    known = set(QC_CHECKS)
    failed = [c for c in dict.fromkeys(failed_checks or [])]
    unknown = [c for c in failed if c not in known and c != QC_OTHER]
    if checks is not None:
        unknown += [c for c in checks if c not in known]
    if unknown:
        raise ValidationError(
            gettext("Unknown QC check(s): %(unknown)s. Checks: %(choices)s, %(other)s.",
                    unknown=', '.join(unknown), choices=', '.join(QC_CHECKS), other=QC_OTHER),
            field="failed_checks" if failed else "checks",
        )
    if target == S.READY:
        passed = list(QC_CHECKS) if checks is None else [c for c in QC_CHECKS if c in set(checks)]
        missing = [c for c in QC_CHECKS if c not in passed]
        if failed or missing:
            names = ", ".join(str(notes.QC_WORDS.get(c, c)) for c in (failed or missing))
            raise ValidationError(
                gettext("QC passes only when every check passes; not passed: %(names)s. Fail "
                        "QC instead.",
                        names=names),
                field="checks",
            )
        return {"result": "pass", "passed": passed, "failed": []}, note
    # Back to repairing: the failure, with what failed.
    if not failed and checks is not None:
        failed = [c for c in QC_CHECKS if c not in set(checks)]
    if not failed:
        if not note:
            raise ValidationError(gettext("Say what failed QC: tick the failed checks or write a note."),
                                  field="failed_checks")
        failed = [QC_OTHER]
    recorded = notes.note("qc_failed", checks=[c if c in QC_CHECKS else QC_OTHER for c in failed], extra=note)
    passed = [c for c in QC_CHECKS if c not in failed]
    return {"result": "fail", "passed": passed, "failed": failed}, recorded


def _approval_data(job: Job, target: JobStatus, actor: User, channel: str | None, note: str
                   ) -> tuple[dict, str]:
    """The customer's answer to an overrun: update the agreed estimate when approved."""
    if channel is not None and channel not in APPROVAL_CHANNELS:
        raise ValidationError(gettext("Choose how the customer answered: %(choices)s.", choices=', '.join(APPROVAL_CHANNELS)),
                              field="channel")
    approved = target in (S.REPAIRING, S.AWAITING_PARTS)
    asked = _last_entry(job, S.AWAITING_APPROVAL)
    pending = (asked.data or {}) if asked is not None else {}
    data = {"answer": "approved" if approved else "declined", "channel": channel or "unspecified"}
    estimate = pending.get("estimate")
    via = "_via" if channel else ""
    said = {"channel": channel} if channel else {}
    if approved:
        if estimate is not None:
            data["estimate_was"] = str(job.estimate_amount)
            data["ceiling_was"] = str(job.estimate_ceiling) if job.estimate_ceiling is not None else None
            job.estimate_amount = Decimal(estimate)
            job.estimate_ceiling = Decimal(estimate)
            data["estimate"] = estimate
            text = notes.note("approved_estimate" + via, estimate=estimate, extra=note, **said)
        else:
            text = notes.note("approved" + via, extra=note, **said)
    else:
        code = "declined_returned" if target == S.READY else "declined"
        text = notes.note(code + via, extra=note, **said)
    return data, text


def move(job: Job, to: JobStatus | str, actor: User, *, note: str | None = None,
         location: str | None = None, data: dict | None = None, checks: list[str] | None = None,
         failed_checks: list[str] | None = None, channel: str | None = None,
         handover: bool = False) -> JobEvent:
    """Move ``job`` to ``to`` for ``actor`` and return the status event.

    ``checks`` (passed QC checks; None on a pass means the whole checklist) and
    ``failed_checks`` apply to the QC decision, ``channel`` to the customer's answer
    out of ``awaiting_approval``.  ``location`` defaults to where the new status keeps
    the handset (the engineer's bench, the parts wait shelf...).  ``handover`` is for
    pickup only.  Raises WorkflowError (naming the allowed moves) for a move the
    workflow forbids, PermissionDenied for one this actor may not make,
    ValidationError for a missing reason or a bad checklist.  Flushes, never commits.
    """
    target = job.check_move(to, actor) if not _claims(job, to, actor) else S.DIAGNOSING
    frm = job.job_status
    note = note if isinstance(note, notes.Note) else (note or "").strip()
    data = dict(data or {})
    if target == S.COLLECTED and not handover:
        raise WorkflowError(
            gettext("A handset goes back to its owner through pickup (customer check and "
                    "payment): use the pickup page or POST /api/v1/jobs/%(number)s/pickup.",
                    number=job.number)
        )
    if target in REASON_NEEDED and not note:
        raise ValidationError(str(REASON_NEEDED[target]), field="note")
    if frm == S.QC:
        data["qc"], note = _qc_data(target, note, checks, failed_checks)
    elif checks or failed_checks:
        raise ValidationError(gettext("QC checks are recorded only when a job leaves QC."), field="checks")
    if frm == S.AWAITING_APPROVAL:
        data["approval"], note = _approval_data(job, target, actor, channel, note)
    if frm in (S.AWAITING_APPROVAL, S.UNREPAIRABLE) and target == S.READY:
        data["unrepaired"] = True
    if _claims(job, target, actor):
        assignment.claim(job, actor)
    event = job.move_to(target, actor, note=note, location=location or default_location(job, target),
                        data=data)
    db.session.flush()
    _after_move(job, event)
    return event


def moves_for(job: Job, user: User) -> list[JobStatus]:
    """The moves ``user`` may make on ``job`` now: :meth:`Job.moves_for`, plus starting
    the diagnosis of an unassigned job they are qualified to take."""
    moves = job.moves_for(user)
    if (_claims(job, S.DIAGNOSING, user) and user.service_point_id == job.service_point_id
            and assignment.is_qualified(user, job)):
        moves.insert(0, S.DIAGNOSING)
    return moves


def _claims(job: Job, to, actor: User) -> bool:
    # An engineer starting an unassigned job from the queue takes it.
    return (job.job_status == S.RECEIVED and str(to) == S.DIAGNOSING.value
            and may(actor, "job.take") and job.engineer is None)


def _after_move(job: Job, event: JobEvent) -> None:
    """Run after every move (the move is flushed, not committed): tell the domains that
    listen (:data:`workshop.core.signals.job_moved`), in the same transaction.

    The parts ledger gives back what a job that no longer needs parts reserved
    (``workshop.parts.ledger``); the outbox tells the customer about ``ready`` (pick up
    your handset) and ``awaiting_approval`` (we need your answer)
    (``workshop.notifications.outbox``).
    """
    job_moved.send(job, event=event, actor=event.actor, from_status=event.from_status,
                   to_status=event.to_status)


def start_diagnosis(job: Job, actor: User, *, note: str | None = None) -> JobEvent:
    """``received`` -> ``diagnosing`` (an engineer takes an unassigned job).  See :func:`move`."""
    return move(job, S.DIAGNOSING, actor, note=note)


def record_diagnosis(job: Job, actor: User, *, findings: str, estimate=None,
                     next_status: JobStatus | str = S.REPAIRING, location: str | None = None) -> JobEvent:
    """Record the diagnosis and move on; return the status event.

    ``findings`` (required) is what the engineer found; ``estimate`` the price to the
    customer (parts and labour) now that the fault is known, or None to keep the agreed
    estimate; ``next_status`` one of repairing, awaiting_parts, unrepairable.  A price
    above :func:`price_limit` sends a repairable job to ``awaiting_approval`` first (the
    desk asks the customer; approval then goes on to ``next_status``).  A job still
    ``received`` is started first.  Raises ValidationError for missing findings, a bad
    amount or next step; WorkflowError/PermissionDenied as :func:`move`.  Flushes only.
    """
    findings = (findings or "").strip()
    errors = {}
    if not findings:
        errors["findings"] = [gettext("Write down what you found.")]
    try:
        then = JobStatus(next_status)
    except ValueError:
        then = None
    if then not in DIAGNOSIS_NEXT:
        errors["next_status"] = [gettext("Choose one of: %(choices)s.", choices=', '.join(s.value for s in DIAGNOSIS_NEXT))]
    try:
        price = parse_optional_money(estimate, "estimate")
    except ValidationError as exc:
        errors.update(exc.errors)
        price = None
    if errors:
        raise ValidationError(gettext("The diagnosis was not recorded."), errors=errors)
    if job.job_status == S.RECEIVED:
        start_diagnosis(job, actor)
    if job.job_status != S.DIAGNOSING:
        raise WorkflowError(gettext("A diagnosis is recorded while diagnosing; job %(number)s is "
                                    "%(status)s.",
                                    number=job.number, status=status_words(job.status)))
    limit = price_limit(job)
    over = price is not None and price > limit and then != S.UNREPAIRABLE
    # Check the whole step before writing anything.
    job.check_move(S.AWAITING_APPROVAL if over else then, actor)
    facts = {"estimate": str(price) if price is not None else None, "limit": str(limit),
             "next": then.value, "over_limit": over}
    if price is not None and not over:
        facts["estimate_was"] = str(job.estimate_amount)
        job.estimate_amount = price
    job.add_event("diagnosis", actor, note=findings, data=facts)
    if over:
        return move(job, S.AWAITING_APPROVAL, actor, location=location, data={
            "estimate": str(price), "ceiling": str(limit), "then": then.value},
            note=notes.note("over_estimate", price=str(price), limit=str(limit)))
    return move(job, then, actor, location=location, note=findings if then == S.UNREPAIRABLE else None)


def record_approval(job: Job, actor: User, approved: bool, channel: str, note: str | None = None
                    ) -> JobEvent:
    """Record the customer's answer to an estimate overrun; return the status event.

    Approved: the job goes on to the step the engineer chose at diagnosis (repairing or
    awaiting_parts; back to where it was when asked later).  Declined: ``ready``, to be
    returned unrepaired.  Raises WorkflowError unless the job is awaiting_approval,
    ValidationError for an unknown channel, PermissionDenied unless the actor is at the
    desk (receptionist, manager).  Flushes only.
    """
    if job.job_status != S.AWAITING_APPROVAL:
        raise WorkflowError(gettext("Job %(number)s is %(status)s, not waiting for the customer's approval.",
                                    number=job.number, status=status_words(job.status)))
    if channel not in APPROVAL_CHANNELS:
        raise ValidationError(gettext("Choose how the customer answered: %(choices)s.", choices=', '.join(APPROVAL_CHANNELS)),
                              field="channel")
    if not approved:
        return move(job, S.READY, actor, note=note, channel=channel)
    asked = _last_entry(job, S.AWAITING_APPROVAL)
    then = (asked.data or {}).get("then") if asked is not None else None
    if then not in (S.REPAIRING.value, S.AWAITING_PARTS.value):
        came_from = asked.from_status if asked is not None else None
        then = came_from if came_from == S.AWAITING_PARTS.value else S.REPAIRING.value
    return move(job, then, actor, note=note, channel=channel)


def record_repair(job: Job, actor: User, *, actions: str, parts_fitted: str = "",
                  hand_to_qc: bool = False) -> JobEvent:
    """Record repair work on a job being repaired; with ``hand_to_qc`` also move it to QC.

    Returns the ``repair`` event (or the QC hand-over's status event).  Raises
    ValidationError without ``actions``, WorkflowError unless the job is repairing,
    PermissionDenied unless the actor may work on it (its engineer or a manager).
    Flushes only.
    """
    actions = (actions or "").strip()
    if not actions:
        raise ValidationError(gettext("Write down what you did."), field="actions")
    if job.job_status != S.REPAIRING:
        raise WorkflowError(gettext("Repair work is recorded while repairing; job %(number)s is %(status)s.",
                                    number=job.number, status=status_words(job.status)))
    job.check_move(S.QC, actor)  # the same hands that may hand it to QC
    event = job.add_event("repair", actor, note=actions,
                          data={"parts_fitted": (parts_fitted or "").strip()})
    if hand_to_qc:
        return move(job, S.QC, actor, note=notes.note("repair_done"))
    db.session.flush()
    return event


def qc_pass(job: Job, actor: User, *, checks: list[str] | None = None, note: str | None = None) -> JobEvent:
    """QC passed: ``qc`` -> ``ready`` with every check of :data:`QC_CHECKS` confirmed
    (``checks`` None confirms them all).  Raises as :func:`move`."""
    return move(job, S.READY, actor, note=note, checks=checks)


def qc_fail(job: Job, actor: User, *, failed_checks: list[str], note: str | None = None) -> JobEvent:
    """QC failed: ``qc`` -> ``repairing`` with the failed checks recorded.  Raises as :func:`move`."""
    return move(job, S.REPAIRING, actor, note=note, failed_checks=failed_checks)
