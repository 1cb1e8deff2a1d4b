"""Warranty policy engine: is this repair free, and what may the customer claim?

Pure rules: no Flask, no database.  A policy is data (:class:`PolicyTerms`);
the app stores policies in a table and builds terms with
:meth:`PolicyTerms.from_mapping`.  Two presets ship as data: :data:`SANBAO`
(the Chinese 三包 rules for mobile phones, the default) and :data:`EU24`.

Date rules (PRODUCT.md section 3): a period counts from the day after purchase.
A period of N days ends on day N (purchase 2026-11-01, 7 days: ends
2026-11-08).  A period of N months ends on the same day-of-month N months
later, or on that month's last day where it has no such day (2026-01-31 + 1
month: 2026-02-28).  Days the handset spent in repair or waiting for parts
(``extension_days``) move the component warranty's end out; they do not move
the 7-day return or 15-day exchange windows, which are about the first days of
ownership.

Every reason comes from :data:`REASONS`, keyed by a stable code, and is kept
with the values it was made from (``reason_args``: codes such as the proof kind
and component, not words), so that ``workshop.vocabulary.warranty_reasons`` can
say it again in the reader's language from the same templates, translated.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

from workshop.intake.devices.imei import normalise as normalise_imei

__all__ = [
    "COMPONENTS",
    "EU24",
    "PRESETS",
    "PROOF_KINDS",
    "REASONS",
    "REMEDIES",
    "SANBAO",
    "STATUSES",
    "TERMS_ERRORS",
    "PolicyTerms",
    "ServiceDates",
    "TermsError",
    "WarrantyCase",
    "WarrantyDecision",
    "add_months",
    "assess",
    "period_end",
    "reason_text",
    "reason_values",
    "service_dates",
]

#: Warranty statuses, exactly as in CONTRACT.md (``warranty.status``).
STATUSES = ("return_window", "exchange_window", "in_warranty", "expired", "void", "no_proof")
#: Remedies in the order they are listed.
REMEDIES = ("refund", "exchange", "repair")
#: Components with their own warranty period (CONTRACT.md ``fault.component``).
COMPONENTS = ("handset", "battery", "charger", "wired_headset")
#: Accepted kinds of proof of purchase.
PROOF_KINDS = ("invoice", "warranty_card")

_COMPONENT_WORDS = {
    "handset": "handset",
    "battery": "battery",
    "charger": "charger",
    "wired_headset": "wired headset",
}
_PROOF_WORDS = {"invoice": "invoice", "warranty_card": "warranty card"}

#: Reason templates keyed by reason code.  Placeholders are filled with
#: ``str.format``; dates are ISO strings.
REASONS: dict[str, str] = {
    # void causes
    "liquid_damage": "Liquid damage found: misuse is not covered by the warranty.",
    "physical_damage": (
        "Physical damage found (dropped or crushed): misuse is not covered by the warranty."
    ),
    "seals_broken": (
        "The seals are broken or tampered with: an opened handset is not covered by the "
        "warranty."
    ),
    "unauthorised_repair": (
        "The handset has been repaired or opened by someone not authorised: it is no "
        "longer covered by the warranty."
    ),
    "documents_altered": (
        "The proof of purchase has been altered: the warranty cannot be honoured."
    ),
    # proof of purchase
    "no_proof": (
        "No invoice or warranty card was shown: free service needs proof of purchase."
    ),
    "no_purchase_date": (
        "The {proof} shows no purchase date, so the warranty period cannot be worked out."
    ),
    "imei_mismatch": (
        "The IMEI on the {proof} ({proof_imei}) does not match the handset ({device_imei}): "
        "it is not proof of purchase for this handset."
    ),
    "proof_without_imei": (
        "The {proof} carries no IMEI; accepted as proof of purchase, but it could not be "
        "matched to the handset."
    ),
    "imei_not_checked": (
        "The handset's IMEI was not recorded, so the {proof} could not be matched to it."
    ),
    # periods
    "return_window": (
        "Purchased {purchased}; within the {days}-day return period (until {until}): "
        "refund, exchange or repair free of charge."
    ),
    "exchange_window": (
        "Purchased {purchased}; within the {days}-day exchange period (until {until}): "
        "exchange or repair free of charge."
    ),
    "in_warranty": (
        "Purchased {purchased}; within the {component} warranty ({months} months, until "
        "{until}{extended}): repair free of charge."
    ),
    "expired": (
        "Purchased {purchased}; the {component} warranty ({months} months) ended on "
        "{until}{extended}: the repair is chargeable."
    ),
    "extended": ", extended by {days} days spent in repair",
    # extra remedies and our own repair warranty
    "repeat_fault": (
        "Repaired {count} times before for the same fault within the warranty: the "
        "customer may choose an exchange."
    ),
    "rerepair": (
        "Back within our {days}-day repair warranty of an earlier job: the re-repair is "
        "free of charge."
    ),
    "rerepair_seals": (
        "The seals were broken when we opened the handset for the earlier repair; that "
        "does not void the re-repair."
    ),
    "rerepair_void": (
        "Back within our repair warranty of an earlier job, but the damage above is not "
        "covered by the repair warranty either."
    ),
}

_VOID_CAUSES = (
    "liquid_damage",
    "physical_damage",
    "seals_broken",
    "unauthorised_repair",
    "documents_altered",
)


def reason_values(args: Mapping[str, object], *, proof_words: Mapping[str, str],
                  component_words: Mapping[str, str], unknown_proof: str,
                  extended: str) -> dict[str, object]:
    """The ``str.format`` values for a reason from its stored ``args``.

    ``args`` hold codes, not words: ``proof`` (a proof kind, "" for none),
    ``component`` (a component code) and ``extended_days`` (0: not extended).
    The words come from the caller, so that a translation can supply its own:
    ``extended`` is the template of the "extended" clause (placeholder ``days``).
    """
    values = dict(args)
    if "proof" in values:
        values["proof"] = proof_words.get(str(values["proof"] or ""), unknown_proof)
    if "component" in values:
        code = str(values["component"])
        values["component"] = component_words.get(code, code)
    if "extended_days" in values:
        days = values.pop("extended_days")
        values["extended"] = extended.format(days=days) if days else ""
    return values


def reason_text(code: str, args: Mapping[str, object]) -> str:
    """The English sentence for a reason code and its stored ``args``.

    Raises KeyError for an unknown code or a missing placeholder.
    """
    return REASONS[code].format(**reason_values(
        args, proof_words=_PROOF_WORDS, component_words=_COMPONENT_WORDS,
        unknown_proof="proof of purchase", extended=REASONS["extended"]))


# ---------------------------------------------------------------------------
# policy terms


#: What :class:`TermsError` says, by code (English; ``workshop.warranty.policies`` says
#: the same in the reader's language from the code and values).
TERMS_ERRORS = {
    "not_whole": "{name} must be a whole number, not {value!r}.",
    "no_code": "A warranty policy needs a code.",
    "months_positive": "Months for {component} must be a positive whole number.",
    "no_component": "A warranty policy needs at least one component period.",
    "required": "{name} is required.",
    "needs": "A warranty policy needs a {required}.",
    "negative_months": "Months must not be negative.",
    "period_kind": "Give a period in days or in months (one of them).",
    "negative_days": "Days must not be negative.",
    "unknown_proof": "Unknown proof of purchase {proof!r}; expected invoice or warranty_card.",
    "negative_extension": "Extension days must not be negative.",
    "negative_prior": "Prior repairs must not be negative.",
    "no_period": "The policy {code} has no warranty period for {component!r} (known: {known}).",
    "future_purchase": "The purchase date {purchased} is after today ({today}).",
}


class TermsError(ValueError):
    """Terms or facts the engine cannot work with: a ValueError that also carries a
    stable ``code`` (a key of :data:`TERMS_ERRORS`) and the ``values`` it names, so a
    caller can say it in another language."""

    def __init__(self, reason: str, **values: object) -> None:
        self.code = reason
        self.values = values
        super().__init__(TERMS_ERRORS[reason].format(**values))


def _optional_days(name: str, value: object) -> int | None:
    # Values come from database rows, JSON and forms: accept 7, 7.0 and "7".
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None or number < 0:
        raise TermsError("not_whole", name=name, value=value)
    return number


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


@dataclass(frozen=True)
class PolicyTerms:
    """One warranty policy, as plain data.

    ``return_days``/``exchange_days``: the refund and exchange windows for a
    handset performance fault (None: the policy has none).  ``component_months``:
    warranty months per component.  ``proof_required``: free service needs an
    invoice or warranty card.  ``restart_on_exchange``: an exchanged handset
    starts a fresh warranty (otherwise it carries the remaining one; used when
    an exchange is recorded, not by :func:`assess`).  ``promise_days``: the
    service promise for warranty repairs; ``loaner_after_days``: a repair not done
    by then entitles the customer to a loaner; ``exchange_after_days``: to an
    exchange.  ``repair_warranty_days``: the workshop's own warranty on a repair.
    ``repeat_fault_exchange_after``: prior repairs of the same fault after which a
    new failure may be exchanged (None: never).

    Raises ValueError on construction if a number is negative or a component has
    no positive month count.
    """

    code: str
    name: str
    return_days: int | None = 7
    exchange_days: int | None = 15
    component_months: Mapping[str, int] = field(
        default_factory=lambda: {"handset": 12, "battery": 6, "charger": 12, "wired_headset": 3}
    )
    proof_required: bool = True
    restart_on_exchange: bool = False
    promise_days: int = 7
    loaner_after_days: int | None = 7
    exchange_after_days: int | None = 30
    repair_warranty_days: int = 90
    repeat_fault_exchange_after: int | None = 2

    def __post_init__(self) -> None:
        if not self.code or not str(self.code).strip():
            raise TermsError("no_code")
        months: dict[str, int] = {}
        for component, count in dict(self.component_months).items():
            try:
                number = _optional_days(f"Months for {component}", count)
            except TermsError:
                number = None
            if not number:
                raise TermsError("months_positive", component=component)
            months[str(component)] = number
        if not months:
            raise TermsError("no_component")
        # Frozen all the way down: presets are shared module-level objects.
        object.__setattr__(self, "component_months", MappingProxyType(months))
        for name in ("return_days", "exchange_days", "loaner_after_days",
                     "exchange_after_days", "repeat_fault_exchange_after"):
            object.__setattr__(self, name, _optional_days(name, getattr(self, name)))
        for name in ("promise_days", "repair_warranty_days"):
            value = _optional_days(name, getattr(self, name))
            if value is None:
                raise TermsError("required", name=name)
            object.__setattr__(self, name, value)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> PolicyTerms:
        """Build terms from a mapping (a database row, JSON, a form).

        Keys that are not fields (``id``, timestamps...) are ignored; missing
        optional keys take the 三包 defaults.  Raises ValueError when ``code`` or
        ``name`` is missing or a value is not a valid number of days/months.
        """
        names = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in names}
        for required in ("code", "name"):
            if not values.get(required):
                raise TermsError("needs", required=required)
        for flag in ("proof_required", "restart_on_exchange"):
            if flag in values:
                values[flag] = _flag(values[flag])
        return cls(**values)

    def as_mapping(self) -> dict[str, object]:
        """Return the terms as plain JSON-ready data (inverse of :meth:`from_mapping`)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["component_months"] = dict(self.component_months)
        return data


