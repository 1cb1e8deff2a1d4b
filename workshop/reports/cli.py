"""``flask --app run reports kpis --from --to [--csv]``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from models import ServicePoint, db
from workshop.cli import domain_errors_exit
from workshop.core.clock import local_today

from . import complaints as complaint_reports
from . import exports, kpis
from .period import Scope, parse

reports_cli = AppGroup("reports", help="Reports: workshop KPIs and complaint statistics.")


def _scope(code: str | None) -> Scope:
    query = select(ServicePoint).order_by(ServicePoint.code)
    if code:
        query = query.where(ServicePoint.code == code.strip().upper())
    sps = tuple(db.session.scalars(query))
    if not sps:
        raise click.ClickException(f"No service point {code}." if code else "No service point yet.")
    return Scope(sps)


@reports_cli.command("kpis")
@click.option("--from", "start", help="First local date, YYYY-MM-DD (default: the 1st of this month).")
@click.option("--to", "end", help="Last local date, YYYY-MM-DD, inclusive (default: today).")
@click.option("--service-point", "code", help="One service point's code (default: all).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV (figure,value) instead of a table.")
@domain_errors_exit
def kpis_command(start, end, code, as_csv):
    """Workshop KPIs over a period, for every service point or one."""
    scope = _scope(code)
    period = parse(start, end, today=local_today(scope.service_points[0]))
    figures = kpis.public(kpis.compute(scope, period, detail=False, more_figures=complaint_reports.kpi_extra()))
    rows = [[k, ", ".join(v) if isinstance(v, list) else v] for k, v in figures.items()]
    if as_csv:
        click.echo(exports.csv_text(["figure", "value"], rows).lstrip("\ufeff"), nl=False)
        return
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        click.echo(f"{key.ljust(width)}  {'' if value is None else value}")

