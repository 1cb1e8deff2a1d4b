"""Notes the workshop writes into a job's history, said again in the reader's language.

A note the system writes ("QC failed: Cameras and flash.", "Taken in at the front
desk.") is stored twice over: as English text in ``JobEvent.note`` (what the API, the
CSV exports and old readers show) and as a code with its values in the event's
``data`` (``note_code``, ``note_args``), from which :func:`event_note` says it again
in the current locale.  Values are codes (a QC check, an approval channel, an
adjustment reason), numbers or text someone typed; words are looked up when shown.
Rows written before notes had codes show their stored text.

:func:`note` builds such a note; ``Job.add_event`` (and so ``workflow.move``) files
its code and values with the text.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import force_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l

#: The QC checklist's checks in words (the codes of ``workflow.QC_CHECKS``).
QC_WORDS = {
    "powers_on": _l("Powers on and boots normally"),
    "original_fault": _l("The reported fault is gone"),
    "display_touch": _l("Display and touch: no dead pixels or dead zones"),
    "audio": _l("Earpiece, speaker and microphone (test call)"),
    "cameras": _l("Cameras and flash"),
    "charging": _l("Charges by cable"),
    "network": _l("SIM signal, Wi-Fi and Bluetooth"),
    "buttons": _l("Buttons, switches and vibration"),
    "biometrics": _l("Fingerprint or face unlock"),
    "housing": _l("Housing closed, screws in, no gaps, clean"),
    "imei": _l("IMEI (*#06#) matches the ticket"),
    "other": lazy_pgettext("qc check", "other"),
}
#: How the desk heard the customer's answer (the codes of ``workflow.APPROVAL_CHANNELS``).
CHANNEL_WORDS = {
    "phone": _l("by phone"),
    "in_person": _l("in person"),
    "message": _l("by text message / WeChat"),
    "email": _l("by email"),
}
#: Why stock was adjusted (``models.parts.AdjustmentReason`` values), as a note says it.
ADJUSTMENT_WORDS = {
    "damaged": lazy_pgettext("stock adjustment", "damaged"),
    "lost": lazy_pgettext("stock adjustment", "lost"),
    "found": lazy_pgettext("stock adjustment", "found"),
    "correction": lazy_pgettext("stock adjustment", "correction"),
    "stock_take": lazy_pgettext("stock adjustment", "stock take"),
}

#: What kind of history event it is, in words (``JobEvent.kind``).
EVENT_KINDS = {
    "status": _l("Status"), "assign": _l("Assignment"), "diagnosis": _l("Diagnosis"), "repair": _l("Repair"),
    "print": _l("Printed"), "scan": _l("Scanned"), "payment": _l("Payment"), "bill": _l("Bill changed"),
    "loaner": _l("Loaner phone"), "parts_requested": _l("Parts requested"), "parts_issued": _l("Parts issued"),
    "parts_cancelled": _l("Parts request cancelled"), "parts_returned": _l("Parts returned"),
    "part_defective": _l("Part found defective"), "old_part_logged": _l("Old part kept"), "note": _l("Note"),
    "parts_short": _l("Parts no longer reserved"), "complaint": _l("Complaint"),
}

#: A complaint's level (``models.aftercare.LEVELS``), as the after-sales pages say it.
LEVEL_WORDS = {"general": _l("General complaint"), "serious": _l("Serious complaint"),
               "critical": _l("Critical complaint")}

#: Note templates by code.  ``%(extra)s``-free: someone's own words (``extra``) follow
#: the sentence as they were typed.
NOTES = {
    "qc_failed": _l("QC failed: %(checks)s."),
    "approved": _l("Customer approved."),
    "approved_via": _l("Customer approved (%(channel)s)."),
    "approved_estimate": _l("Customer approved %(estimate)s."),
    "approved_estimate_via": _l("Customer approved %(estimate)s (%(channel)s)."),
    "declined": _l("Customer declined."),
    "declined_via": _l("Customer declined (%(channel)s)."),
    "declined_returned": _l("Customer declined; returned unrepaired."),
    "declined_returned_via": _l("Customer declined (%(channel)s); returned unrepaired."),
    "over_estimate": _l("Estimate %(price)s is above the %(limit)s the customer agreed: ask the customer."),
    "repair_done": _l("Repair done; ready for QC."),
    "pickup_scan": _l("Scanned at the pickup counter"),
    "taken_in": _l("Taken in at the front desk."),
    "rerepair_of": _l("Re-repair (返修) of %(number)s."),
    "blocked_override": _l("Blocked IMEI taken in on a manager's override: %(reason)s"),
    "open_job_override": _l("Taken in again while %(numbers)s is open, on a manager's override: %(reason)s"),
    "customer_name_changed": _l("Customer's name changed on their record: %(old)s → %(new)s."),
    "customer_phone_changed": _l("Customer's phone changed on their record: %(old)s → %(new)s."),
    "assigned": _l("Assigned to %(label)s."),
    "assigned_proposed": _l("Assigned to %(label)s (proposed)."),
    "reassigned": _l("Reassigned from %(before)s to %(label)s."),
    "taken": _l("Taken by %(label)s from the queue."),
    "not_qualified": _l("Not qualified:"),
    "not_brand": _l("%(label)s does not repair %(brand)s (%(brands)s)."),
    "not_level_fault": _l("%(label)s is level %(level)s; %(fault)s needs level %(need)s (board-level work)."),
    "not_level": _l("%(label)s is level %(level)s; this fault needs level %(need)s (board-level work)."),
    "complaint_registered": _l("Complaint %(number)s registered (%(level)s)."),
    "free_rerepair_granted": _l("Free re-repair granted on complaint %(complaint)s: no charge."),
    "free_rerepair": _l("Re-repair (返修) of %(number)s, free of charge: complaint %(complaint)s."),
    "parts_waiting": _l("%(requisition)s: waiting for %(skus)s"),
    "parts_returned": _l("%(qty)s × %(part)s back to stock"),
    "part_defective": _l("%(qty)s × %(part)s faulty (DOA)"),
    "old_part_kept": _l("%(qty)s × %(part)s kept"),
    "old_part_kept_serial": _l("%(qty)s × %(part)s kept (S/N %(serial)s)"),
    "parts_unreserved": _l("%(requisition)s: %(sku)s no longer reserved (stock %(why)s); it waits for stock"),
}

#: Values that are codes, and the words each is shown with.
_WORDS = {"checks": QC_WORDS, "channel": CHANNEL_WORDS, "why": ADJUSTMENT_WORDS, "level": LEVEL_WORDS}


class Note(str):
    """A note's English text that also carries its code and values (see the module)."""

    code: str
    args: dict

    def __new__(cls, text: str, code: str, args: Mapping[str, object]):
        made = super().__new__(cls, text)
        made.code = code
        made.args = dict(args)
        return made

    def data(self) -> dict:
        """What ``JobEvent.data`` keeps for it."""
        return {"note_code": self.code, "note_args": self.args}


