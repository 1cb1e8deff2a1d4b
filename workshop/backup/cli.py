"""``flask --app run backup create FILE`` / ``backup restore FILE`` (see __init__.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from models import db

from . import BackupError, create, restore

backup_cli = AppGroup("backup", help="Back the database up to a file, or restore one into an empty database.")


@backup_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_create(file: Path):
    """Write a consistent backup to FILE while the app keeps serving."""
    db.session.remove()
    try:
        click.echo(create(db.engine, file))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(file: Path):
    """Restore FILE into this app's database, which must be empty."""
    db.session.remove()
    try:
        click.echo(restore(db.engine, file))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
