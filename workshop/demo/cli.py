"""``flask --app run seed-demo [--with-jobs]`` (CONTRACT.md)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from models import db
from workshop.demo import seed as demo


@click.command("seed-demo")
@click.option("--with-jobs", is_flag=True, help="Also a few handsets at each step of the journey.")
@with_appcontext
def seed_demo(with_jobs):
    """Demo service point, one user per role (passwords printed once), parts and TAC rows."""
    result = demo.seed(with_jobs=with_jobs)
    db.session.commit()
    click.echo(demo.describe(result))


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