def _words(name: str, value) -> str:
    table = _WORDS.get(name)
    if table is None:
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(table.get(v, v)) for v in value)
    return str(table.get(value, value))


def _say(code: str, args: Mapping[str, object]) -> str:
    values = {key: _words(key, value) for key, value in args.items() if key != "extra"}
    text = str(NOTES[code]) % values
    extra = str(args.get("extra") or "").strip()
    return f"{text} {extra}" if extra else text


def note(code: str, **args) -> Note:
    """A note for ``code`` of :data:`NOTES`: English text carrying its code and values.

    ``extra``: someone's own words, added after the sentence untranslated.  Raises
    KeyError for an unknown code.
    """
    if code not in NOTES:
        raise KeyError(code)
    try:
        with force_locale("en"):
            text = _say(code, args)
    except RuntimeError:  # no application context: lazy strings are English anyway
        text = _say(code, args)
    return Note(text, code, args)


def join(*notes: Note) -> Note:
    """Several notes as one (each sentence said in turn)."""
    parts = [n for n in notes if n]
    text = " ".join(str(n) for n in parts)
    return Note(text, "joined", {"notes": [n.data() for n in parts]})


def event_note(event) -> str:
    """The note of a history event in the current locale: from its code when it has
    one, else the stored text."""
    data = event.data or {}
    return say(data.get("note_code"), data.get("note_args"), event.note or "")


def say(code, args, fallback: str = "") -> str:
    """A note from its code and values in the current locale, or ``fallback`` when they
    are missing or do not fit."""
    try:
        if code == "joined":
            return " ".join(say(part.get("note_code"), part.get("note_args"), "") for part in args["notes"]).strip() \
                or fallback
        if code in NOTES and isinstance(args, Mapping):
            return _say(code, args)
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    return fallback
