"""Customer notifications through an outbox.

A notification is rendered in the customer's language when it is queued (an
``OutboxMessage`` row, in the same transaction as the change that caused it) and
sent later by ``workshop.notifications.cli.send_pending`` (the command, the outbox
page's button and the background sender), which commits message by message: email
through SMTP when ``SMTP_HOST`` is set, SMS through the plug-in named by ``SMS_SENDER``.  Without a sender the message stays
``queued`` and visible on the outbox page; nothing is lost.

Templates (``templates/notifications/``): ``ready_for_pickup``, ``approval_needed``
and ``reminder``; ``<name>.txt`` for email, ``<name>.sms.txt`` for SMS.

Several senders may run at once (one per gunicorn worker, plus the CLI): each
message is claimed with a conditional UPDATE before it is sent, so it goes out once.
"""

from __future__ import annotations

import datetime as dt
import importlib
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol, runtime_checkable

from flask import render_template
from flask_babel import force_locale, gettext
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from models import (
    Channel,
    Conflict,
    Job,
    JobEvent,
    JobStatus,
    OutboxMessage,
    OutboxStatus,
    db,
    utcnow,
)
from workshop.core import audit
from workshop.core.locale import language_for
from workshop.core.money import format_money
from workshop.core.settings import public_base_url, setting
from workshop.core.signals import job_moved
from workshop.pickup import collection as pickup

TEMPLATES = ("ready_for_pickup", "approval_needed", "reminder")
#: A message is given up after this many failed attempts.
MAX_ATTEMPTS = 5
#: A claim older than this is taken to belong to a sender that died mid-send.
STALE_CLAIM = dt.timedelta(minutes=10)


# -- language and rendering ---------------------------------------------------


def track_url(job: Job) -> str:
    """The public status page of the job, absolute when the base URL is known."""
    base = public_base_url()
    return f"{base}/track/{job.number}" if base else ""


def _subject(template: str, job: Job) -> str:
    subjects = {
        "ready_for_pickup": _("Your handset is ready for pickup (job %(number)s)", number=job.number),
        "approval_needed": _("Your approval is needed for repair job %(number)s", number=job.number),
        "reminder": _("Reminder: your handset is waiting for pickup (job %(number)s)", number=job.number),
    }
    return subjects[template]


def render(template: str, job: Job, channel: Channel | str, locale: str, **context) -> tuple[str, str]:
    """``(subject, body)`` of a notification in ``locale``.  Raises KeyError for an
    unknown template."""
    if template not in TEMPLATES:
        raise KeyError(f"unknown notification template {template!r}")
    channel = Channel(channel)
    with force_locale(locale):
        current = pickup.bill(job)
        values = dict(
            job=job, customer=job.customer, service_point=job.service_point,
            handset=" ".join(p for p in (job.brand, job.model) if p) or _("handset"),
            balance=current.balance,
            money=lambda amount: format_money(amount, setting("CURRENCY_SYMBOL", "¥"), locale),
            track_url=track_url(job), **context,
        )
        suffix = "sms.txt" if channel == Channel.SMS else "txt"
        body = render_template(f"notifications/{template}.{suffix}", **values).strip() + "\n"
        return _subject(template, job), body


def _address(customer, channel: Channel) -> str:
    if channel == Channel.EMAIL:
        return (customer.email or "").strip()
    return (customer.phone or "").strip()


def queue(job: Job, template: str, *, dedupe_key: str | None = None, **context) -> OutboxMessage | None:
    """Render and queue ``template`` for the job's customer.

    The channel is email when the customer gave an address, else SMS to their phone;
    with neither the row is kept as ``no_channel``.  A ``dedupe_key`` already used
    returns None and queues nothing.  Flushes only.
    """
    if dedupe_key and db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    customer = job.customer
    channel = Channel.EMAIL if (customer.email or "").strip() else Channel.SMS
    to = _address(customer, channel)
    locale = language_for(customer)
    subject, body = render(template, job, channel, locale, **context)
    message = OutboxMessage(
        service_point_id=job.service_point_id, job_id=job.id, customer_id=customer.id, channel=channel.value,
        template=template, locale=locale, to_address=to, subject=subject[:200], body=body,
        status=(OutboxStatus.QUEUED if to else OutboxStatus.NO_CHANNEL).value, dedupe_key=dedupe_key,
        last_error="" if to else "The customer gave no email address or phone number.",
    )
    db.session.add(message)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # queued by a concurrent request under the same key
        return None
    return message


