"""CSV in and out, safely.

Out: :func:`writer` wraps ``csv.writer`` and neutralises every text cell that a
spreadsheet would run as a formula (starting with ``= + - @``, tab or carriage
return) by putting an apostrophe in front (OWASP's advice); :func:`restore` undoes
it on import, so an exported file re-imports unchanged.  Numbers are written as
they are.

In: :func:`decode` accepts UTF-8 (with or without BOM), UTF-16 (with BOM, or
without one when the NUL bytes say so) and GB18030 (GBK, as spreadsheets save it on
Chinese Windows), and names the line and byte when the file is none of them.
:func:`records` reads rows with their starting line, refusing per row (with the line
number) fields longer than the limit, and reporting an unterminated quote instead of
letting it swallow the rows after it (reading resumes on the next line).
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_FIELD = 64 * 1024


# --------------------------------------------------------------------------- out


def neutralise(value):
    """``value`` made safe for a spreadsheet cell (text only; numbers pass as they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo :func:`neutralise` on a cell read back from one of our own files."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


class _SafeWriter:
    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, **kwargs) -> _SafeWriter:
    """``csv.writer(out)`` whose text cells are neutralised (use for every CSV export)."""
    return _SafeWriter(out, **kwargs)


# --------------------------------------------------------------------------- in


class CsvEncodingError(ValueError):
    """The bytes are not text in an accepted encoding; ``line`` is where it fails."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


def _line_of(data: bytes, position: int, newline: bytes = b"\n") -> int:
    return data.count(newline, 0, position) + 1


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.4 and even_nuls < half * 0.05:
        return "utf-16-le"
    if even_nuls > half * 0.4 and odd_nuls < half * 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes, what: str | None = None) -> str:
    """Decode an uploaded CSV; raise :class:`CsvEncodingError` naming the line.

    A byte-order mark (or UTF-16's NUL bytes) picks the encoding to try first; UTF-8
    and GB18030 are always tried too.  When none fits, the error is the one of the
    encoding that read furthest, with the line it stopped on.
    """
    le, be = b"\n\x00", b"\x00\n"
    candidates: list[tuple[str, bytes]] = []
    if data.startswith(codecs.BOM_UTF8):
        candidates.append(("utf-8-sig", b"\n"))
    elif data.startswith(codecs.BOM_UTF16_LE):
        candidates.append(("utf-16", le))
    elif data.startswith(codecs.BOM_UTF16_BE):
        candidates.append(("utf-16", be))
    elif guess := _looks_utf16(data):
        candidates.append((guess, le if guess.endswith("le") else be))
    candidates += [("utf-8", b"\n"), ("gb18030", b"\n")]
    failures: list[tuple[UnicodeDecodeError, bytes]] = []
    for encoding, newline in candidates:
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            failures.append((exc, newline))
    error, newline = max(failures, key=lambda failure: failure[0].start)
    line = _line_of(data, error.start, newline)
    raise CsvEncodingError(gettext(
        "%(what)s is not UTF-8 or GB18030 text (nor UTF-16): line %(line)s has the byte "
        "%(byte)s that does not fit (%(encoding)s: %(reason)s). Save it as “CSV UTF-8” and try again.",
        what=what or gettext("The file"), line=line, byte=f"0x{data[error.start]:02x}",
        encoding=error.encoding, reason=error.reason), line)


@dataclass(frozen=True)
class Record:
    """One CSV row: ``line`` it starts on (1-based), ``fields``, or ``error`` (then no fields)."""

    line: int
    fields: list[str] | None
    error: str | None = None


def records(text: str, *, delimiter: str = ",", max_field: int = MAX_FIELD,
            width: int | None = None) -> Iterator[Record]:
    """Rows of ``text`` with their line numbers; bad rows come as ``Record(error=...)``.

    ``width`` (the header's column count, when known) helps spot a quote that was never
    closed but met another quote further down: a row spanning several lines with the
    wrong number of fields is reported, and reading resumes on its second line.
    """
    lines = text.splitlines(keepends=True)
    index = 0  # next physical line (0-based)
    while index < len(lines):
        counter = _Counter(itertools.islice(lines, index, None))
        reader = csv.reader(counter, delimiter=delimiter, strict=True)
        while True:
            start = index + counter.count + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                message = str(exc)
                if "field larger than field limit" in message:
                    reason = gettext("A field is longer than %(max)s characters.", max=max_field)
                elif "unexpected end of data" in message or "EOF" in message:
                    reason = gettext("A quote opened on this line is never closed; the rows after it "
                                     "are read on their own.")
                else:
                    reason = gettext("The line cannot be read as CSV (%(message)s).", message=message)
                yield Record(start, None, reason)
                index = start  # resume on the line after the bad row's first line
                break
            end = index + counter.count
            if any(len(f) > max_field for f in fields):
                yield Record(start, None, gettext("A field is longer than %(max)s characters.", max=max_field))
                if end > start:
                    index = start
                    break
                continue
            if end > start and width is not None and len(fields) != width and any("\n" in f for f in fields):
                yield Record(start, None, gettext(
                    "A quoted field runs from line %(start)s to line %(end)s and the row has %(count)s fields "
                    "instead of %(width)s: is a quote not closed?", start=start, end=end, count=len(fields),
                    width=width))
                index = start
                break
            yield Record(start, fields)
        else:  # pragma: no cover - the loop only ends by break or return
            return


class _Counter:
    """Iterator over lines that counts how many the csv reader has taken."""

    def __init__(self, lines):
        self._lines = iter(lines)
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self):
        line = next(self._lines)
        self.count += 1
        return line
