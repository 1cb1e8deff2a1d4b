"""Backups: ``flask --app run backup create FILE`` and ``backup restore FILE``.

* SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database
  page by page under a read transaction, so the copy is consistent while the app
  keeps serving, and includes what is still in the WAL (a plain file copy does not).
  The backup is itself an SQLite database file.
* PostgreSQL: ``pg_dump -Fc`` (a consistent snapshot; custom format), restored with
  ``pg_restore``.

``restore`` only goes into an EMPTY database (no rows in any table; tables created
by ``flask db upgrade`` without data are fine) and refuses otherwise, so a restore
can never overwrite live data.  Pure functions over a SQLAlchemy engine: the CLI
(cli.py) calls them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3

# pg_dump/pg_restore run with argument lists, never through a shell.
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from models import fulltext

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why."""


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    return database


def _libpq_url(engine: Engine) -> str:
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def create(engine: Engine, target: Path) -> str:
    """Write a consistent backup of the database to ``target``; returns a one-line summary."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists; give a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(_sqlite_path(engine), timeout=30)
            try:
                copy = sqlite3.connect(partial)
                try:
                    source.backup(copy)  # all pages in one step: a single consistent snapshot
                    copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                finally:
                    copy.close()
            finally:
                source.close()
        elif engine.dialect.name == "postgresql":
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}", f"--dbname={_libpq_url(engine)}"])
        else:
            raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return f"Backup of the {engine.dialect.name} database written to {target} ({target.stat().st_size} bytes)."


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table (``alembic_version`` and the full-text index's own tables left out:
    SQLite's FTS5 keeps a config row even when nothing is indexed, and its content is
    derived from the customers and jobs)."""
    counts = {}
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if table != "alembic_version" and fulltext.include_name(table, "table", None):
                # The table names come from the database's own catalogue, not from input.
                query = f'SELECT COUNT(*) FROM "{table}"'  # nosec B608
                counts[table] = conn.execute(text(query)).scalar_one()
    return counts


def restore(engine: Engine, source: Path) -> str:
    """Restore ``source`` (made by :func:`create`) into the EMPTY database of ``engine``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    with source.open("rb") as handle:
        magic = handle.read(16)
    dialect = engine.dialect.name
    if dialect == "sqlite" and not magic.startswith(SQLITE_MAGIC):
        raise BackupError(f"{source} is not an SQLite backup (a PostgreSQL dump goes into PostgreSQL).")
    if dialect == "postgresql" and not magic.startswith(PGDUMP_MAGIC):
        raise BackupError(f"{source} is not a pg_dump custom-format backup (an SQLite backup goes into SQLite).")
    filled = {table: n for table, n in row_counts(engine).items() if n}
    if filled:
        names = ", ".join(f"{t} ({n})" for t, n in sorted(filled.items())[:5])
        raise BackupError(f"The database is not empty ({names}{'...' if len(filled) > 5 else ''}); "
                          "restore only into an empty database.")
    engine.dispose()
    if dialect == "sqlite":
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(_sqlite_path(engine), timeout=30)
            try:
                backup.backup(target)
            finally:
                target.close()
        finally:
            backup.close()
    elif dialect == "postgresql":
        # --clean --if-exists drops the (empty) tables a `flask db upgrade` may have made.
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--exit-on-error", "--single-transaction", f"--dbname={_libpq_url(engine)}", str(source)])
    else:
        raise BackupError(f"Restoring {dialect} databases is not supported.")
    counts = row_counts(engine)
    return f"Restored {source} into the {dialect} database: {sum(counts.values())} rows in {len(counts)} tables."


def _run(args: list[str]) -> None:
    # args[0] is the pg tool found on PATH; no shell, the rest are our own options.
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip() or result.returncode}")
