"""The TAC table: importing it from CSV and looking handsets up in it.

The CSV reading rules (Osmocom export or plain ``tac,brand,model``) live in
:mod:`workshop.intake.devices.tac_csv`; this module stores the rows.  An import
upserts in batches (one SELECT of the batch's TACs, then one bulk INSERT and one
bulk UPDATE by primary key), which keeps the 22,000-row Osmocom file to a few
dozen statements on SQLite and PostgreSQL alike.  Re-importing updates changed
names and leaves rows the file does not mention alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from flask_babel import gettext
from sqlalchemy import func, insert, select, update

from models import TacEntry, TacImport, ValidationError, db, utcnow
from workshop.core import audit
from workshop.intake.devices.tac_csv import RejectedRow, TacRow, decode_tac_bytes, open_tac_csv, read_tac_csv

__all__ = [
    "BATCH_SIZE",
    "KEEP_REJECTED",
    "SHIPPED_TACDB",
    "TacImportResult",
    "count",
    "import_bytes",
    "import_file",
    "import_stream",
    "lookup",
    "recent_imports",
]

BATCH_SIZE = 1000
#: How many rejected rows an import keeps for the summary page (all are counted).
KEEP_REJECTED = 500
#: The Osmocom TAC database shipped with the project (CC-BY-SA v3.0, licence line kept).
SHIPPED_TACDB = Path(__file__).resolve().parents[3] / "data" / "tacdb.csv"

Progress = Callable[[int, int | None], None]


@dataclass
class TacImportResult:
    """What an import did.  ``rejected`` holds every refused row with its reason."""

    layout: str
    licence: str | None
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    record: TacImport | None = None

    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def summary(self) -> str:
        return gettext("%(accepted)s rows read: %(inserted)s new, %(updated)s updated, %(unchanged)s unchanged; "
                       "%(rejected)s rejected.", accepted=self.accepted, inserted=self.inserted,
                       updated=self.updated, unchanged=self.unchanged, rejected=len(self.rejected))


def lookup(tac_or_imei: str | None) -> TacEntry | None:
    """The TAC entry for an IMEI (or its first 8 digits), or None when unknown."""
    tac = (tac_or_imei or "")[:8]
    if len(tac) != 8 or not tac.isdigit():
        return None
    return db.session.get(TacEntry, tac)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(TacEntry)) or 0


def recent_imports(limit: int = 10) -> list[TacImport]:
    return list(db.session.scalars(select(TacImport).order_by(TacImport.id.desc()).limit(limit)))


def _store_batch(rows: list[TacRow], result: TacImportResult) -> None:
    existing = {
        tac: (brand, model)
        for tac, brand, model in db.session.execute(
            select(TacEntry.tac, TacEntry.brand, TacEntry.model).where(
                TacEntry.tac.in_([r.tac for r in rows])))
    }
    now = utcnow()
    new, changed = [], []
    for row in rows:
        values = {"tac": row.tac, "brand": row.brand, "model": row.model, "updated_at": now}
        before = existing.get(row.tac)
        if before is None:
            new.append(values)
        elif before != (row.brand, row.model):
            changed.append(values)
        else:
            result.unchanged += 1
    if new:
        db.session.execute(insert(TacEntry), new)
        result.inserted += len(new)
    if changed:
        # Bulk UPDATE by primary key (executemany).
        db.session.execute(update(TacEntry), changed)
        result.updated += len(changed)


def import_stream(stream: TextIO, *, actor=None, filename: str = "", progress: Progress | None = None,
                  batch_size: int = BATCH_SIZE) -> TacImportResult:
    """Import a TAC CSV from a text stream (opened with ``newline=""``).

    ``progress(lines_read, total_lines)`` is called after each batch (``total_lines``
    is None for an unseekable stream).  Rows the reader refuses are collected with
    their reasons; they do not stop the import.  Records a :class:`TacImport` and an
    audit row.  Raises ValidationError (field ``file``) when the file is empty or
    its header is neither layout.  Flushes; the caller commits.
    """
    try:
        reader = read_tac_csv(stream)
    except ValueError as exc:
        raise ValidationError(str(exc), field="file") from None
    result = TacImportResult(layout=reader.layout, licence=reader.licence)
    batch: list[TacRow] = []
    for item in reader:
        if isinstance(item, RejectedRow):
            continue  # the reader keeps them (reader.rejected)
        batch.append(item)
        if len(batch) >= batch_size:
            _store_batch(batch, result)
            batch = []
            if progress:
                progress(reader.lines_read, reader.total_lines)
    if batch:
        _store_batch(batch, result)
    if progress:
        progress(reader.lines_read, reader.total_lines)
    result.rejected = list(reader.rejected)
    record = TacImport(
        actor_id=getattr(actor, "id", None), filename=(filename or "")[:255], layout=reader.layout,
        licence=(reader.licence or None) and reader.licence[:255], inserted=result.inserted,
        updated=result.updated, unchanged=result.unchanged, rejected_count=len(result.rejected),
        rejected_rows=[{"line": r.line, "raw": r.raw[:300], "reason": r.reason}
                       for r in result.rejected[:KEEP_REJECTED]],
    )
    db.session.add(record)
    db.session.flush()
    result.record = record
    audit.record(actor, "tac.import", record, service_point_id=getattr(actor, "service_point_id", None),
                 filename=filename or None, inserted=result.inserted, updated=result.updated,
                 unchanged=result.unchanged, rejected=len(result.rejected))
    return result


def import_bytes(data: bytes, *, actor=None, filename: str = "", progress: Progress | None = None
                 ) -> TacImportResult:
    """Import an uploaded TAC file (UTF-8 or GB18030 bytes).

    Raises ValidationError (field ``file``) when the bytes are not text or the file
    is not a TAC table.  Flushes; the caller commits.
    """
    try:
        stream = decode_tac_bytes(data)
    except ValueError as exc:
        raise ValidationError(str(exc), field="file") from None
    return import_stream(stream, actor=actor, filename=filename, progress=progress)


def import_file(path: str | Path, *, actor=None, progress: Progress | None = None) -> TacImportResult:
    """Import a TAC file from disk.  Raises ValidationError (field ``file``) when it
    cannot be read or is not a TAC table.  Flushes; the caller commits."""
    try:
        stream = open_tac_csv(path)
    except OSError as exc:
        raise ValidationError(gettext("The file %(path)s cannot be read: %(reason)s.", path=path, reason=exc.strerror or exc), field="file") from None
    except ValueError as exc:
        raise ValidationError(str(exc), field="file") from None
    return import_stream(stream, actor=actor, filename=Path(path).name, progress=progress)
