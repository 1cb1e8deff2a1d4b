"""Warranty policies as data: storing them, editing them, and choosing the one that
applies at a counter.

The terms are validated by :class:`workshop.warranty.engine.PolicyTerms` itself
(``from_mapping``), field by field so each message lands beside its field.  The
policy for an intake is, in order: the one asked for, the service point's
default, the chain default, and when the table is empty the built-in 三包 preset
(said so in ``AppliedPolicy.note``) so intake works on a fresh database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import ServicePoint, ServicePointPolicy, ValidationError, WarrantyPolicy, db
from workshop.core import audit
from workshop.warranty.engine import EU24, PRESETS, SANBAO, PolicyTerms, TermsError

__all__ = [
    "DAY_FIELDS",
    "FALLBACK_NOTE",
    "AppliedPolicy",
    "active_policies",
    "applicable",
    "default_for",
    "get",
    "save",
    "seed_presets",
]

#: Numeric terms edited as days (None allowed where the policy may have no such rule).
DAY_FIELDS = ("return_days", "exchange_days", "promise_days", "loaner_after_days", "exchange_after_days",
              "repair_warranty_days", "repeat_fault_exchange_after")
MAX_DAYS = 3650
MAX_MONTHS = 240
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
FALLBACK_NOTE = _l("No warranty policy is set up yet: the built-in 三包 preset applies. "
                   "An admin can add policies under Warranty policies.")

#: The engine's refusals of a term (:data:`workshop.warranty.engine.TERMS_ERRORS`), as
#: shown beside the field they are about (so without the field's name).
TERMS_MESSAGES = {
    "not_whole": _l("Must be a whole number, not “%(value)s”."),
    "months_positive": _l("Must be a positive whole number of months."),
    "required": _l("Required."),
    "no_code": _l("A warranty policy needs a code."),
    "needs": _l("A warranty policy needs a code and a name."),
    "no_component": _l("A warranty policy needs at least one component period."),
    "negative_months": _l("Months must not be negative."),
    "negative_days": _l("Days must not be negative."),
    "period_kind": _l("Give a period in days or in months (one of them)."),
    "unknown_proof": _l("Unknown proof of purchase “%(proof)s”: an invoice or a warranty card."),
    "negative_extension": _l("Extension days must not be negative."),
    "negative_prior": _l("Prior repairs must not be negative."),
    "no_period": _l("The policy %(code)s has no warranty period for %(component)s (known: %(known)s)."),
    "future_purchase": _l("The purchase date %(purchased)s is after today (%(today)s)."),
}


@dataclass(frozen=True)
class AppliedPolicy:
    """The terms an intake is decided under.  ``policy`` is the table row (None for
    the built-in fallback); ``note`` explains a fallback."""

    terms: PolicyTerms
    policy: WarrantyPolicy | None
    note: str | None = None

    @property
    def code(self) -> str:
        return self.terms.code

    @property
    def name(self) -> str:
        return self.terms.name


def terms_of(policy: WarrantyPolicy) -> PolicyTerms:
    """The row's terms as :class:`PolicyTerms` (code and name from the row)."""
    return PolicyTerms.from_mapping({**(policy.terms or {}), "code": policy.code, "name": policy.name})


def get(code: str) -> WarrantyPolicy | None:
    return db.session.scalar(select(WarrantyPolicy).where(WarrantyPolicy.code == (code or "").strip().lower()))


def active_policies() -> list[WarrantyPolicy]:
    return list(db.session.scalars(
        select(WarrantyPolicy).where(WarrantyPolicy.active.is_(True)).order_by(WarrantyPolicy.name)))


def all_policies() -> list[WarrantyPolicy]:
    return list(db.session.scalars(select(WarrantyPolicy).order_by(WarrantyPolicy.name)))


