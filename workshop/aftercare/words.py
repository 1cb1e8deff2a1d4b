"""The counter's words for after-sales care (PRODUCT.md section 8), translated."""

from __future__ import annotations

import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

CHANNEL_WORDS = {
    "walk_in": _l("Walk-in complaint"),
    "phone": _l("Phone complaint"),
    "email": _l("E-mail"),
    "online": _l("Online"),
    "social_media": _l("Social media"),
    "manufacturer": _l("Through the manufacturer"),
    "carrier": _l("Through the carrier"),
    "regulator": _l("12315 / market regulator"),
    "media": _l("Media"),
    "government": _l("Government"),
}
LEVEL_WORDS = {"general": _l("General complaint"), "serious": _l("Serious complaint"),
               "critical": _l("Critical complaint")}
CATEGORY_WORDS = {
    "repair_quality": _l("Repair quality"),
    "service_attitude": _l("Service attitude"),
    "delay": _l("Delay"),
    "price": _l("Price"),
    "parts": _l("Parts"),
    "product_quality": _l("Product quality"),
    "other": _l("Other"),
}
STATUS_WORDS = {"open": _l("Open"), "resolved": _l("Resolved"), "closed": _l("Closed")}
REMEDY_WORDS = {
    "apology": _l("Apology"),
    "free_rerepair": _l("Free re-repair"),
    "discount": _l("Discount"),
    "gift": _l("Gift"),
    "refund": _l("Refund"),
    "exchange": _l("Exchange"),
    "compensation": _l("Compensation"),
}
REMEDY_STATUS_WORDS = {"pending_approval": _l("Waiting for a manager"), "approved": _l("Approved"),
                       "done": _l("Carried out")}
ROOT_CAUSE_WORDS = {
    "repair_quality": _l("Repair quality"),
    "staff": _l("Staff"),
    "process": _l("Process"),
    "parts": _l("Parts"),
    "customer_expectation": _l("Customer expectation"),
    "product": _l("Product"),
    "other": _l("Other"),
}
CONTACT_KIND_WORDS = {"enquiry": _l("Enquiry"), "complaint": _l("Complaint"), "suggestion": _l("Suggestion"),
                      "praise": _l("Praise"), "other": _l("Other")}
FOLLOWUP_STATUS_WORDS = {"open": _l("To call"), "done": _l("Reached"), "unreachable": _l("Unreachable"),
                         "refused": _l("Refused")}
FOLLOWUP_KIND_WORDS = {"pickup": _l("After pickup"), "complaint": _l("After a complaint")}
EVENT_WORDS = {
    "registered": _l("Registered"),
    "escalated": _l("Escalated"),
    "level_raised": _l("Level raised"),
    "responded": _l("Responded"),
    "report": _l("Written report"),
    "findings": _l("Findings"),
    "remedy_added": _l("Remedy added"),
    "remedy_approved": _l("Remedy approved"),
    "remedy_done": _l("Remedy carried out"),
    "agreement": _l("Agreement"),
    "resolved": _l("Resolved"),
    "reopened": _l("Reopened"),
    "followup": _l("Follow-up call"),
    "followup_unhappy": _l("Unhappy follow-up answer"),
    "closed": _l("Closed"),
    "printed": _l("Printed"),
}
MISSING_WORDS = {
    "response": _l("response"),
    "remedies carried out": _l("remedies carried out"),
    "agreement accepted by the customer": _l("agreement accepted by the customer"),
    "follow-up reached with satisfaction 3 or more": _l("follow-up reached with satisfaction 3 or more"),
}


#: Notes the system writes into a complaint's history (stored in English), in words.
SYSTEM_NOTES = {
    "A critical complaint is handled by a manager from the start.":
        _l("A critical complaint is handled by a manager from the start."),
    "A critical complaint is handled by a manager.": _l("A critical complaint is handled by a manager."),
    "Responded, remedies carried out and the agreement accepted.":
        _l("Responded, remedies carried out and the agreement accepted."),
}


_UNHAPPY = re.compile(r"^Unhappy follow-up answer \((?P<score>[1-5])/5\)(?:\.|: (?P<comment>.*))$", re.DOTALL)


def system_note(text: str | None) -> str:
    """A note the system wrote into a complaint's history (stored in English), in the
    current locale; anything else as it was written."""
    text = text or ""
    fixed = SYSTEM_NOTES.get(text)
    if fixed is not None:
        return str(fixed)
    match = _UNHAPPY.match(text)
    if match:
        said = gettext("Unhappy follow-up answer (%(score)s/5)", score=match["score"])
        return f"{said}: {match['comment']}" if match["comment"] else said
    return text


def all_words() -> dict:
    """Everything above, for templates."""
    return {"channel": CHANNEL_WORDS, "level": LEVEL_WORDS, "category": CATEGORY_WORDS, "status": STATUS_WORDS,
            "remedy": REMEDY_WORDS, "remedy_status": REMEDY_STATUS_WORDS, "root_cause": ROOT_CAUSE_WORDS,
            "contact_kind": CONTACT_KIND_WORDS, "followup_status": FOLLOWUP_STATUS_WORDS,
            "followup_kind": FOLLOWUP_KIND_WORDS, "event": EVENT_WORDS, "missing": MISSING_WORDS,
            "note": SYSTEM_NOTES}
