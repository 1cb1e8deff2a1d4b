"""IMEI checks at the front desk: what was typed or scanned, and what it is.

Pure rules: no Flask, no database.  The digit arithmetic (Luhn check digit per
3GPP TS 23.003, MEID hex/decimal forms) comes from python-stdnum; this module
adds what the counter needs on top: recognising the number people actually
type in (IMEISV, MEID, an IMEI without its check digit, the all-zero IMEI of a
handset whose board was badly repaired) and explaining it in plain words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from stdnum import luhn
from stdnum import meid as stdnum_meid
from stdnum.exceptions import ValidationError as StdnumValidationError

__all__ = [
    "KINDS",
    "ImeiCheck",
    "check",
    "check_digit",
    "check_pair",
    "mask",
    "normalise",
    "normalise_serial",
]

#: Values of :attr:`ImeiCheck.kind` (the API's ``kind``).
KINDS = ("imei", "imeisv", "meid", "unknown")

# Separators people type or scanners send inside an IMEI: spaces (any kind,
# after NFKC), dashes, slashes and dots.
_SEPARATORS = re.compile(r"[\s\-/.\u2010-\u2015\u2212]+")
_HEX = re.compile(r"[0-9A-F]+")
_SERIAL = re.compile(r"[A-Z0-9-]{4,40}")
# Letters that are misread for digits on a worn label.
_LOOKALIKES = {"O": "0", "I": "1", "L": "1"}

_LOST_IMEI_REASON = _l(
    "The IMEI reads as all zeros: the handset has lost its IMEI, typically after a "
    "bad board repair or firmware flash. Take it in by serial number and refer it; "
    "only the manufacturer or an authorised centre can restore the IMEI."
)


@dataclass(frozen=True)
class ImeiCheck:
    """The verdict on one typed or scanned identifier.

    ``valid`` is True only for a 15-digit IMEI with a correct check digit;
    ``reason`` is None exactly then.  ``code`` is a short stable key for the
    reason (for translation and tests); ``suggestion`` is the full 15-digit IMEI
    when it can be worked out for certain (from an IMEISV or a 14-digit IMEI).
    """

    input: str
    value: str
    kind: str
    valid: bool
    reason: str | None
    tac: str | None
    code: str = "ok"
    suggestion: str | None = None

    def to_dict(self) -> dict:
        """Return the check as JSON-ready data."""
        return asdict(self)


def normalise(value: str) -> str:
    """Return ``value`` as a compact identifier: separators removed, upper case.

    Full-width digits and letters (Chinese input methods) become ASCII; spaces,
    dashes, slashes and dots are removed.  Nothing is validated; never raises
    for a string (``None`` is treated as empty).
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SEPARATORS.sub("", text).upper()


def check_digit(first14: str) -> str:
    """Return the Luhn check digit (3GPP TS 23.003) for the first 14 IMEI digits.

    Raises ValueError if ``first14`` is not exactly 14 ASCII digits.
    """
    if not re.fullmatch(r"[0-9]{14}", first14 or ""):
        raise ValueError("The IMEI check digit is worked out from exactly 14 digits.")
    return luhn.calc_check_digit(first14)


def check(value: str) -> ImeiCheck:
    """Check a typed or scanned IMEI and say what it is.

    Recognises a valid IMEI, an IMEI with a wrong check digit (the reason names
    the expected digit), an IMEI without check digit (14 digits) and an IMEISV
    (16 digits), both with the full IMEI offered as ``suggestion``, an MEID
    (14/15 hex characters starting A0-FF, or the 18/19-digit decimal form), the
    all-zero IMEI of a handset that lost its identity, and anything else as
    ``kind="unknown"``.  Never raises; the answer is always an :class:`ImeiCheck`.
    """
    raw = "" if value is None else str(value)
    number = normalise(raw)

    def verdict(kind: str, code: str, reason: str | None, *, tac: str | None = None,
                suggestion: str | None = None) -> ImeiCheck:
        return ImeiCheck(input=raw, value=number, kind=kind, valid=code == "ok",
                         reason=reason, tac=tac, code=code, suggestion=suggestion)

    if not number:
        return verdict("unknown", "empty", gettext("No IMEI was entered."))

    if number.isascii() and number.isdigit():
        return _check_digits(number, verdict)
    if _HEX.fullmatch(number):
        return _check_hex(number, verdict)

    odd = sorted({c for c in number if not (c.isascii() and c.isalnum())})
    if odd:
        shown = " ".join(repr(c) for c in odd)
        return verdict("unknown", "bad_characters",
                       gettext("An IMEI is made of digits only; '%(value)s' contains %(shown)s.",
                          value=raw.strip(), shown=shown))
    lookalikes = sorted({c for c in number if c in _LOOKALIKES})
    if lookalikes:
        hint = ", ".join(gettext("the letter %(letter)s for %(digit)s", letter=c, digit=_LOOKALIKES[c])
                         for c in lookalikes)
        return verdict("unknown", "bad_characters",
                       gettext("An IMEI is made of digits only; '%(value)s' contains letters "
                          "(perhaps %(hint)s?). Read it again from the handset (*#06#).",
                          value=raw.strip(), hint=hint))
    return verdict("unknown", "bad_characters",
                   gettext("An IMEI is made of digits only; '%(value)s' contains letters.", value=raw.strip()))