def job_status_changed(job: Job, event: JobEvent) -> OutboxMessage | None:
    """The workflow's after-move listener: queue "ready for pickup" when a job becomes
    ready and "approval needed" when it waits for the customer's approval.  Flushes
    only; returns the message queued, if any."""
    if event.kind != "status":
        return None
    if event.id is None:
        db.session.flush()
    if event.to_status == JobStatus.READY.value:
        return queue(job, "ready_for_pickup", dedupe_key=f"ready_for_pickup:{job.id}:{event.id}")
    if event.to_status == JobStatus.AWAITING_APPROVAL.value:
        data = event.data or {}
        return queue(job, "approval_needed", dedupe_key=f"approval_needed:{job.id}:{event.id}",
                     note=event.note or "", estimate=data.get("estimate") or data.get("amount"))
    return None


@job_moved.connect
def _tell_customer(job: Job, *, event: JobEvent, actor, from_status: str, to_status: str) -> None:
    # Listens to the workflow's moves (same transaction): queue the customer's message.
    if to_status in (JobStatus.READY.value, JobStatus.AWAITING_APPROVAL.value):
        job_status_changed(job, event)


def queue_reminders(now: dt.datetime | None = None) -> list[OutboxMessage]:
    """Queue a reminder for each handset waiting for pickup for ``reminder_after_days``
    (a service point setting) or a further multiple of it since the last one.
    Idempotent: run it as often as you like.  Flushes only."""
    queued = []
    for waiting in pickup.waiting_for_pickup(now=now):
        every = waiting.job.service_point.reminder_after_days or 0
        if every <= 0 or waiting.days < every:
            continue
        round_ = waiting.days // every
        key = f"reminder:{waiting.job.id}:{int(waiting.since.timestamp())}:{round_}"
        message = queue(waiting.job, "reminder", dedupe_key=key, days=waiting.days)
        if message is not None:
            queued.append(message)
    return queued


def for_job(job: Job) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.job_id == job.id).order_by(OutboxMessage.id)))


def outbox(service_point_ids, *, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.service_point_id.in_(list(service_point_ids)))
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(limit)))


# -- senders ------------------------------------------------------------------


class NotConfigured(Exception):
    """No sender is set up for a channel; the message waits in the outbox."""


@runtime_checkable
class SmsSender(Protocol):
    """The plug-in point for SMS: ``SMS_SENDER = "package.module:factory"`` names a
    callable taking the app config and returning an object with ``configured`` (bool)
    and ``send(to, body)`` which raises on failure."""

    configured: bool

    def send(self, to: str, body: str) -> None: ...


class NoSmsSender:
    """Used while no SMS gateway is configured: SMS messages stay queued."""

    configured = False

    def send(self, to: str, body: str) -> None:
        raise NotConfigured("No SMS sender is configured (SMS_SENDER).")


def sms_sender(config) -> SmsSender:
    """The configured SMS sender, or :class:`NoSmsSender`.  Raises RuntimeError for
    an ``SMS_SENDER`` that cannot be imported, TypeError when it builds no sender."""
    target = config.get("SMS_SENDER")
    if not target:
        return NoSmsSender()
    module_name, _sep, attr = str(target).partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr or "create_sender")
    except (ImportError, AttributeError) as exc:
        raise RuntimeError(f"SMS_SENDER={target!r} cannot be loaded: {exc}") from exc
    sender = factory(config)
    if not isinstance(sender, SmsSender):
        raise TypeError(f"SMS_SENDER={target!r} did not return an SmsSender (configured, send).")
    return sender