def default_for(service_point: ServicePoint) -> WarrantyPolicy | None:
    """The service point's own default policy, else the chain default (active ones only)."""
    own = db.session.scalar(
        select(WarrantyPolicy).join(ServicePointPolicy)
        .where(ServicePointPolicy.service_point_id == service_point.id, WarrantyPolicy.active.is_(True)))
    if own is not None:
        return own
    return db.session.scalar(
        select(WarrantyPolicy).where(WarrantyPolicy.chain_default.is_(True), WarrantyPolicy.active.is_(True)))


def applicable(service_point: ServicePoint, code: str | None = None) -> AppliedPolicy:
    """The policy an intake at ``service_point`` is decided under.

    ``code`` picks an active policy explicitly.  Without one: the service point's
    default, the chain default, any active policy... and with none at all the
    built-in 三包 preset, with a note saying so.  Raises ValidationError (field
    ``policy``) for an unknown or inactive code.
    """
    code = (code or "").strip().lower()
    if code:
        policy = get(code)
        if policy is not None and policy.active:
            return AppliedPolicy(terms_of(policy), policy)
        if policy is None and code in PRESETS and not _any_policy():
            return AppliedPolicy(PRESETS[code], None, FALLBACK_NOTE)
        raise ValidationError(gettext("Unknown warranty policy."), errors={
            "policy": [gettext("There is no active warranty policy '%(code)s'.", code=code)]})
    policy = default_for(service_point)
    if policy is None:
        policy = db.session.scalar(
            select(WarrantyPolicy).where(WarrantyPolicy.active.is_(True)).order_by(WarrantyPolicy.id).limit(1))
    if policy is not None:
        return AppliedPolicy(terms_of(policy), policy)
    return AppliedPolicy(SANBAO, None, FALLBACK_NOTE)


def _any_policy() -> bool:
    return db.session.scalar(select(WarrantyPolicy.id).limit(1)) is not None


def _check_terms(data: Mapping[str, object], errors: dict[str, list[str]]) -> PolicyTerms | None:
    """Validate each term through PolicyTerms.from_mapping so messages name their field."""
    probe = {"code": "probe", "name": "probe"}
    for name in DAY_FIELDS:
        value = data.get(name)
        try:
            PolicyTerms.from_mapping({**probe, name: value})
        except ValueError as exc:
            errors[name] = [terms_message(exc)]
            continue
        if value not in (None, "") and int(value) > MAX_DAYS:
            errors[name] = [gettext("Use at most %(max_days)s days.", max_days=MAX_DAYS)]
    months = data.get("component_months") or {}
    for component, value in months.items():
        key = f"component_months.{component}"
        try:
            PolicyTerms.from_mapping({**probe, "component_months": {component: value}})
        except ValueError as exc:
            errors[key] = [terms_message(exc)]
            continue
        if int(value) > MAX_MONTHS:
            errors[key] = [gettext("Use at most %(max_months)s months.", max_months=MAX_MONTHS)]
    ret, exc_days = data.get("return_days"), data.get("exchange_days")
    if "return_days" not in errors and "exchange_days" not in errors and ret not in (None, "") \
            and exc_days not in (None, "") and int(exc_days) < int(ret):
        errors["exchange_days"] = [gettext("The exchange period cannot be shorter than the return period.")]
    if errors:
        return None
    try:
        return PolicyTerms.from_mapping(data)
    except ValueError as exc:
        errors["_schema"] = [terms_message(exc)]
        return None


def terms_message(exc: ValueError) -> str:
    """The engine's refusal in the current locale, as shown beside the field it is about
    (:data:`TERMS_MESSAGES`); a ValueError without a code is shown as it is."""
    if isinstance(exc, TermsError) and exc.code in TERMS_MESSAGES:
        values = {key: str(value) for key, value in exc.values.items()}
        return str(TERMS_MESSAGES[exc.code]) % values
    return str(exc)