#: 三包 (mobile phone "three guarantees"): 7-day refund, 15-day exchange,
#: handset 12 months, battery 6, charger 12, wired headset 3.
SANBAO = PolicyTerms(code="sanbao", name="三包 (China mobile phone three guarantees)")

#: A 24-month EU-style legal guarantee: no return or exchange windows.
EU24 = PolicyTerms(
    code="eu24",
    name="EU 24-month guarantee",
    return_days=None,
    exchange_days=None,
    component_months={"handset": 24, "battery": 24, "charger": 24, "wired_headset": 24},
)

#: Presets by code; :data:`SANBAO` is the default.
PRESETS: dict[str, PolicyTerms] = {SANBAO.code: SANBAO, EU24.code: EU24}


# ---------------------------------------------------------------------------
# dates


def add_months(start: dt.date, months: int) -> dt.date:
    """Return the same day-of-month ``months`` later, or that month's last day.

    Raises ValueError for a negative ``months``.
    """
    if months < 0:
        raise TermsError("negative_months")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def period_end(purchase_date: dt.date, *, days: int | None = None,
               months: int | None = None) -> dt.date:
    """Return the last day of a period that starts the day after ``purchase_date``.

    ``days=N``: day N (purchase + N days).  ``months=N``: the same day-of-month N
    months later, or the last day of that month.  Raises ValueError unless
    exactly one of ``days``/``months`` is given and not negative.
    """
    if (days is None) == (months is None):
        raise TermsError("period_kind")
    if days is not None:
        if days < 0:
            raise TermsError("negative_days")
        return purchase_date + dt.timedelta(days=days)
    return add_months(purchase_date, months)