def _check_digits(number: str, verdict) -> ImeiCheck:
    length = len(number)
    # The 14 identity digits all zero: whatever check digit or software version follows.
    if length in (14, 15, 16) and set(number[:14]) == {"0"}:
        kind = {14: "imei", 15: "imei", 16: "imeisv"}[length]
        return verdict(kind, "lost_imei", str(_LOST_IMEI_REASON))

    if length == 15:
        tac = number[:8]
        expected = check_digit(number[:14])
        if number[14] != expected:
            return verdict(
                "imei", "bad_check_digit",
                gettext("The check digit is wrong: after %(first14)s it should be %(expected)s, "
                   "not %(given)s. A digit is probably mistyped; read the IMEI again "
                   "from the handset (*#06#) or its label.",
                   first14=number[:14], expected=expected, given=number[14]),
                tac=tac)
        return verdict("imei", "ok", None, tac=tac)

    if length == 14:
        full = number + check_digit(number)
        return verdict(
            "imei", "no_check_digit",
            gettext("These are the 14 digits of an IMEI without its check digit; the full IMEI "
               "is %(full)s.", full=full),
            tac=number[:8], suggestion=full)

    if length == 16:
        full = number[:14] + check_digit(number[:14])
        return verdict(
            "imeisv", "imeisv",
            gettext("This is an IMEISV (IMEI + 2-digit software version), not an IMEI; the IMEI "
               "is the first 14 digits plus a check digit: %(full)s", full=full),
            tac=number[:8], suggestion=full)

    if length in (18, 19):
        try:
            hex_form = stdnum_meid.validate(number[:18])
        except StdnumValidationError:
            hex_form = None
        if hex_form is not None and hex_form[:2] >= "A0":
            if length == 19 and not luhn.is_valid(number):
                return verdict(
                    "meid", "meid_bad_check_digit",
                    gettext("This looks like an MEID in decimal form (hex %(hex)s), but its "
                       "check digit is wrong: it should be %(expected)s. "
                       "An MEID is not an IMEI in any case.",
                       hex=hex_form, expected=luhn.calc_check_digit(number[:18])))
            return verdict(
                "meid", "meid",
                gettext("This is an MEID in decimal form (hex %(hex)s), the identifier of a "
                   "CDMA device, not an IMEI. Use the handset's IMEI (*#06#) if it has one, "
                   "otherwise take it in by serial number.", hex=hex_form))

    return verdict("unknown", "wrong_length",
                   gettext("An IMEI has 15 digits; '%(value)s' has %(length)s.", value=number, length=length))


def _check_hex(number: str, verdict) -> ImeiCheck:
    length = len(number)
    if length in (14, 15) and number[:2] >= "A0":
        try:
            stdnum_meid.validate(number)
        except StdnumValidationError:
            return verdict(
                "meid", "meid_bad_check_digit",
                gettext("This looks like an MEID (CDMA device identifier), but its check digit "
                   "is wrong: it should be %(expected)s. An MEID is not an IMEI in any case.",
                   expected=stdnum_meid.calc_check_digit(number[:14])))
        return verdict(
            "meid", "meid",
            gettext("This is an MEID (hexadecimal identifier of a CDMA device), not an IMEI. "
               "Use the handset's IMEI (*#06#) if it has one, otherwise take it in by "
               "serial number."))
    if length in (14, 15):
        return verdict(
            "unknown", "bad_characters",
            gettext("'%(value)s' contains the letters of a hexadecimal number, but an MEID starts "
               "with A0 to FF and an IMEI is digits only.", value=number))
    return verdict("unknown", "bad_characters",
                   gettext("An IMEI is made of digits only; '%(value)s' contains letters.", value=number))


def check_pair(imei1: str, imei2: str | None) -> tuple[ImeiCheck, ImeiCheck | None]:
    """Check both IMEIs of a dual-SIM handset.

    Returns ``(first, second)``; ``second`` is None when no second IMEI was given
    (blank counts as none).  A second IMEI equal to the first (after
    normalisation) comes back invalid with ``code="same_as_imei1"``.  Never raises.
    """
    first = check(imei1)
    if imei2 is None or not normalise(imei2):
        return first, None
    second = check(imei2)
    if second.value == first.value:
        second = ImeiCheck(
            input=second.input, value=second.value, kind=second.kind, valid=False,
            reason=gettext("The second IMEI is the same as the first; a dual-SIM handset has two "
                      "different IMEIs (*#06# shows both)."),
            tac=second.tac, code="same_as_imei1", suggestion=None)
    return first, second


def mask(value: str, *, visible: int = 4) -> str:
    """Return the IMEI with all but the TAC and the last ``visible`` digits hidden.

    ``352099001761481`` -> ``35209900***1481`` (for receipts and the public
    status page).  Short or odd values are masked but for their last digits.
    Never raises.
    """
    number = normalise(value)
    if len(number) >= 8 + visible + 1:
        return number[:8] + "*" * (len(number) - 8 - visible) + number[-visible:]
    keep = min(visible, max(len(number) - 1, 0))
    return "*" * (len(number) - keep) + number[len(number) - keep:]


def normalise_serial(value: str) -> str:
    """Return a device serial number (for handsets without an IMEI) in canonical form.

    Upper-cases and removes spaces (full-width characters become ASCII).  The
    result must be 4 to 40 letters, digits or dashes.  Raises ValueError with a
    plain message otherwise.
    """
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    serial = re.sub(r"\s+", "", text).upper()
    if not serial:
        raise ValueError(gettext("No serial number was entered."))
    odd = sorted({c for c in serial if not (c.isascii() and (c.isalnum() or c == "-"))})
    if odd:
        shown = " ".join(repr(c) for c in odd)
        raise ValueError(
            gettext("A serial number is made of letters, digits and dashes; '%(value)s' "
               "contains %(shown)s.", value=value.strip(), shown=shown))
    if not _SERIAL.fullmatch(serial):
        raise ValueError(
            gettext("A serial number has 4 to 40 letters, digits or dashes; '%(value)s' has "
               "%(length)s.", value=serial, length=len(serial)))
    return serial
