"""Reading TAC tables (first 8 IMEI digits -> brand and model) from CSV.

Pure: no Flask, no database.  Two layouts are accepted:

* the Osmocom TAC database export as published: a licence line ("Osmocom TAC
  database under CC-BY-SA v3.0 ..."), then the header
  ``tac,name,name,contributor,comment,gsmarena,gsmarena,aka`` where the first
  ``name`` is the brand and the second the model; the other columns are ignored;
* a plain file headed ``tac,brand,model`` (columns in any order, extra columns
  ignored).

Both tolerate a byte-order mark, surrounding whitespace, Windows or Unix line
endings, blank lines and trailing empty columns (spreadsheets add them).

Blemishes of the real Osmocom file and how they are handled:

* TACs with a leading space (`` 35572302``): whitespace is stripped, row kept;
* the same TAC twice: the **first** row wins and each later one is rejected
  with a reason naming the line it repeats (the reader streams, so it cannot
  know about later rows; a manager sees every conflict in the summary);
* whitespace inside names is collapsed (``"Galaxy  S"`` -> ``"Galaxy S"``).

Rows are rejected, with a reason in plain words, when the TAC is not exactly 8
digits (a 7-digit TAC gets a hint about spreadsheets dropping the leading
zero), the brand or model is empty or longer than :data:`MAX_NAME_LENGTH`, the
row has too few fields, or more non-empty fields than the header (an unquoted
comma inside a name).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from flask_babel import gettext

__all__ = [
    "MAX_NAME_LENGTH",
    "RejectedRow",
    "TacCsvReader",
    "TacRow",
    "decode_tac_bytes",
    "open_tac_csv",
    "read_tac_csv",
]

#: Longest brand or model name accepted.
MAX_NAME_LENGTH = 100

_TAC = re.compile(r"[0-9]{8}")
_LICENCE_PREFIX = "osmocom tac database"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class TacRow:
    """A good row: ``line`` is the file line the row starts on (1-based)."""

    line: int
    tac: str
    brand: str
    model: str


@dataclass(frozen=True)
class RejectedRow:
    """A row that was not imported: the file line, its text and why."""

    line: int
    raw: str
    reason: str


def _clean_name(value: str) -> str:
    return " ".join(_CONTROL.sub(" ", value).split())


class TacCsvReader:
    """Iterate over a TAC CSV, yielding :class:`TacRow` and :class:`RejectedRow`.

    The header is read when the reader is created, so a file that is neither
    layout fails before any row is read.  Attributes for the importer:

    ``layout``
        ``"osmocom"`` or ``"plain"``.
    ``licence``
        the Osmocom licence line (keep it with the data), else None.
    ``total_lines``
        lines in the whole file when the stream is seekable, else None; with
        ``lines_read`` it drives a progress bar.
    ``lines_read``
        file lines consumed so far.
    ``accepted``
        number of :class:`TacRow` yielded so far.
    ``rejected``
        every :class:`RejectedRow` yielded so far.

    Raises ValueError (on creation) for an empty file or an unrecognised header.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.total_lines = _count_lines(stream)
        self.lines_read = 0
        self.accepted = 0
        self.rejected: list[RejectedRow] = []
        self.licence: str | None = None
        self._pending: list[str] = []
        self._replay: list[str] = []  # lines to read again after a broken record
        self._lines = iter(stream)
        self._seen: dict[str, TacRow] = {}
        self._csv = csv.reader(self._physical_lines())
        self._read_header()
        self._rows = self._generate()

    # -- reading --------------------------------------------------------------

    def _physical_lines(self) -> Iterator[str]:
        while True:
            if self._replay:
                text = self._replay.pop(0)
            else:
                text = next(self._lines, None)
                if text is None:
                    return
            self.lines_read += 1
            self._pending.append(text)
            yield text

    def _next_record(self) -> tuple[int, list[str] | None, str, str | None]:
        """Return (start line, fields or None on a CSV error, raw text, error).

        Raises StopIteration at the end of the file.
        """
        self._pending.clear()
        start = self.lines_read + 1
        try:
            fields = next(self._csv)
            error = None
            if len(self._pending) > 1 and self._quote_left_open(fields):
                # A quote left open swallows the rows after it (to the end of the file,
                # or to the next quote): report this line and read the others as rows.
                fields, error = None, gettext("a quote opened on this line is not closed on it")
        except csv.Error as exc:
            fields, error = None, str(exc)
            if "field larger than field limit" in error:
                error = gettext("a field is far too long")
        if error is not None and len(self._pending) > 1:
            # Only this line is the bad record: read the lines after it again, as rows of
            # their own, with a fresh reader (the old one may be mid-record).
            self._replay = self._pending[1:] + self._replay
            self.lines_read -= len(self._pending) - 1
            del self._pending[1:]
            self._csv = csv.reader(self._physical_lines())
        raw = "".join(self._pending).rstrip("\r\n")
        if start == 1:
            raw = raw.lstrip("\ufeff")
            if fields:
                fields[0] = fields[0].lstrip("\ufeff")
        return start, fields, raw, error

    def _quote_left_open(self, fields: list[str]) -> bool:
        """A record over several lines that is not a name with a line break in it: it
        runs over more than 3 lines, has too few fields or more non-empty ones than the
        header, or is not well-formed CSV read strictly (e.g. the quote reaches the end
        of the file, or closes in the middle of a later field)."""
        if len(self._pending) > 3:
            return True
        width = getattr(self, "width", None)
        if width is not None:
            needed = max(self._columns) + 1
            if len(fields) < needed or any(f.strip() for f in fields[width:]):
                return True
        try:
            for _ in csv.reader(io.StringIO("".join(self._pending)), strict=True):
                pass
        except csv.Error:
            return True
        return False

    def _read_header(self) -> None:
        header = None
        while header is None:
            try:
                _, fields, raw, error = self._next_record()
            except StopIteration:
                raise ValueError(gettext("The TAC file is empty: no header line was found.")) from None
            if error is not None:
                raise ValueError(gettext("The TAC file's header cannot be read as CSV: %(error)s.", error=error))
            if not any(f.strip() for f in fields):
                continue  # blank lines before the header
            if self.licence is None and raw.strip().lower().startswith(_LICENCE_PREFIX):
                self.licence = raw.strip()
                continue
            header = raw
            names = [f.strip().lower() for f in fields]
        while names and not names[-1]:
            names.pop()
        self.width = len(names)
        if names[:3] == ["tac", "name", "name"]:
            self.layout = "osmocom"
            self._columns = (0, 1, 2)
        elif all(names.count(n) == 1 for n in ("tac", "brand", "model")):
            self.layout = "plain"
            self._columns = (names.index("tac"), names.index("brand"), names.index("model"))
        else:
            raise ValueError(gettext(
                "Unrecognised TAC file header %(header)s: expected the Osmocom TAC "
                "database export (its licence line, then 'tac,name,name,...') or a plain "
                "file whose first line is 'tac,brand,model'.", header=repr(header.strip())))

    def _generate(self) -> Iterator[TacRow | RejectedRow]:
        while True:
            try:
                line, fields, raw, error = self._next_record()
            except StopIteration:
                return
            if error is not None:
                yield self._reject(line, raw, gettext("The line cannot be read as CSV (%(message)s).",
                                                      message=error))
                continue
            if not any(f.strip() for f in fields):
                continue  # blank line, or only commas
            yield self._row(line, fields, raw)

    def _row(self, line: int, fields: list[str], raw: str) -> TacRow | RejectedRow:
        tac_col, brand_col, model_col = self._columns
        needed = max(self._columns) + 1
        if len(fields) < needed:
            return self._reject(
                line, raw,
                gettext("The row has %(count)s field(s); at least %(needed)s are needed "
                        "(tac, brand and model).", count=len(fields), needed=needed))
        if any(f.strip() for f in fields[self.width:]):
            return self._reject(
                line, raw,
                gettext("The row has more fields than the header (%(count)s instead of "
                        "%(width)s); is there an unquoted comma in a name?", count=len(fields), width=self.width))

        tac = fields[tac_col].strip()
        brand = _clean_name(fields[brand_col])
        model = _clean_name(fields[model_col])
        if not _TAC.fullmatch(tac):
            if not tac:
                reason = gettext("The TAC is empty.")
            elif len(tac) < 8 and tac.isascii() and tac.isdigit():
                reason = gettext("The TAC %(tac)s has %(count)s digits; a TAC has 8 (was a leading "
                                 "zero lost in a spreadsheet?).", tac=repr(tac), count=len(tac))
            else:
                reason = gettext("The TAC %(tac)s is not 8 digits.", tac=repr(tac))
            return self._reject(line, raw, reason)
        missing = [what for what, value in (("brand", brand), ("model", model)) if not value]
        if missing:
            empty = {"brand": gettext("The brand is empty."), "model": gettext("The model is empty.")}
            return self._reject(line, raw, empty[missing[0]]
                                if len(missing) == 1 else gettext("The brand and model are empty."))
        for what, value in (("brand", brand), ("model", model)):
            if len(value) > MAX_NAME_LENGTH:
                return self._reject(
                    line, raw,
                    (gettext("The brand is %(length)s characters long; at most %(max)s are allowed.",
                             length=len(value), max=MAX_NAME_LENGTH) if what == "brand" else
                     gettext("The model is %(length)s characters long; at most %(max)s are allowed.",
                             length=len(value), max=MAX_NAME_LENGTH)))

        first = self._seen.get(tac)
        if first is not None:
            if (first.brand, first.model) == (brand, model):
                reason = gettext("TAC %(tac)s repeats line %(line)s (same brand and model).", tac=tac,
                                 line=first.line)
            else:
                reason = gettext("TAC %(tac)s was already read on line %(line)s as %(brand)s %(model)s; the "
                                 "first entry is kept.", tac=tac, line=first.line, brand=first.brand,
                                 model=first.model)
            return self._reject(line, raw, reason)

        row = TacRow(line=line, tac=tac, brand=brand, model=model)
        self._seen[tac] = row
        self.accepted += 1
        return row

    def _reject(self, line: int, raw: str, reason: str) -> RejectedRow:
        rejected = RejectedRow(line=line, raw=raw, reason=reason)
        self.rejected.append(rejected)
        return rejected

    # -- iterator protocol ----------------------------------------------------

    def __iter__(self) -> TacCsvReader:
        return self

    def __next__(self) -> TacRow | RejectedRow:
        return next(self._rows)

    def summary(self) -> str:
        """Return a one-line summary such as ``"22524 rows read, 3 rejected."``."""
        return gettext("%(accepted)s rows read, %(rejected)s rejected.", accepted=self.accepted,
                       rejected=len(self.rejected))