# ---------------------------------------------------------------------------
# assessment


@dataclass
class WarrantyCase:
    """The facts recorded at intake that decide the warranty.

    ``today`` is the service point's local date.  ``device_imei2`` is the second
    IMEI of a dual-SIM handset (the proof may carry either).  ``seals_intact``
    False means opened or tampered.  ``extension_days``: days already spent in
    repair or waiting for parts under this warranty.  ``rerepair``: back within
    the workshop's own repair warranty of an earlier job.

    Raises ValueError on construction for an unknown proof kind or a negative
    count.
    """

    today: dt.date
    component: str = "handset"
    purchase_date: dt.date | None = None
    proof_kind: str | None = None
    proof_imei: str | None = None
    device_imei: str | None = None
    liquid_damage: bool = False
    physical_damage: bool = False
    seals_intact: bool = True
    unauthorised_repair: bool = False
    documents_altered: bool = False
    extension_days: int = 0
    prior_repairs_same_fault: int = 0
    rerepair: bool = False
    device_imei2: str | None = None

    def __post_init__(self) -> None:
        if self.proof_kind == "":
            self.proof_kind = None
        if self.proof_kind is not None and self.proof_kind not in PROOF_KINDS:
            raise TermsError("unknown_proof", proof=self.proof_kind)
        if self.extension_days < 0:
            raise TermsError("negative_extension")
        if self.prior_repairs_same_fault < 0:
            raise TermsError("negative_prior")


