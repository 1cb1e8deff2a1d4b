"""Who may do what, written once.

``PERMISSIONS`` maps a permission to the roles that hold it; ``ENDPOINT_RULES`` maps
every registered endpoint (optionally per HTTP method) to a permission, ``PUBLIC``
or ``LOGIN``.  A ``before_request`` hook (``workshop.permissions.web``) enforces the
table for every request, so a view cannot forget its check; an endpoint missing from the table is refused (and
``tests/permissions/test_permissions.py`` fails).  Templates get ``can()``.

Service-point scoping (a user sees only their own service point's data unless
granted more) is the second check, done where the object is loaded:
:func:`check_service_point`.

Rules about a person and a thing (may this manager assign this job? may this user
manage that account?) are named predicates, :data:`PREDICATES`, asked through
:func:`may` by domain code, views, the API and templates alike, so no other module
tests a role by name.
"""

from __future__ import annotations

from flask_babel import gettext

from models import PermissionDenied, Role

PUBLIC = "public"
LOGIN = "login"  # any signed-in user

R = Role
STAFF = frozenset(Role)
DESK = frozenset({R.RECEPTIONIST, R.MANAGER})
BENCH = frozenset({R.ENGINEER, R.MANAGER})
STORE = frozenset({R.CLERK, R.MANAGER})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "job.view": STAFF,
    "job.intake": DESK,
    "job.print": STAFF,
    "job.assign": frozenset({R.MANAGER}),
    "job.move": STAFF,  # which move a role may make is the workflow's rule (models.jobs)
    "bench.work": BENCH,
    "job.approve": DESK,  # recording the customer's answer to an estimate overrun
    "pickup": DESK,
    "parts.view": STAFF,
    "parts.manage": STORE,
    "parts.request": BENCH,
    "parts.issue": STORE,
    "parts.handle": BENCH | STORE,  # return unused/faulty parts, log the old part, cancel a requisition
    "blocked.manage": frozenset({R.MANAGER}),
    "blocked.override": frozenset({R.MANAGER}),
    "intake.open_job_override": frozenset({R.MANAGER}),
    "tac.import": frozenset({R.MANAGER, R.ADMIN}),
    "reports.view": frozenset({R.MANAGER}),
    "users.manage": frozenset({R.MANAGER, R.ADMIN}),
    "service_points.manage": frozenset({R.ADMIN}),
    "service_points.settings": frozenset({R.MANAGER, R.ADMIN}),
    "policies.manage": frozenset({R.ADMIN}),
    "aftercare": DESK,  # register and handle complaints, follow-up calls, contact log
    "aftercare.view": STAFF,  # read a complaint (engineers and clerks: the one on their job)
    "aftercare.manage": frozenset({R.MANAGER}),  # approve beyond staff authority, close
    "loaners.manage": frozenset({R.MANAGER}),
    "outbox.view": DESK,
    "outbox.send": frozenset({R.MANAGER}),
}

