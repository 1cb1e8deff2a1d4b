"""A small flow layout engine for receipts.

Content is added top to bottom to a :class:`Flow`, which turns it into
:class:`Row` objects of known height (measuring and wrapping text as it goes).
:func:`render` then puts the rows on pages: on a fixed sheet it breaks pages
between rows, on a roll it makes one page exactly as tall as the rows.
Measuring first and drawing second is what lets a roll page be sized to its
content and an A5 footer say "page 1 of 2".

It is hand-rolled rather than reportlab's platypus because receipts need
only a handful of block kinds, and this is several times faster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from .code128 import Symbol, draw_symbol
from .text import FontSet, truncate, wrap

LEADING = 1.3  # line height as a multiple of the font size
MAX_FIELD_LINES = 8  # a receipt is no place for an essay: the job record has it all


@dataclass
class Row:
    """An unbreakable strip of the page; ``draw`` gets the canvas and the
    strip's top edge."""

    height: float
    draw: Callable[[Canvas, float], None]
    keep_with_next: bool = False


@dataclass(frozen=True)
class Field:
    """A caption and its value; ``wide`` takes a whole row of a grid."""

    caption: str
    value: str
    wide: bool = False
    bold: bool = False


@dataclass(frozen=True)
class Column:
    """A table column: header, share of the width, alignment."""

    header: str
    share: float
    align: str = "left"


class Flow:
    """Rows of content ``width`` points wide, starting at ``x`` on the page."""

    def __init__(self, fonts: FontSet, x: float, width: float, size: float, *,
                 caption_width: float, caption_gray: float = 0.0):
        self.fonts = fonts
        self.x = x
        self.width = width
        self.size = size
        self.caption_width = caption_width
        self.caption_gray = caption_gray
        self.rows: list[Row] = []

    # -- primitives -------------------------------------------------------

    def add(self, height: float, draw: Callable[[Canvas, float], None], keep_with_next: bool = False) -> None:
        self.rows.append(Row(height, draw, keep_with_next))

    def space(self, height: float) -> None:
        self.add(height, lambda canvas, top: None)

    def _baseline(self, top: float, size: float) -> float:
        # Centre the font's ascent+descent in a line of LEADING * size.
        f = self.fonts
        return top - size * (LEADING - f.ascent - f.descent) / 2 - f.ascent * size

    # -- blocks -----------------------------------------------------------

    def paragraph(self, text: str, size: float | None = None, *, bold: bool = False, align: str = "left",
                  max_lines: int | None = None) -> None:
        """Wrapped text, one row per line so pages may break inside it."""
        size = size or self.size
        f = self.fonts
        x = {"left": self.x, "centre": self.x + self.width / 2, "right": self.x + self.width}[align]
        for line in wrap(text, f, size, self.width, bold, max_lines):
            self.add(size * LEADING, lambda c, top, line=line: f.draw(
                c, x, self._baseline(top, size), line, size, bold=bold, align=align))

    def heading(self, text: str) -> None:
        """A section heading over a hairline rule; never last on a page."""
        size = self.size + 1
        f, x, w = self.fonts, self.x, self.width

        def draw(c: Canvas, top: float) -> None:
            base = top - 4 - f.ascent * size
            f.draw(c, x, base, text, size, bold=True)
            c.setLineWidth(0.6)
            c.line(x, base - f.descent * size - 1.2, x + w, base - f.descent * size - 1.2)

        self.add(4 + size * (f.ascent + f.descent) + 3.5, draw, keep_with_next=True)

    def rule(self, weight: float = 0.5, dash: bool = False) -> None:
        x, w = self.x, self.width

        def draw(c: Canvas, top: float) -> None:
            c.saveState()
            c.setLineWidth(weight)
            if dash:
                c.setDash(2, 2)
            c.line(x, top - 3, x + w, top - 3)
            c.restoreState()

        self.add(6, draw)

    def fields(self, items: Sequence[Field], columns: int = 1, *, fit_captions: bool = False) -> None:
        """Caption/value pairs in ``columns`` columns; values wrap, empty
        values are left out.

        Captions get the flow's ``caption_width`` so values line up from one
        grid to the next, or with ``fit_captions`` just what they need.
        """
        items = [i for i in items if i.value]
        if not items:
            return
        f, size = self.fonts, self.size
        cap_size = size - 0.5
        gutter = 10.0
        col_w = (self.width - gutter * (columns - 1)) / columns
        if fit_captions:
            cap_w = min(max(f.width(i.caption, cap_size) for i in items) + 5, col_w * 0.45)
        else:
            cap_w = self.caption_width

        # Group into grid rows: a wide item alone, others `columns` at a time.
        grid: list[list[Field]] = []
        for item in items:
            if item.wide or columns == 1:
                grid.append([item])
            elif grid and not grid[-1][0].wide and len(grid[-1]) < columns:
                grid[-1].append(item)
            else:
                grid.append([item])

        for cells in grid:
            laid = []
            for n, item in enumerate(cells):
                left = self.x + n * (col_w + gutter)
                value_w = (self.width if item.wide else col_w) - cap_w
                caps = wrap(item.caption, f, cap_size, cap_w - 5, max_lines=3)
                vals = wrap(item.value, f, size, value_w, item.bold, max_lines=MAX_FIELD_LINES)
                laid.append((left, caps, vals, item.bold))
            lines = max(max(len(caps), len(vals)) for _, caps, vals, _ in laid)
            self.add(lines * size * LEADING, self._fields_row(laid, cap_w, cap_size))

    def _fields_row(self, laid: list, cap_w: float, cap_size: float) -> Callable[[Canvas, float], None]:
        f, size, gray = self.fonts, self.size, self.caption_gray
        step = size * LEADING

        def draw(c: Canvas, top: float) -> None:
            base = self._baseline(top, size)
            for left, caps, vals, bold in laid:
                if gray:
                    c.setFillGray(gray)
                for i, line in enumerate(caps):
                    f.draw(c, left, base - i * step, line, cap_size)
                if gray:
                    c.setFillGray(0)
                for i, line in enumerate(vals):
                    f.draw(c, left + cap_w, base - i * step, line, size, bold=bold)

        return draw

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> None:
        """A table with a bold header; the first column wraps, the others are
        single lines cut to fit."""
        f, size = self.fonts, self.size
        total = sum(col.share for col in columns)
        edges = [self.x]
        for col in columns:
            edges.append(edges[-1] + self.width * col.share / total)
        pad = 3.0

        def cell_x(i: int, align: str) -> float:
            return edges[i + 1] if align == "right" else edges[i]

        def header(c: Canvas, top: float) -> None:
            base = self._baseline(top, size)
            for i, col in enumerate(columns):
                f.draw(c, cell_x(i, col.align), base, col.header, size, bold=True, align=col.align)
            c.setLineWidth(0.5)
            c.line(self.x, top - size * LEADING - 1, self.x + self.width, top - size * LEADING - 1)

        self.add(size * LEADING + 2, header, keep_with_next=True)
        for cells in rows:
            first = wrap(cells[0], f, size, edges[1] - edges[0] - pad, max_lines=MAX_FIELD_LINES)
            rest = [truncate(text, f, size, edges[i + 2] - edges[i + 1] - pad) for i, text in enumerate(cells[1:])]

            def draw(c: Canvas, top: float, first: list[str] = first, rest: list[str] = rest) -> None:
                base = self._baseline(top, size)
                for n, line in enumerate(first):
                    f.draw(c, edges[0], base - n * size * LEADING, line, size)
                for i, text in enumerate(rest, start=1):
                    f.draw(c, cell_x(i, columns[i].align), base, text, size, align=columns[i].align)

            self.add(len(first) * size * LEADING, draw)

    def totals(self, items: Sequence[Field], value_width: float) -> None:
        """Right-aligned caption/amount pairs, as under a bill."""
        f, size = self.fonts, self.size
        right = self.x + self.width
        for item in items:
            s = size + (1.5 if item.bold else 0)

            def draw(c: Canvas, top: float, item: Field = item, s: float = s) -> None:
                base = self._baseline(top, s)
                cap = truncate(item.caption, f, s, self.width - value_width - 6, bold=item.bold)
                f.draw(c, right - value_width - 6, base, cap, s, bold=item.bold, align="right")
                f.draw(c, right, base, item.value, s, bold=item.bold, align="right")

            self.add(s * LEADING, draw)

    def barcode(self, symbol: Symbol, height: float, text: str, text_size: float, align: str = "centre") -> None:
        """Bars with ``text`` in bold under them, as one unbreakable row."""
        f = self.fonts
        if align == "centre":
            left = self.x + (self.width - symbol.width_pt) / 2
        else:
            left = self.x + self.width - symbol.width_pt

        def draw(c: Canvas, top: float) -> None:
            bars_left, bars_right = draw_symbol(c, symbol, left, top - height, height)
            f.draw(c, (bars_left + bars_right) / 2, top - height - 2 - f.ascent * text_size,
                   text, text_size, bold=True, align="centre")

        self.add(height + 2 + text_size * (f.ascent + f.descent), draw)

    def signatures(self, captions: Sequence[str], shares: Sequence[float], height: float = 30) -> None:
        """Lines to sign on, captioned underneath, side by side."""
        f, size = self.fonts, self.size - 0.5
        total = sum(shares)
        gap = 14.0

        def draw(c: Canvas, top: float) -> None:
            x = self.x
            usable = self.width - gap * (len(shares) - 1)
            c.setLineWidth(0.6)
            for caption, share in zip(captions, shares, strict=True):
                w = usable * share / total
                y = top - height + size * LEADING
                c.line(x, y, x + w, y)
                f.draw(c, x, y - 2 - f.ascent * size, caption, size)
                x += w + gap

        self.add(height, draw)