@dataclass(frozen=True)
class WarrantyDecision:
    """The outcome of :func:`assess`.

    ``status``: one of :data:`STATUSES`.  ``remedies``: what the customer may
    claim free of charge (subset of :data:`REMEDIES`, in that order); empty when
    the work is chargeable.  ``reasons``, ``reason_codes`` and ``reason_args`` run
    in parallel, one per cause: the English sentence, its code and the JSON-ready
    values it was made from (codes, not words: see :func:`reason_text`), so that it
    can be said again in another language.  ``ends_on``: the component warranty's
    last day including extension days (None without a purchase date).
    """

    policy: str
    status: str
    remedies: list[str]
    chargeable: bool
    reasons: list[str]
    reason_codes: list[str]
    ends_on: dt.date | None
    reason_args: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """Return the decision as JSON-ready data (dates as ISO strings, lists)."""
        return {
            "policy": self.policy,
            "status": self.status,
            "remedies": list(self.remedies),
            "chargeable": self.chargeable,
            "reasons": list(self.reasons),
            "reason_codes": list(self.reason_codes),
            "reason_args": [dict(a) for a in self.reason_args],
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
        }


def _same_imei(a: str, b: str) -> bool:
    # The check digit (15th) and an IMEISV's software version (15th-16th) are not
    # part of the identity: compare the 14 identity digits when both are IMEI-like.
    a, b = normalise_imei(a), normalise_imei(b)
    if a.isdigit() and b.isdigit() and len(a) in (14, 15, 16) and len(b) in (14, 15, 16):
        return a[:14] == b[:14]
    return a == b