class EmailSender:
    """Sends email through the SMTP server of ``SMTP_HOST``/``SMTP_PORT`` (optional
    ``SMTP_STARTTLS``, ``SMTP_USERNAME``/``SMTP_PASSWORD``)."""

    def __init__(self, config):
        self.host = config.get("SMTP_HOST")
        self.port = int(config.get("SMTP_PORT") or 25)
        self.starttls = bool(config.get("SMTP_STARTTLS"))
        self.username = config.get("SMTP_USERNAME")
        self.password = config.get("SMTP_PASSWORD")
        self.mail_from = config.get("MAIL_FROM") or "workshop@localhost"
        self.timeout = float(config.get("SMTP_TIMEOUT") or 15)

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def build(self, message: OutboxMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = message.to_address
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain=self.mail_from.rpartition("@")[2]
                                         or None)
        if message.job is not None:
            email["X-Workshop-Job"] = message.job.number
        email.set_content(message.body)
        return email

    def send(self, message: OutboxMessage) -> None:
        if not self.configured:
            raise NotConfigured("SMTP_HOST is not set.")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(self.build(message))


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: dict[str, int] = field(default_factory=dict)  # channel -> queued without a sender
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{self.sent} sent", f"{self.retrying} to retry", f"{self.failed} failed"]
        for channel, count in self.waiting.items():
            parts.append(f"{count} {channel} waiting (no {channel} sender configured)")
        return ", ".join(parts)


def due(now: dt.datetime):
    """The clause for messages due to be sent at ``now`` (queued and due, or claimed by
    a sender that died mid-send)."""
    return or_(
        and_(OutboxMessage.status == OutboxStatus.QUEUED.value,
             or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)),
        and_(OutboxMessage.status == OutboxStatus.SENDING.value, OutboxMessage.claimed_at < now - STALE_CLAIM),
    )


def waiting_without_sender(senders: dict[str, bool]) -> dict[str, int]:
    """Queued messages per channel that has no sender configured (``senders``:
    channel -> configured)."""
    waiting = {}
    for channel, ready in senders.items():
        if ready:
            continue
        count = db.session.scalar(
            select(db.func.count(OutboxMessage.id)).where(OutboxMessage.channel == channel,
                                                          OutboxMessage.status == OutboxStatus.QUEUED.value))
        if count:
            waiting[channel] = count
    return waiting


def due_ids(channels: list[str], now: dt.datetime, limit: int) -> list[int]:
    """Ids of the messages due on ``channels``, oldest first."""
    return list(db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.channel.in_(channels), due(now))
        .order_by(OutboxMessage.id).limit(limit)))


def claim(message_id: int, now: dt.datetime) -> bool:
    """Take message ``message_id`` for sending if it is still due (a conditional UPDATE,
    so concurrent senders never both take it).  Returns whether this caller got it.
    Flushes only: the caller commits the claim before sending."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, due(now))
        .values(status=OutboxStatus.SENDING.value, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def deliver(message: OutboxMessage, email: EmailSender, sms: SmsSender, report: SendReport) -> None:
    """Send one claimed message and record the outcome on it and in ``report``: ``sent``,
    or put back with the error and a later retry time, or ``failed`` after
    :data:`MAX_ATTEMPTS`.  Never raises for a delivery error.  Flushes nothing: the
    caller commits."""
    try:
        if message.channel == Channel.EMAIL.value:
            email.send(message)
        else:
            sms.send(message.to_address, message.body)
    except Exception as exc:  # noqa: BLE001 - any delivery error (SMTP, a plug-in's) is recorded
        error = f"{type(exc).__name__}: {exc}"[:1000]
        message.last_error = error
        message.claimed_at = None
        report.errors.append(f"#{message.id} to {message.to_address}: {error}")
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.FAILED.value
            report.failed += 1
        else:
            message.status = OutboxStatus.QUEUED.value
            message.next_attempt_at = utcnow() + dt.timedelta(minutes=2 ** message.attempts)
            report.retrying += 1
    else:
        message.status = OutboxStatus.SENT.value
        message.sent_at = utcnow()
        message.last_error = ""
        report.sent += 1


def requeue(actor, message: OutboxMessage) -> OutboxMessage:
    """Put a failed (or waiting) message back in the queue to be tried now, with an
    audit row.  Raises Conflict for a message already sent.  Flushes only."""
    if message.status == OutboxStatus.SENT.value:
        raise Conflict(gettext("This message was already sent."))
    audit.record(actor, "outbox.requeued", message, status_was=message.status, attempts_was=message.attempts)
    message.status = OutboxStatus.QUEUED.value
    message.attempts = 0
    message.next_attempt_at = None
    message.claimed_at = None
    db.session.flush()
    return message
