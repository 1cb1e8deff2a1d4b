"""``flask --app run complaints list [--overdue]`` and ``flask --app run followups list``:
the complaint register and the call list from a shell (all service points, or one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import click
from flask.cli import AppGroup
from sqlalchemy import select

from models import ServicePoint, db
from workshop.services.clock import as_utc, local_now, local_today

from . import complaints, followups

complaints_cli = AppGroup("complaints", help="The complaint register (投诉登记表).")
followups_cli = AppGroup("followups", help="Follow-up calls (回访).")


@dataclass
class _Reader:
    """Who the shell reads as: every service point, or the one named."""

    service_points: list[ServicePoint]

    @property
    def service_point_ids(self) -> set[int]:
        return {sp.id for sp in self.service_points}


def _reader(code: str | None) -> _Reader:
    stmt = select(ServicePoint).order_by(ServicePoint.code)
    if code:
        stmt = stmt.where(ServicePoint.code == code.strip().upper())
    found = list(db.session.scalars(stmt))
    if code and not found:
        raise click.ClickException(f"There is no service point {code}.")
    return _Reader(found)


def _local(complaint, moment) -> str:
    return local_now(complaint.service_point, as_utc(moment)).strftime("%Y-%m-%d %H:%M") if moment else "-"


@complaints_cli.command("list")
@click.option("--overdue", is_flag=True, help="Only complaints past their response or report deadline.")
@click.option("--status", type=click.Choice(["open", "resolved", "closed"]), default=None)
@click.option("--level", type=click.Choice(["general", "serious", "critical"]), default=None)
@click.option("--service-point", "code", default=None, help="Code; default every service point.")
@click.option("--limit", default=200, show_default=True)
def complaints_list(overdue, status, level, code, limit):
    """Complaints, newest first: number, status, level, channel, customer, respond-by (local), owner."""
    reader = _reader(code)
    items, _cursor = complaints.search(reader, status=status, level=level, overdue=overdue, limit=limit)
    now = dt.datetime.now(dt.UTC)
    for c in items:
        flag = "OVERDUE" if complaints.is_overdue(c, now) else ""
        click.echo("\t".join([c.number, c.status, c.level, c.channel, c.customer.name, c.customer.phone,
                              _local(c, c.respond_by), c.owner.username if c.owner else "-", flag]).rstrip())
    click.echo(f"{len(items)} complaint(s){' overdue' if overdue else ''}.")


@followups_cli.command("list")
@click.option("--status", type=click.Choice(["open", "done", "unreachable", "refused"]), default="open",
              show_default=True)
@click.option("--due-by", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Local date; default every open call.")
@click.option("--today", "today_only", is_flag=True, help="Only calls due by today (each service point's date).")
@click.option("--kind", type=click.Choice(["pickup", "complaint"]), default=None)
@click.option("--service-point", "code", default=None)
def followups_list(status, due_by, today_only, kind, code):
    """The call list, oldest due date first: id, kind, due on, attempts, customer, phone, job, complaint."""
    reader = _reader(code)
    due = due_by.date() if due_by else None
    items, _cursor = followups.call_list(reader, status=status, due_by=due, kind=kind, limit=10000)
    if today_only:
        items = [f for f in items if f.due_on <= local_today(f.service_point)]
    for f in items:
        click.echo("\t".join([str(f.id), f.kind, f.due_on.isoformat(), str(f.attempts), f.status, f.customer.name,
                              f.customer.phone, f.job.number if f.job else "-",
                              f.complaint.number if f.complaint else "-"]))
    click.echo(f"{len(items)} call(s).")