def assess(terms: PolicyTerms, case: WarrantyCase) -> WarrantyDecision:
    """Decide the warranty for one intake under ``terms``.

    Order of precedence for ``status``: ``void`` (misuse, broken seals,
    unauthorised repair, altered documents; every cause is listed), then
    ``no_proof`` (no invoice/card when the policy requires one, no purchase
    date, or a proof IMEI that matches neither handset IMEI), then by date:
    ``return_window`` and ``exchange_window`` (handset only), ``in_warranty``,
    ``expired``.  A proof without an IMEI, or a handset without one, is accepted
    with a note.  A repeat fault (``prior_repairs_same_fault`` at or above the
    policy's threshold) within the warranty adds ``exchange`` to the remedies.

    Re-repair (``case.rerepair``, 返修): back within the workshop's own repair
    warranty, the work is free even when the manufacturer warranty has expired
    or there is no proof; ``status`` still describes the manufacturer warranty
    and ``remedies`` holds ``"repair"`` at least.  Misuse (liquid, physical
    damage), a third-party repair or altered documents void the re-repair too:
    our repair warranty does not cover new damage.  Broken seals alone do not,
    since we broke them ourselves on the earlier job.

    Raises ValueError if the component has no period in ``terms`` or the
    purchase date is after ``today``.
    """
    if case.component not in terms.component_months:
        raise TermsError("no_period", code=terms.code, component=case.component,
                         known=", ".join(terms.component_months))
    if case.purchase_date is not None and case.purchase_date > case.today:
        raise TermsError("future_purchase", purchased=case.purchase_date.isoformat(),
                         today=case.today.isoformat())

    codes: list[str] = []
    reasons: list[str] = []
    args: list[dict] = []

    def note(code: str, **values: object) -> None:
        codes.append(code)
        args.append(values)
        reasons.append(reason_text(code, values))

    months = terms.component_months[case.component]
    ends_on = None
    if case.purchase_date is not None:
        ends_on = period_end(case.purchase_date, months=months) + dt.timedelta(
            days=case.extension_days)

    # Void causes: all of them, not just the first.
    seals_broken = not case.seals_intact
    causes = {
        "liquid_damage": case.liquid_damage,
        "physical_damage": case.physical_damage,
        "seals_broken": seals_broken and not case.rerepair,
        "unauthorised_repair": case.unauthorised_repair,
        "documents_altered": case.documents_altered,
    }
    for code in _VOID_CAUSES:
        if causes[code]:
            note(code)
    void = any(causes.values())

    # Proof of purchase.
    proof = case.proof_kind or ""  # a code; reason_text says it in words
    no_proof = False
    if case.proof_kind is None and terms.proof_required:
        note("no_proof")
        no_proof = True
    if case.purchase_date is None and (case.proof_kind is not None or not no_proof):
        note("no_purchase_date", proof=proof)
        no_proof = True
    if case.proof_kind is not None:
        device_imeis = [i for i in (case.device_imei, case.device_imei2)
                        if i and normalise_imei(i)]
        proof_imei = case.proof_imei if case.proof_imei and normalise_imei(case.proof_imei) \
            else None
        if proof_imei and device_imeis:
            if not any(_same_imei(proof_imei, imei) for imei in device_imeis):
                note("imei_mismatch", proof=proof, proof_imei=proof_imei.strip(),
                     device_imei=" / ".join(i.strip() for i in device_imeis))
                no_proof = True
        elif not proof_imei:
            note("proof_without_imei", proof=proof)
        else:
            note("imei_not_checked", proof=proof)

    # Dates (only when the dates decide).
    status = "void" if void else "no_proof" if no_proof else None
    remedies: list[str] = []
    if status is None:
        purchased = case.purchase_date
        day = (case.today - purchased).days  # day 1 is the day after purchase
        handset = case.component == "handset"
        if handset and terms.return_days is not None and day <= terms.return_days:
            status, remedies = "return_window", ["refund", "exchange", "repair"]
            note("return_window", purchased=purchased.isoformat(), days=terms.return_days,
                 until=period_end(purchased, days=terms.return_days).isoformat())
        elif handset and terms.exchange_days is not None and day <= terms.exchange_days:
            status, remedies = "exchange_window", ["exchange", "repair"]
            note("exchange_window", purchased=purchased.isoformat(), days=terms.exchange_days,
                 until=period_end(purchased, days=terms.exchange_days).isoformat())
        elif case.today <= ends_on:
            status, remedies = "in_warranty", ["repair"]
            note("in_warranty", purchased=purchased.isoformat(),
                 component=case.component,
                 months=months, until=ends_on.isoformat(),
                 extended_days=case.extension_days)
        else:
            status = "expired"
            note("expired", purchased=purchased.isoformat(),
                 component=case.component,
                 months=months, until=ends_on.isoformat(),
                 extended_days=case.extension_days)

        threshold = terms.repeat_fault_exchange_after
        if (status != "expired" and threshold is not None
                and case.prior_repairs_same_fault >= threshold):
            if "exchange" not in remedies:
                remedies.append("exchange")
            note("repeat_fault", count=case.prior_repairs_same_fault)

    chargeable = status in ("void", "no_proof", "expired")
    if case.rerepair:
        if void:
            note("rerepair_void")
        else:
            if seals_broken:
                note("rerepair_seals")
            note("rerepair", days=terms.repair_warranty_days)
            chargeable = False
            if "repair" not in remedies:
                remedies.append("repair")

    return WarrantyDecision(
        policy=terms.code,
        status=status,
        remedies=[r for r in REMEDIES if r in remedies],
        chargeable=chargeable,
        reasons=reasons,
        reason_codes=codes,
        ends_on=ends_on,
        reason_args=args,
    )


