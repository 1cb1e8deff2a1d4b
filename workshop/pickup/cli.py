"""``flask --app run outbox ...``: send the notification outbox, queue reminders, list it."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from models import OutboxMessage, OutboxStatus, db
from workshop.services import notifications

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
    report = notifications.send_pending(limit=limit)
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
