"""Customers at the counter: phone numbers in E.164, e-mail addresses checked, and
finding a returning customer again by phone (within the service points one may see)."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from sqlalchemy import select

from models import Customer, db
from workshop.core.settings import setting

__all__ = ["find_by_phone", "normalise_email", "normalise_phone", "phone_region"]


def phone_region() -> str:
    """The region assumed for numbers typed without a country code (WORKSHOP_PHONE_REGION)."""
    return (setting("WORKSHOP_PHONE_REGION") or "CN").upper()


def normalise_phone(value: str | None, region: str | None = None) -> str:
    """Return a phone number in E.164 (``+8613800138000``).

    Numbers without a country code are read in ``region`` (default: the configured
    WORKSHOP_PHONE_REGION).  Raises ValueError with a plain message when the number
    is empty or not a valid number.
    """
    text = (value or "").strip()
    if not text:
        raise ValueError(gettext("A phone number is required."))
    region = region or phone_region()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValueError(gettext("'%(text)s' is not a phone number.", text=text)) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            gettext("'%(text)s' is not a valid phone number (numbers without a country "
                    "code are read as %(region)s).",
                    text=text, region=region))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: str | None) -> str | None:
    """Return the e-mail address in normal form, or None when blank.

    Only the syntax is checked (a counter may be offline).  Raises ValueError with
    the validator's plain message otherwise.
    """
    text = (value or "").strip()
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


def find_by_phone(actor, phone: str, service_point_id: int | None = None) -> Customer | None:
    """The customer with this phone number at ``service_point_id`` (default: the
    actor's own service point), or None.  Raises ValueError for an invalid number."""
    e164 = normalise_phone(phone)
    sp_id = service_point_id or actor.service_point_id
    if sp_id not in actor.service_point_ids:
        return None
    return db.session.scalar(select(Customer).where(Customer.service_point_id == sp_id, Customer.phone == e164))