# ---------------------------------------------------------------------------
# service promise


@dataclass(frozen=True)
class ServiceDates:
    """Dates a warranty repair must meet, counted from the day it was received.

    ``promised_by``: the service promise.  ``loaner_due``: from this day the
    customer is entitled to a free loaner; ``exchange_due``: to an exchange
    (None where the policy has no such rule).
    """

    received_on: dt.date
    promised_by: dt.date
    loaner_due: dt.date | None
    exchange_due: dt.date | None

    def warnings(self, today: dt.date, *, within_days: int = 2) -> list[tuple[str, dt.date]]:
        """Return ``(code, date)`` for each date due within ``within_days`` or passed.

        Codes: ``promise``, ``loaner``, ``exchange``.  Never raises.
        """
        due = [("promise", self.promised_by), ("loaner", self.loaner_due),
               ("exchange", self.exchange_due)]
        return [(code, day) for code, day in due
                if day is not None and (day - today).days <= within_days]

    def to_dict(self) -> dict[str, str | None]:
        """Return the dates as ISO strings (None kept)."""
        return {
            "received_on": self.received_on.isoformat(),
            "promised_by": self.promised_by.isoformat(),
            "loaner_due": self.loaner_due.isoformat() if self.loaner_due else None,
            "exchange_due": self.exchange_due.isoformat() if self.exchange_due else None,
        }


def service_dates(terms: PolicyTerms, received_on: dt.date) -> ServiceDates:
    """Return the promise, loaner and exchange dates for a repair received on a day.

    Each is ``received_on`` plus the policy's days (``promise_days``,
    ``loaner_after_days``, ``exchange_after_days``).  Never raises for valid terms.
    """
    def plus(days: int | None) -> dt.date | None:
        return None if days is None else received_on + dt.timedelta(days=days)

    return ServiceDates(
        received_on=received_on,
        promised_by=plus(terms.promise_days),
        loaner_due=plus(terms.loaner_after_days),
        exchange_due=plus(terms.exchange_after_days),
    )
