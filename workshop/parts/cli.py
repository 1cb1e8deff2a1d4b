"""``flask --app run parts import FILE.csv`` / ``parts export`` / ``parts reorder``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from models import ValidationError, db
from workshop.core import accounts
from workshop.parts import catalogue as parts_service

SHOW_REJECTED = 200
parts_cli = AppGroup("parts", help="The spare-parts catalogue: CSV import and export, the reorder list.")


def _read_text(path: Path) -> str:
    from workshop.core import csvio

    # UTF-8 (BOM or not), UTF-16, GB18030 (spreadsheets on Chinese Windows); else
    # CsvEncodingError naming the line with the bad byte.
    return csvio.decode(path.read_bytes(), f"{path.name}")


@parts_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def parts_import(file: Path):
    """Create or update catalogue parts from FILE.csv (columns: see `parts export`).

    Rows with errors are skipped and listed with their line numbers (and reasons);
    the others are imported.  Exit code 1 only when the file itself cannot be read.
    """
    try:
        rows = parts_service.read_csv(_read_text(file))
    except (ValidationError, ValueError) as exc:
        raise click.ClickException(getattr(exc, "message", str(exc))) from None
    with click.progressbar(rows, label=f"Importing {file.name}", show_pos=True,
                           item_show_func=lambda row: row[1].get("sku") if row else None) as bar:
        # Committed in batches: intakes at the counter get SQLite's write lock in between.
        result = parts_service.import_rows(None, bar, on_batch=db.session.commit)
    db.session.commit()
    click.echo(f"{file.name}: {result.summary()} ({result.total} rows).")
    if result.rejected:
        click.echo("Rejected rows:")
        for line_no, reasons in result.rejected[:SHOW_REJECTED]:
            click.echo(f"  line {line_no}: {reasons}")
        if len(result.rejected) > SHOW_REJECTED:
            click.echo(f"  ... and {len(result.rejected) - SHOW_REJECTED} more.")


@parts_cli.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, writable=True, path_type=Path))
def parts_export(file: Path | None):
    """Write the catalogue as CSV to FILE (or standard output), in the import format."""
    text = parts_service.export_csv()
    if file is None:
        click.echo(text.lstrip("\ufeff"), nl=False)
        return
    file.write_text(text, encoding="utf-8")
    click.echo(f"{text.count(chr(10)) - 1} parts written to {file}.")


@parts_cli.command("reorder")
@click.option("--service-point", "code", default=None, help="Code; default the first service point.")
def parts_reorder(code: str | None):
    """Print the reorder list (parts at or under their reorder point) as CSV."""
    sp = accounts.service_point_by_code(code) if code else accounts.default_service_point()
    if sp is None:
        raise click.ClickException(f"There is no service point {code or ''}.".replace("  ", " "))
    click.echo(parts_service.reorder_csv(sp).lstrip("\ufeff"), nl=False)


def register(app: Flask) -> None:
    app.cli.add_command(parts_cli)
