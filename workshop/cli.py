"""``flask --app run ...`` commands (CONTRACT.md).  Each commits its own work and
turns a domain error into a message and exit code 1."""

from __future__ import annotations

import functools

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from models import DomainError, db
from workshop.services import accounts, demo


def domain_errors_exit(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            db.session.rollback()
            lines = [exc.message] + [f"  {field}: {'; '.join(msgs)}" for field, msgs in exc.errors.items()]
            raise click.ClickException("\n".join(lines)) from None

    return wrapper


service_points_cli = AppGroup("service-points", help="Service points of the chain.")
users_cli = AppGroup("users", help="Staff accounts and API tokens.")


@service_points_cli.command("create")
@click.argument("code")
@click.option("--name", required=True, help="Shown on tickets and receipts.")
@click.option("--address", default="")
@click.option("--phone", default="")
@click.option("--timezone", default=None, help="IANA name; default WORKSHOP_TIMEZONE.")
@domain_errors_exit
def service_points_create(code, name, address, phone, timezone):
    """Create a service point with CODE (2-6 capital letters/digits)."""
    sp = accounts.create_service_point(code, name, address=address, phone=phone, timezone=timezone)
    db.session.commit()
    click.echo(f"Service point {sp.code} ({sp.name}) created, timezone {sp.timezone}.")


@service_points_cli.command("list")
def service_points_list():
    from sqlalchemy import select

    from models import ServicePoint

    for sp in db.session.scalars(select(ServicePoint).order_by(ServicePoint.code)):
        click.echo(f"{sp.code}\t{sp.name}\t{sp.timezone}")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["receptionist", "engineer", "clerk", "manager", "admin"]))
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--service-point", "service_point_code", default=None, help="Code; default the first service point.")
@click.option("--display-name", default="")
@click.option("--level", "engineer_level", type=int, default=None, help="Engineer level (1, 2...).")
@click.option("--brands", default="", help="Comma-separated brands an engineer is qualified for.")
@domain_errors_exit
def users_create(name, role, password, service_point_code, display_name, engineer_level, brands):
    """Create the user NAME."""
    sp = None
    if service_point_code:
        sp = accounts.service_point_by_code(service_point_code)
        if sp is None:
            raise click.ClickException(f"There is no service point {service_point_code}.")
    user = accounts.create_user(name, role, password, service_point=sp, display_name=display_name,
                                engineer_level=engineer_level, brands=brands)
    db.session.commit()
    click.echo(f"User {user.username} ({user.role}) created at {user.service_point.code}.")


@users_cli.command("token")
@click.argument("name")
def users_token(name):
    """Print a new API token for NAME, alone on the last line (shown once)."""
    from sqlalchemy import func, select

    from models import User

    user = db.session.scalar(select(User).where(func.lower(User.username) == name.lower()))
    if user is None:
        raise click.ClickException(f"There is no user {name}.")
    secret = accounts.issue_token(user)
    db.session.commit()
    click.echo(f"API token for {user.username} (store it now; it is not shown again):")
    click.echo(secret)


@click.command("seed-demo")
@click.option("--with-jobs", is_flag=True, help="Also a few handsets at each step of the journey.")
@with_appcontext
def seed_demo(with_jobs):
    """Demo service point, one user per role (passwords printed once), parts and TAC rows."""
    result = demo.seed(with_jobs=with_jobs)
    db.session.commit()
    click.echo(demo.describe(result))


def register(app: Flask) -> None:
    from .pickup.cli import outbox_cli

    app.cli.add_command(outbox_cli)
    app.cli.add_command(service_points_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo)
    from .parts.cli import parts_cli

    app.cli.add_command(parts_cli)
    from .intake.cli import imei_cli, tac_cli

    app.cli.add_command(tac_cli)
    app.cli.add_command(imei_cli)
    from .reports.cli import reports_cli

    app.cli.add_command(reports_cli)
    from .aftercare.cli import complaints_cli, followups_cli

    app.cli.add_command(complaints_cli)
    app.cli.add_command(followups_cli)
