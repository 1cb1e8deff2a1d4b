"""``flask --app run outbox ...``: send the notification outbox, queue reminders, list it;
and the sender itself (:func:`send_pending`, :func:`start_background_sender`), which
commits message by message, so it lives on this side of the line with the commands
(the outbox page's "send now" button calls it too)."""

from __future__ import annotations

import datetime as dt
import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from models import Channel, OutboxMessage, OutboxStatus, db, utcnow
from workshop.notifications import outbox as notifications
from workshop.notifications.outbox import EmailSender, SendReport, SmsSender, sms_sender


def send_pending(*, limit: int = 100, now: dt.datetime | None = None, email: EmailSender | None = None,
                 sms: SmsSender | None = None) -> SendReport:
    """Send queued messages over every configured channel.

    COMMITS, message by message: each is claimed (a conditional UPDATE, so
    concurrent senders never send one twice), sent, then marked ``sent``, or put back
    with the error and a later retry time, or ``failed`` after
    :data:`~workshop.notifications.outbox.MAX_ATTEMPTS`.  Messages of a channel
    without a sender are left queued and counted in ``waiting``.  Never raises for a
    delivery error.
    """
    config = current_app.config
    email = email or EmailSender(config)
    sms = sms or sms_sender(config)
    report = SendReport()
    senders = {Channel.EMAIL.value: email.configured, Channel.SMS.value: bool(sms.configured)}
    now = now or utcnow()
    db.session.commit()  # start from a clean transaction: claims commit one by one

    report.waiting.update(notifications.waiting_without_sender(senders))
    channels = [c for c, ready in senders.items() if ready]
    if not channels:
        db.session.rollback()
        return report
    ids = notifications.due_ids(channels, now, limit)
    db.session.rollback()

    for message_id in ids:
        claimed = notifications.claim(message_id, now)
        db.session.commit()
        if not claimed:
            continue  # another sender took it
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        notifications.deliver(message, email, sms, report)
        db.session.commit()
    return report

outbox_cli = AppGroup("outbox", help="Customer notifications waiting to be sent.")


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True, help="At most this many messages.")
@click.option("--remind/--no-remind", default=True, show_default=True,
              help="First queue reminders for handsets waiting too long.")
def outbox_send(limit, remind):
    """Send queued messages (email through SMTP_HOST; SMS through SMS_SENDER)."""
    if remind:
        queued = notifications.queue_reminders()
        db.session.commit()
        if queued:
            click.echo(f"{len(queued)} reminder(s) queued.")
    report = send_pending(limit=limit)
    click.echo(f"Outbox: {report}.")
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    if report.waiting and not current_app.config.get("SMTP_HOST"):
        click.echo("SMTP_HOST is not set: email stays queued in the outbox until it is.")


@outbox_cli.command("remind")
def outbox_remind():
    """Queue reminders for handsets ready but not collected (ServicePoint.reminder_after_days)."""
    queued = notifications.queue_reminders()
    db.session.commit()
    click.echo(f"{len(queued)} reminder(s) queued.")


@outbox_cli.command("list")
@click.option("--status", type=click.Choice([s.value for s in OutboxStatus]), default=None)
@click.option("--limit", default=50, show_default=True)
def outbox_list(status, limit):
    """The latest messages: id, status, channel, recipient, job, template."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    rows = db.session.scalars(stmt).all()
    if not rows:
        click.echo("The outbox is empty." if not status else f"No {status} messages.")
        return
    for m in rows:
        job = m.job.number if m.job else "-"
        line = f"{m.id}\t{m.status}\t{m.channel}\t{m.to_address or '-'}\t{job}\t{m.template}\t{m.created_at:%Y-%m-%d %H:%M}"
        if m.last_error:
            line += f"\t{m.last_error}"
        click.echo(line)


@outbox_cli.command("run")
@click.option("--interval", type=float, default=None,
              help="Seconds between rounds (default OUTBOX_SEND_INTERVAL, 30).")
@click.option("--rounds", type=int, default=0, help="Stop after this many rounds (0: until stopped).")
def outbox_run(interval, rounds):
    """The outbox worker: queue due reminders and send, every INTERVAL seconds, until
    stopped (SIGTERM or Ctrl+C finish the round first).  Run one per installation."""
    app = current_app._get_current_object()
    interval = float(interval or app.config.get("OUTBOX_SEND_INTERVAL") or 30)
    stop = threading.Event()

    def ask_to_stop(_signum, _frame):
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, ask_to_stop)
    click.echo(f"Outbox worker: sending every {interval:g} s.")
    done = 0
    while not stop.is_set():
        report = send_round(app)
        if report is not None and (report.sent or report.failed or report.retrying):
            click.echo(f"Outbox: {report}.")
        done += 1
        if rounds and done >= rounds:
            break
        stop.wait(interval)
    click.echo("Outbox worker stopped.")


def send_round(app) -> SendReport | None:
    """One round of the outbox worker: queue due reminders, then send.  Never raises
    (a bad round is logged and the next one tries again); None when it failed."""
    with app.app_context():
        try:
            notifications.queue_reminders()
            db.session.commit()
            return send_pending()
        except Exception:  # the loop must survive a bad round
            db.session.rollback()
            app.logger.exception("outbox: sending round failed")
            return None
        finally:
            db.session.remove()


def register(app: Flask) -> None:
    app.cli.add_command(outbox_cli)


def start_background_sender(app, interval: float | None = None) -> threading.Thread | None:
    """Start a daemon thread that queues due reminders and sends the outbox every
    ``interval`` seconds (``OUTBOX_SEND_INTERVAL``), when a sender is configured.

    Safe with several processes doing the same (claims are atomic).  Returns the
    thread, or None when neither SMTP nor SMS is configured.
    """
    if not (app.config.get("SMTP_HOST") or app.config.get("SMS_SENDER")):
        return None
    interval = float(interval or app.config.get("OUTBOX_SEND_INTERVAL") or 30)
    stop = threading.Event()

    def run():
        while not stop.wait(interval):
            report = send_round(app)
            if report is not None and (report.sent or report.failed or report.retrying):
                app.logger.info("outbox: %s", report)

    thread = threading.Thread(target=run, name="outbox-sender", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