def _count_lines(stream: TextIO) -> int | None:
    """Count the lines left in a seekable stream and rewind; None if it can't."""
    try:
        if not stream.seekable():
            return None
        start = stream.tell()
    except (AttributeError, OSError, ValueError):
        return None
    count, last = 0, ""
    while chunk := stream.read(1 << 16):
        # \r\n counts once, a lone \r (old Mac files) counts too.
        count += chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
        if last == "\r" and chunk[0] == "\n":
            count -= 1
        last = chunk[-1]
    if last and last not in "\r\n":
        count += 1
    stream.seek(start)
    return count


def read_tac_csv(stream: TextIO) -> TacCsvReader:
    """Start reading a TAC CSV from a text stream; iterate the result for rows.

    Open files with ``newline=""`` (or use :func:`open_tac_csv`) so quoted
    fields keep their line breaks.  Raises ValueError for an empty file or an
    unrecognised header, before any row is read.
    """
    return TacCsvReader(stream)


def decode_tac_bytes(data: bytes) -> io.StringIO:
    """Decode an uploaded TAC file: UTF-8 (with or without BOM), UTF-16, else GB18030.

    Spreadsheets on Chinese Windows save CSV as GBK, which GB18030 contains.
    Raises ValueError (workshop.core.csvio.CsvEncodingError, naming the line) if the
    bytes are none of them.
    """
    from workshop.core.csvio import decode

    return io.StringIO(decode(data, gettext("The TAC file")), newline="")


def open_tac_csv(path: str | os.PathLike[str]) -> io.StringIO:
    """Read a TAC file from disk into a stream for :func:`read_tac_csv`.

    Raises OSError if the file cannot be read and ValueError if it is not
    UTF-8 or GB18030 text.
    """
    with open(path, "rb") as handle:
        return decode_tac_bytes(handle.read())
