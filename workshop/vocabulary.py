"""Names of the workshop's codes as the counter says them (lazily translated): fault
categories, components, accessories, proof kinds, warranty statuses and remedies,
condition flags.  Screens, the job page and printed receipts all show these."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from workshop.warranty.engine import REASONS, reason_values

FAULT_LABELS = {
    "no_power": _l("No power / does not start"),
    "not_charging": _l("Not charging"),
    "battery": _l("Battery drains fast / swollen"),
    "screen": _l("Screen / display"),
    "touch": _l("Touch not responding"),
    "camera": _l("Camera"),
    "audio": _l("Speaker, microphone or earpiece"),
    "signal": _l("No signal / SIM not detected"),
    "wifi_bluetooth": _l("Wi-Fi / Bluetooth"),
    "buttons_ports": _l("Buttons or ports"),
    "software": _l("Software / restarts"),
    "overheating": _l("Overheating"),
    "other": _l("Other (describe)"),
}
COMPONENT_LABELS = {
    "handset": _l("Handset (main unit)"),
    "battery": _l("Battery"),
    "charger": _l("Charger"),
    "wired_headset": _l("Wired headset"),
}
ACCESSORY_LABELS = {
    "sim_tray": _l("SIM tray"),
    "case": _l("Case"),
    "charger": _l("Charger"),
    "cable": _l("Cable"),
    "memory_card": _l("Memory card"),
    "stylus": _l("Stylus"),
    "box": _l("Box"),
    "other": _l("Other"),
}
PROOF_LABELS = {
    "": _l("None shown"),
    "invoice": _l("Invoice (发票)"),
    "warranty_card": _l("Warranty card (保卡)"),
}
BLOCKED_REASON_LABELS = {"stolen": _l("Stolen"), "lost": _l("Lost"), "other": _l("Other")}
WARRANTY_LABELS = {
    "return_window": _l("Within the return period"),
    "exchange_window": _l("Within the exchange period"),
    "in_warranty": _l("In warranty"),
    "expired": _l("Warranty expired"),
    "void": _l("Warranty void"),
    "no_proof": _l("No valid proof of purchase"),
}
WARRANTY_CLASS = {"return_window": "success", "exchange_window": "success", "in_warranty": "success",
                  "expired": "secondary", "void": "danger", "no_proof": "warning"}
REMEDY_LABELS = {"refund": _l("refund"), "exchange": _l("exchange"), "repair": _l("repair")}
FLAG_LABELS = {
    "liquid_damage": _l("Liquid damage"),
    "physical_damage": _l("Physical damage"),
    "seals_broken": _l("Seals broken"),
    "unauthorised_repair": _l("Opened or repaired elsewhere"),
    "documents_altered": _l("Documents altered"),
}

# Warranty reasons (workshop.warranty.engine.REASONS), with the same placeholders.
# A literal "%" would need doubling in the msgid: none of them has one.
REASON_TEXTS = {
    "liquid_damage": _l("Liquid damage found: misuse is not covered by the warranty."),
    "physical_damage": _l(
        "Physical damage found (dropped or crushed): misuse is not covered by the warranty."),
    "seals_broken": _l(
        "The seals are broken or tampered with: an opened handset is not covered by the warranty."),
    "unauthorised_repair": _l(
        "The handset has been repaired or opened by someone not authorised: it is no longer "
        "covered by the warranty."),
    "documents_altered": _l("The proof of purchase has been altered: the warranty cannot be honoured."),
    "no_proof": _l("No invoice or warranty card was shown: free service needs proof of purchase."),
    "no_purchase_date": _l(
        "The {proof} shows no purchase date, so the warranty period cannot be worked out."),
    "imei_mismatch": _l(
        "The IMEI on the {proof} ({proof_imei}) does not match the handset ({device_imei}): it is "
        "not proof of purchase for this handset."),
    "proof_without_imei": _l(
        "The {proof} carries no IMEI; accepted as proof of purchase, but it could not be matched "
        "to the handset."),
    "imei_not_checked": _l(
        "The handset's IMEI was not recorded, so the {proof} could not be matched to it."),
    "return_window": _l(
        "Purchased {purchased}; within the {days}-day return period (until {until}): refund, "
        "exchange or repair free of charge."),
    "exchange_window": _l(
        "Purchased {purchased}; within the {days}-day exchange period (until {until}): exchange "
        "or repair free of charge."),
    "in_warranty": _l(
        "Purchased {purchased}; within the {component} warranty ({months} months, until "
        "{until}{extended}): repair free of charge."),
    "expired": _l(
        "Purchased {purchased}; the {component} warranty ({months} months) ended on "
        "{until}{extended}: the repair is chargeable."),
    "extended": _l(", extended by {days} days spent in repair"),
    "repeat_fault": _l(
        "Repaired {count} times before for the same fault within the warranty: the customer may "
        "choose an exchange."),
    "rerepair": _l(
        "Back within our {days}-day repair warranty of an earlier job: the re-repair is free of "
        "charge."),
    "rerepair_seals": _l(
        "The seals were broken when we opened the handset for the earlier repair; that does not "
        "void the re-repair."),
    "rerepair_void": _l(
        "Back within our repair warranty of an earlier job, but the damage above is not covered "
        "by the repair warranty either."),
}


def _reason_words() -> dict:
    """The words a reason puts in its sentence, in the current locale (lower case, unlike
    the labels above; a context of their own, as "handset" alone means other things)."""
    return {
        "component_words": {
            "handset": pgettext("warranty reason", "handset"),
            "battery": pgettext("warranty reason", "battery"),
            "charger": pgettext("warranty reason", "charger"),
            "wired_headset": pgettext("warranty reason", "wired headset"),
        },
        "proof_words": {"invoice": pgettext("warranty reason", "invoice"),
                        "warranty_card": pgettext("warranty reason", "warranty card")},
        "unknown_proof": pgettext("warranty reason", "proof of purchase"),
        "extended": str(REASON_TEXTS["extended"]),
    }


def warranty_reasons(codes, args, fallback=None) -> list[str]:
    """The warranty reasons in the current locale, from their codes and stored args.

    ``fallback``: the sentences stored with them (English), returned as they are when
    the codes or args are missing or do not fit (jobs taken in before reasons were
    stored as codes); a single reason that cannot be rendered falls back alone.
    """
    codes, args, fallback = list(codes or []), list(args or []), list(fallback or [])
    if not codes or len(args) != len(codes):
        return [str(text) for text in fallback]
    words = _reason_words()
    shown = []
    for i, (code, values) in enumerate(zip(codes, args, strict=True)):
        template = REASON_TEXTS.get(code) or REASONS.get(code)
        try:
            if template is None:
                raise KeyError(code)
            shown.append(str(template).format(**reason_values(values or {}, **words)))
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):
            shown.append(str(fallback[i]) if i < len(fallback) else code)
    return shown


ROLE_LABELS = {
    "receptionist": _l("Receptionist"),
    "engineer": _l("Engineer"),
    "clerk": _l("Parts clerk"),
    "manager": _l("Manager"),
    "admin": _l("Admin"),
}


def template_labels() -> dict:
    """Labels the intake screen and the job page's intake summary share."""
    return {"warranty": WARRANTY_LABELS, "warranty_class": WARRANTY_CLASS, "remedy": REMEDY_LABELS,
            "fault": FAULT_LABELS, "component": COMPONENT_LABELS, "accessory": ACCESSORY_LABELS,
            "proof": PROOF_LABELS, "flag": FLAG_LABELS, "blocked_reason": BLOCKED_REASON_LABELS,
            "role": ROLE_LABELS}