#: endpoint -> permission, or {HTTP method: permission} for endpoints serving several.
ENDPOINT_RULES: dict[str, str | dict[str, str]] = {
    # infrastructure
    "static": PUBLIC,
    "main.favicon": PUBLIC,
    "health.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": LOGIN,
    "profile.profile": LOGIN,
    "main.index": LOGIN,
    "main.scan": "job.view",
    # jobs
    "jobs.detail": "job.view",
    "jobs.search": "job.view",
    # intake (front desk), TAC table, blocked register, warranty policies
    "intake.new": "job.intake",
    "intake.tac_import": "tac.import",
    "intake.tac_import_detail": "tac.import",
    "intake.blocked_list": "blocked.manage",
    "intake.blocked_lift": "blocked.manage",
    "intake.policies": "policies.manage",
    "intake.policy_new": "policies.manage",
    "intake.policy_edit": "policies.manage",
    "api_imei.ImeiLookup": "job.view",
    "api_intake.Preview": "job.intake",
    "api_intake.CustomerLookup": "job.intake",
    "api_jobs.Jobs": {"GET": "job.view", "POST": "job.intake"},
    "api_jobs.JobByNumber": "job.view",
    # printing
    "printing.job_label": "job.print",
    "printing.job_ticket": "job.print",
    "printing.intake_batch": "job.print",
    "printing.bin_labels": "parts.manage",
    # bench (issue 5): queue, board, workbench posts, and its API
    "bench.queue": "bench.work",
    "bench.board": "job.assign",
    "bench.assign": "job.assign",
    "bench.assign_all": "job.assign",
    "bench.move": "job.move",
    "bench.diagnosis": "bench.work",
    "bench.repair": "bench.work",
    "bench.qc": "bench.work",
    "bench.approval": "job.approve",
    "api_bench.Scan": "job.view",
    "api_bench.Assign": "job.assign",
    "api_bench.Status": "job.move",
    "api_bench.Diagnosis": "bench.work",
    "api_bench.Approval": "job.approve",
    # parts store (workshop/parts) and the parts API
    "parts.index": "parts.manage",
    "parts.catalogue": "parts.view",
    "parts.part_detail": "parts.view",
    "parts.part_new": "parts.manage",
    "parts.part_edit": "parts.manage",
    "parts.adjust": "parts.manage",
    "parts.requisitions": "parts.issue",
    "parts.requisition": "parts.issue",
    "parts.requisition_cancel": "parts.handle",
    "parts.receive": "parts.manage",
    "parts.stock_take": "parts.manage",
    "parts.transfers": "parts.manage",
    "parts.transfer_new": "parts.manage",
    "parts.transfer_confirm": "parts.manage",
    "parts.transfer_cancel": "parts.manage",
    "parts.defectives": "parts.manage",
    "parts.defective_update": "parts.manage",
    "parts.import_csv": "parts.manage",
    "parts.export_catalogue": "parts.manage",
    "parts.export_reorder": "parts.manage",
    "parts.job_request": "parts.request",
    "parts.job_part_options": "parts.request",
    "parts.job_return": "parts.handle",
    "parts.job_defective": "parts.handle",
    "parts.job_old_part": "parts.handle",
    "api_parts.Parts": {"GET": "parts.view", "POST": "parts.manage"},
    "api_parts.PartBySku": "parts.view",
    "api_parts.StockReceipts": "parts.manage",
    "api_parts.JobRequisitions": {"GET": "parts.view", "POST": "parts.request"},
    "api_parts.Requisitions": "parts.view",
    "api_parts.RequisitionById": "parts.view",
    "api_parts.RequisitionIssue": "parts.issue",
    "api_parts.RequisitionCancel": "parts.handle",
    # admin
    "admin.users": "users.manage",
    "admin.user_new": "users.manage",
    "admin.user_edit": "users.manage",
    "admin.service_points": "service_points.manage",
    "admin.service_point_new": "service_points.manage",
    "admin.service_point_settings": "service_points.settings",
    # pickup (workshop/pickup), loaners, outbox; the public status page
    "pickup.counter": "pickup",
    "pickup.job": "pickup",
    "pickup.verify": "pickup",
    "pickup.charges": "pickup",
    "pickup.collect": "pickup",
    "pickup.deposit": "pickup",
    "pickup.uncollected": "pickup",
    "pickup.uncollected_csv": "pickup",
    "pickup.queue_reminders": "pickup",
    "pickup.receipt": "job.print",
    "pickup.loaners": "pickup",
    "pickup.loaner_new": "loaners.manage",
    "pickup.loaner_detail": "pickup",
    "pickup.loaner_return": "pickup",
    "pickup.loaner_retire": "loaners.manage",
    "pickup.lend": "pickup",
    "pickup.outbox": "outbox.view",
    "pickup.outbox_send": "outbox.send",
    "pickup.outbox_retry": "outbox.send",
    "track.lookup": PUBLIC,
    "track.status": PUBLIC,
    "api_pickup.JobPickup": "pickup",
    "api_pickup.JobBill": "job.view",
    # reports (workshop/reports): managers only
    "reports.index": "reports.view",
    "reports.drill": "reports.view",
    "reports.table_csv": "reports.view",
    "reports.workbook": "reports.view",
    "reports.complaints": "reports.view",
    "reports.complaints_csv": "reports.view",
    "reports.complaints_pdf": "reports.view",
    "reports.complaint_list": "reports.view",
    "reports.satisfaction_list": "reports.view",
    "api_reports.Complaints": "reports.view",
    "api_reports.Kpis": "reports.view",
    # after-sales care (workshop/aftercare): pages, printouts, the public follow-up page, API
    "aftercare.register_list": "aftercare",
    "aftercare.new": "aftercare",
    "aftercare.detail": "aftercare.view",
    "aftercare.respond": "aftercare",
    "aftercare.escalate": "aftercare",
    "aftercare.raise_level": "aftercare",
    "aftercare.report": "aftercare",
    "aftercare.add_remedy": "aftercare",
    "aftercare.remedy_done": "aftercare",
    "aftercare.remedy_approve": "aftercare.manage",
    "aftercare.agreement": "aftercare",
    "aftercare.close": "aftercare.manage",
    "aftercare.agreement_pdf": "aftercare.view",
    "aftercare.report_pdf": "aftercare.view",
    "aftercare.calls": "aftercare",
    "aftercare.call": "aftercare",
    "aftercare.contact_log": "aftercare",
    "aftercare.public_answer": PUBLIC,
    "api_aftercare.Complaints": "aftercare",
    "api_aftercare.ComplaintByNumber": "aftercare.view",
    "api_aftercare.ComplaintRespond": "aftercare",
    "api_aftercare.ComplaintEscalate": "aftercare",
    "api_aftercare.ComplaintLevel": "aftercare",
    "api_aftercare.ComplaintReport": "aftercare",
    "api_aftercare.ComplaintRemedies": "aftercare",
    "api_aftercare.RemedyApprove": "aftercare.manage",
    "api_aftercare.RemedyDone": "aftercare",
    "api_aftercare.ComplaintAgreement": "aftercare",
    "api_aftercare.ComplaintClose": "aftercare.manage",
    "api_aftercare.FollowUps": "aftercare",
    "api_aftercare.FollowUpById": "aftercare",
    "api_aftercare.Contacts": "aftercare",
    # API
    "api-docs.openapi_json": LOGIN,
    "api.Me": LOGIN,
    # own API tokens and sessions (workshop/account); who else may see them is
    # workshop.core.tokens.check_may_see_tokens
    "account.tokens": LOGIN,
    "account.user_tokens": "users.manage",
    "account.revoke_token": LOGIN,
    "api_tokens.Tokens": LOGIN,
    "api_tokens.TokenById": LOGIN,
}