def save(actor, data: Mapping[str, object], *, policy: WarrantyPolicy | None = None, chain_default: bool = False,
         active: bool = True, service_point_ids: Iterable[int] = ()) -> WarrantyPolicy:
    """Create (``policy`` None) or change a warranty policy.

    ``data`` holds the terms (``code``, ``name``, the day fields, ``component_months``
    and the ``proof_required``/``restart_on_exchange`` flags).  ``chain_default``
    makes it the chain default (taking the flag from any other policy);
    ``service_point_ids`` are the service points it becomes the default of (a
    service point has one default).  The code cannot change once jobs may carry it.
    Raises ValidationError per field (``code``, ``name``, ``return_days``,
    ``component_months.battery``...).  Records an audit row; flushes only.
    """
    errors: dict[str, list[str]] = {}
    code = (policy.code if policy is not None else str(data.get("code") or "").strip().lower())
    name = str(data.get("name") or "").strip()
    if policy is None:
        if not CODE_RE.match(code):
            errors["code"] = [gettext("Use 2 to 40 lower-case letters, digits, dashes or underscores, e.g. "
                                      "brand-x.")]
        elif get(code) is not None:
            errors["code"] = [gettext("A policy with the code %(code)s already exists.", code=code)]
    if not name:
        errors["name"] = [gettext("A name is required.")]
    elif len(name) > 120:
        errors["name"] = [gettext("Use at most 120 characters.")]
    values = {**data, "code": code or "x", "name": name or "x"}
    terms = _check_terms(values, errors)
    if not active and chain_default:
        errors["active"] = [gettext("The chain default policy must stay active.")]
    sp_ids = sorted(set(service_point_ids))
    known = set(db.session.scalars(select(ServicePoint.id).where(ServicePoint.id.in_(sp_ids)))) if sp_ids else set()
    if set(sp_ids) - known:
        errors["service_points"] = [gettext("Unknown service point.")]
    if not active and sp_ids:
        errors.setdefault("active", []).append(gettext("A policy that is a service point's default must stay active."))
    if errors:
        raise ValidationError(gettext("The warranty policy was not saved."), errors=errors)

    stored = terms.as_mapping()
    stored.pop("code")
    stored.pop("name")
    creating = policy is None
    if creating:
        policy = WarrantyPolicy(code=code, name=name, terms=stored, chain_default=False, active=active)
        db.session.add(policy)
    else:
        policy.name, policy.terms, policy.active = name, stored, active
    if chain_default and not policy.chain_default:
        for other in db.session.scalars(select(WarrantyPolicy).where(WarrantyPolicy.chain_default.is_(True))):
            other.chain_default = False
        db.session.flush()  # release the one-default index before taking it
    policy.chain_default = chain_default
    db.session.flush()
    _set_service_point_defaults(policy, sp_ids)
    audit.record(actor, "policy.create" if creating else "policy.update", policy, service_point_id=None,
                 code=code, name=name, terms=stored, chain_default=chain_default, active=active,
                 service_points=sp_ids)
    return policy


def _set_service_point_defaults(policy: WarrantyPolicy, sp_ids: list[int]) -> None:
    current = {row.service_point_id: row for row in db.session.scalars(
        select(ServicePointPolicy).where(
            (ServicePointPolicy.policy_id == policy.id) | ServicePointPolicy.service_point_id.in_(sp_ids)))}
    for sp_id, row in current.items():
        if sp_id in sp_ids:
            row.policy_id = policy.id
        elif row.policy_id == policy.id:
            db.session.delete(row)
    for sp_id in sp_ids:
        if sp_id not in current:
            db.session.add(ServicePointPolicy(service_point_id=sp_id, policy_id=policy.id))
    db.session.flush()


def default_service_point_ids(policy: WarrantyPolicy) -> list[int]:
    return sorted(row.service_point_id for row in policy.service_points)


def seed_presets(actor=None) -> list[str]:
    """Store the 三包 (chain default) and EU24 presets if missing; return the codes added."""
    added = []
    for preset, is_default in ((SANBAO, True), (EU24, False)):
        if get(preset.code) is not None:
            continue
        has_default = db.session.scalar(select(WarrantyPolicy.id).where(WarrantyPolicy.chain_default.is_(True)))
        save(actor, preset.as_mapping(), chain_default=is_default and has_default is None)
        added.append(preset.code)
    return added
