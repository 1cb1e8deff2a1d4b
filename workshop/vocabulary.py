"""Names of the workshop's codes as the counter says them (lazily translated): fault
categories, components, accessories, proof kinds, warranty statuses and remedies,
condition flags.  Screens, the job page and printed receipts all show these."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