def can(user, permission: str) -> bool:
    """True when ``user`` holds ``permission`` (PUBLIC/LOGIN included)."""
    if permission == PUBLIC:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if permission == LOGIN:
        return True
    try:
        roles = PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}") from None
    return user.role in roles


def rule_for(endpoint: str | None, method: str) -> str | None:
    """The permission an endpoint needs for ``method``; None when no rule is written."""
    if endpoint is None:
        return None
    rule = ENDPOINT_RULES.get(endpoint)
    if isinstance(rule, dict):
        return rule.get(method) or (rule.get("GET") if method in ("HEAD", "OPTIONS") else None)
    return rule


def check_service_point(user, service_point_id: int) -> None:
    """Raise PermissionDenied unless ``user`` may see data of that service point."""
    if service_point_id not in user.service_point_ids:
        raise PermissionDenied(gettext("This belongs to another service point."))


# -- named predicates: may(actor, "job.assign", job) ---------------------------------


def _sees(actor, service_point_id: int | None) -> bool:
    return service_point_id is None or service_point_id in actor.service_point_ids


def _role(actor) -> str:
    return str(getattr(actor, "role", "") or "")


def _assign(actor, job) -> bool:
    # A manager assigns (and reassigns) bench work, at their own service points.
    return _role(actor) == R.MANAGER and (job is None or _sees(actor, job.service_point_id))


def _take(actor, job) -> bool:
    # An engineer takes unassigned work from the queue of their own service point.
    return _role(actor) == R.ENGINEER and (job is None or actor.service_point_id == job.service_point_id)


def _work_on(person, job) -> bool:
    # Whom a job may be given to: an active engineer of the job's service point.
    return (_role(person) == R.ENGINEER and bool(getattr(person, "active", True))
            and (job is None or person.service_point_id == job.service_point_id))


def _manage_user(actor, target) -> bool:
    # ``target``: (role, service point) of the account; admins manage every account, a
    # manager the non-admin accounts of the service points they see.
    if _role(actor) == R.ADMIN:
        return True
    if _role(actor) != R.MANAGER:
        return False
    if target is None:
        return True
    role, service_point = target
    return str(role) != R.ADMIN and _sees(actor, getattr(service_point, "id", None))


def _every_service_point(actor, _obj) -> bool:
    # Admins see and configure every service point of the chain.
    return _role(actor) == R.ADMIN


#: name -> predicate(actor, obj): the rules about a person and a thing.
PREDICATES = {
    "job.assign": _assign,
    "job.take": _take,
    "job.work_on": _work_on,
    "user.manage": _manage_user,
    "service_point.any": _every_service_point,
}


def may(actor, action: str, obj=None) -> bool:
    """True when ``actor`` may do ``action`` (to ``obj``, when given).

    ``action`` is a named predicate of :data:`PREDICATES` or a permission of
    :data:`PERMISSIONS` (then the role decides).  Raises KeyError for a name that is
    neither.
    """
    if actor is None or not getattr(actor, "is_authenticated", True):
        return False
    if action in PREDICATES:
        return PREDICATES[action](actor, obj)
    return can(actor, action)
