"""Code 128 symbols sized and placed on a thermal printer's dot grid.

python-barcode encodes the data (it switches to code set C for runs of
digits, so ``SZ01-000123`` costs 134 modules rather than 156); reportlab draws
each bar as a filled rectangle. A module is a whole number of printer dots and
every bar edge sits on a dot boundary counted from the page's left and bottom
edges, so a 203 or 300 dpi printer prints every bar the same width instead of
rounding some up and some down, which is what makes marginal labels unreadable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from barcode.codex import Code128
from reportlab.pdfgen.canvas import Canvas

PRINTER_DPIS = (203, 300, 600)
"""Printer resolutions documents can be laid out for (dots per inch)."""

QUIET_ZONE_MODULES = 10
"""Blank modules kept on each side of the bars (ISO/IEC 15417 asks for 10)."""

MIN_MODULE_MM = 0.25
"""Narrowest module we print: handheld counter scanners read it reliably on
thermal paper. At 203 dpi that is 2 dots (0.250 mm), at 300 dpi 3 dots
(0.254 mm)."""

_PT_PER_INCH = 72.0
_MM_PER_INCH = 25.4


class _NoWriter:
    """python-barcode wants a writer; we only use its encoder."""


def check_dpi(dpi: int) -> int:
    """Return ``dpi`` if it is one of :data:`PRINTER_DPIS`, else raise ValueError."""
    if dpi not in PRINTER_DPIS:
        allowed = ", ".join(str(d) for d in PRINTER_DPIS)
        raise ValueError(f"unsupported printer resolution {dpi!r} dpi; allowed: {allowed}")
    return dpi


def code128_pattern(data: str) -> str:
    """The module pattern of ``data``: ``1`` bar, ``0`` space, start to stop.

    Includes the check character and the 13-module stop pattern, excludes the
    quiet zones.

    Raises:
        ValueError: ``data`` is empty or has characters outside printable
            ASCII (a counter scanner could not type them back reliably).
    """
    if not data:
        raise ValueError("cannot make a barcode of empty data")
    bad = sorted({ch for ch in data if not " " <= ch <= "~"})
    if bad:
        raise ValueError(f"barcode data {data!r} has characters Code 128 labels do not carry: {bad}")
    return Code128(data, writer=_NoWriter()).build()[0]


@dataclass(frozen=True)
class Symbol:
    """A Code 128 symbol at a chosen module width for one printer resolution."""

    data: str
    pattern: str
    dpi: int
    module_dots: int

    @property
    def modules(self) -> int:
        """Modules including both quiet zones."""
        return len(self.pattern) + 2 * QUIET_ZONE_MODULES

    @property
    def module_pt(self) -> float:
        return self.module_dots * _PT_PER_INCH / self.dpi

    @property
    def module_mm(self) -> float:
        return self.module_dots * _MM_PER_INCH / self.dpi

    @property
    def width_pt(self) -> float:
        """Width including quiet zones, plus one dot of slack for snapping."""
        return (self.modules * self.module_dots + 1) * _PT_PER_INCH / self.dpi

    @property
    def bars_width_pt(self) -> float:
        return len(self.pattern) * self.module_pt


def min_module_dots(dpi: int) -> int:
    """The fewest dots per module that are at least :data:`MIN_MODULE_MM` wide."""
    # The 1e-3 lets 2 dots at 203 dpi (0.2502 mm) count as 0.25 mm.
    return max(1, math.ceil(MIN_MODULE_MM * dpi / _MM_PER_INCH - 1e-3))


def fit_symbol(
    data: str,
    width_pt: float,
    dpi: int,
    *,
    max_module_mm: float = 0.5,
    what: str = "barcode",
) -> Symbol:
    """Choose the widest whole-dot module at which ``data`` fits ``width_pt``.

    The width includes the quiet zones. Modules are never narrower than
    :data:`MIN_MODULE_MM` nor wider than ``max_module_mm`` (beyond that a wider
    symbol only needs taller bars to stay scannable).

    Raises:
        ValueError: the data cannot fit even at the narrowest module; the
            message names the data, what it needs and what is available.
    """
    check_dpi(dpi)
    pattern = code128_pattern(data)
    modules = len(pattern) + 2 * QUIET_ZONE_MODULES
    available_dots = math.floor(width_pt * dpi / _PT_PER_INCH + 1e-9) - 1
    least = min_module_dots(dpi)
    most = max(least, math.floor(max_module_mm * dpi / _MM_PER_INCH + 1e-9))
    dots = min(most, available_dots // modules)
    if dots < least:
        need_mm = modules * least * _MM_PER_INCH / dpi
        have_mm = width_pt * _MM_PER_INCH / _PT_PER_INCH
        raise ValueError(
            f"{data!r} does not fit the {what}: as Code 128 it needs {modules} modules "
            f"including quiet zones, {need_mm:.1f} mm at the minimum module of "
            f"{least} dots at {dpi} dpi, but only {have_mm:.1f} mm is available"
        )
    return Symbol(data, pattern, dpi, dots)


def _bar_runs(pattern: str) -> list[tuple[int, int]]:
    """(first module, width in modules) of each bar."""
    runs = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern[i] == "1":
            j = pattern.find("0", i)
            if j < 0:
                j = n
            runs.append((i, j - i))
            i = j
        else:
            i += 1
    return runs


def draw_symbol(canvas: Canvas, symbol: Symbol, x_pt: float, y_pt: float, height_pt: float) -> tuple[float, float]:
    """Draw ``symbol`` with its left quiet zone starting at ``x_pt``.

    ``y_pt`` is the bottom of the bars. Edges are snapped to the printer's dot
    grid from the page origin (the left edge moves right by under one dot,
    which :attr:`Symbol.width_pt` allows for). Returns the left and right edges
    of the bars in points.
    """
    unit = _PT_PER_INCH / symbol.dpi
    d = symbol.module_dots
    left = math.ceil(x_pt / unit - 1e-9) + QUIET_ZONE_MODULES * d
    bottom = round(y_pt / unit)
    height = max(1, round(height_pt / unit))
    # The bars are written in printer dots under a scaling matrix, so every
    # edge is an integer in the PDF itself: exact, compact and quick to write.
    rects = " ".join(f"{left + start * d} {bottom} {width * d} {height} re"
                     for start, width in _bar_runs(symbol.pattern))
    canvas.addLiteral(f"q 0 g {unit:.12f} 0 0 {unit:.12f} 0 0 cm {rects} f Q")
    return left * unit, (left + len(symbol.pattern) * d) * unit
