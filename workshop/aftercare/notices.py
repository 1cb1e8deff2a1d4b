"""Telling the customer about their complaint, through the notifications outbox.

Two messages, rendered in the customer's language from ``templates/notifications/``:
``complaint_registered`` (the number and the response deadline) and
``complaint_resolved``.  Email when the customer gave an address, else SMS.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Channel, Complaint, OutboxMessage, OutboxStatus, db
from workshop.services import notifications
from workshop.services.clock import as_utc, local_now

TEMPLATES = ("complaint_registered", "complaint_resolved")


def _subject(template: str, complaint: Complaint) -> str:
    if template == "complaint_registered":
        return _("We have registered your complaint %(number)s", number=complaint.number)
    return _("Your complaint %(number)s is resolved", number=complaint.number)


def render(template: str, complaint: Complaint, channel: str, locale: str) -> tuple[str, str]:
    """``(subject, body)`` of a complaint notification in ``locale``.  Raises KeyError
    for an unknown template."""
    if template not in TEMPLATES:
        raise KeyError(f"unknown complaint notification {template!r}")
    sp = complaint.service_point
    respond_by = local_now(sp, as_utc(complaint.respond_by)).strftime("%Y-%m-%d %H:%M")
    with force_locale(locale):
        suffix = "sms.txt" if channel == Channel.SMS.value else "txt"
        body = render_template(f"notifications/{template}.{suffix}", complaint=complaint,
                               customer=complaint.customer, service_point=sp, job=complaint.job,
                               respond_by=respond_by, track_url="").strip() + "\n"
        return _subject(template, complaint), body


def queue(complaint: Complaint, template: str, *, dedupe_key: str) -> OutboxMessage | None:
    """Queue ``template`` for the complaint's customer unless ``dedupe_key`` was used.
    Flushes only; returns the message or None."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    customer = complaint.customer
    channel = Channel.EMAIL.value if (customer.email or "").strip() else Channel.SMS.value
    to = (customer.email if channel == Channel.EMAIL.value else customer.phone) or ""
    locale = notifications.customer_locale(customer)
    subject, body = render(template, complaint, channel, locale)
    message = OutboxMessage(
        service_point_id=complaint.service_point_id, job_id=complaint.job_id, customer_id=customer.id,
        channel=channel, template=template, locale=locale, to_address=to.strip(), subject=subject[:200],
        body=body, status=(OutboxStatus.QUEUED if to.strip() else OutboxStatus.NO_CHANNEL).value,
        dedupe_key=dedupe_key, last_error="" if to.strip() else "The customer gave no email address or phone number.")
    db.session.add(message)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        return None
    return message
