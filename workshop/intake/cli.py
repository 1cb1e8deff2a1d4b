"""``flask --app run tac import FILE.csv`` and ``flask --app run imei check VALUE``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from models import db
from workshop.cli import domain_errors_exit
from workshop.intake.devices import blocked, tac
from workshop.intake.devices import imei as imei_service

tac_cli = AppGroup("tac", help="The TAC table (IMEI -> brand and model).")
imei_cli = AppGroup("imei", help="IMEI checks.")

#: Rejected rows listed on the terminal; the rest are counted.
SHOW_REJECTED = 50


@tac_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@domain_errors_exit
def tac_import(path):
    """Import a TAC CSV (Osmocom export or tac,brand,model); re-import updates."""
    with click.progressbar(length=100, label="Importing TACs", show_percent=True) as bar:
        done = 0

        def progress(lines_read: int, total: int | None) -> None:
            nonlocal done
            if total:
                percent = min(100, lines_read * 100 // total)
                bar.update(percent - done)
                done = percent
            # Committed after each batch: intakes get SQLite's write lock in between.
            db.session.commit()

        result = tac.import_file(path, progress=progress)
        bar.update(100 - done)
    db.session.commit()
    if result.licence:
        click.echo(f"Licence: {result.licence}")
    click.echo(result.summary())
    if result.rejected:
        click.echo("Rejected rows:")
        for row in result.rejected[:SHOW_REJECTED]:
            click.echo(f"  line {row.line}: {row.reason}  [{row.raw[:80]}]")
        if len(result.rejected) > SHOW_REJECTED:
            click.echo(f"  ... and {len(result.rejected) - SHOW_REJECTED} more (see the TAC page in the app).")


@imei_cli.command("check")
@click.argument("value")
def imei_check(value):
    """Say whether VALUE is a valid IMEI, what it is, and what the TAC table and the
    blocked register know about it.  Exit code 1 when it is not a valid IMEI."""
    check = imei_service.check(value)
    click.echo(f"{check.value}: {'valid IMEI' if check.valid else check.kind + ', not a valid IMEI'}")
    if check.reason:
        click.echo(check.reason)
    target = check.value if check.valid else check.suggestion
    entry = tac.lookup(check.tac) if check.tac else None
    if check.tac:
        click.echo(f"TAC {check.tac}: {entry.brand + ' ' + entry.model if entry else 'not in the TAC table'}")
    if target and blocked.is_blocked(target):
        click.echo(f"BLOCKED: {target} is on the blocked register.")
    if not check.valid:
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(tac_cli)
    app.cli.add_command(imei_cli)