def render(
    canvas: Canvas,
    rows: Sequence[Row],
    width: float,
    height: float | None,
    top: float,
    bottom: float,
    footer: Callable[[Canvas, int, int], None] | None = None,
) -> int:
    """Draw ``rows`` on as many pages as they need; returns the page count.

    With ``height`` None (a roll) there is one page exactly as tall as the
    rows plus the ``top`` and ``bottom`` margins. Otherwise pages break
    between rows, never after a ``keep_with_next`` row, and ``footer`` is
    called on each page with its number and the page count.
    """
    if height is None:
        page_h = top + sum(r.height for r in rows) + bottom
        pages = [list(rows)]
    else:
        page_h = height
        room = height - top - bottom
        pages = [[]]
        used = 0.0
        i = 0
        while i < len(rows):
            # A row that must stay with the next moves over together with it.
            j = i
            while j < len(rows) - 1 and rows[j].keep_with_next:
                j += 1
            group = rows[i:j + 1]
            need = sum(r.height for r in group)
            if used + need > room and pages[-1]:
                pages.append([])
                used = 0.0
            pages[-1].extend(group)
            used += need
            i = j + 1

    for number, page in enumerate(pages, start=1):
        canvas.setPageSize((width, page_h))
        y = page_h - top
        for row in page:
            row.draw(canvas, y)
            y -= row.height
        if footer:
            footer(canvas, number, len(pages))
        canvas.showPage()
    return len(pages)
