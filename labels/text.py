"""Fonts, text measuring, wrapping, truncation and masking.

Every document picks one font set for all of its text
(:func:`fonts_for`): when everything fits in WinAnsi (Latin-1 plus a few
typographic signs) it uses the PDF base-14 Helvetica, which viewers and
printers always have, so nothing is embedded and the PDF stays small and quick
to make. Otherwise it embeds a subset of WenQuanYi Micro Hei, a TrueType
collection with full GBK coverage, so Chinese names print on machines that
have no Chinese fonts and stay extractable text (the subset carries a
ToUnicode map). The TrueType file is parsed once per process.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

CJK_FONT_NAME = "WenQuanYiMicroHei"

# The vendored copy comes first so a fresh counter PC prints the same as CI;
# the Debian/Ubuntu system copy is only a fallback for a trimmed checkout.
CJK_FONT_PATHS = (
    Path(__file__).with_name("fonts") / "wqy-microhei.ttc",
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)

ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class FontSet:
    """The faces one document draws with.

    ``fake_bold`` means the family has no bold face: bold text is drawn with
    fill plus a thin stroke of the glyph outline, which stays real text.
    """

    regular: str
    bold: str
    fake_bold: bool
    ascent: float  # fraction of the font size above the baseline
    descent: float  # fraction below (positive)

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """Advance width of ``text`` in points."""
        return pdfmetrics.stringWidth(text, self.bold if bold else self.regular, size)

    def draw(
        self,
        canvas: Canvas,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        bold: bool = False,
        align: str = "left",
    ) -> None:
        """Draw one line of text with its baseline at ``y``.

        ``align`` is ``left`` (x is the left edge), ``right`` (x is the right
        edge) or ``centre`` (x is the middle).
        """
        if not text:
            return
        if align != "left":
            w = self.width(text, size, bold)
            x -= w if align == "right" else w / 2
        if bold and self.fake_bold:
            canvas.saveState()
            canvas.setFont(self.bold, size)
            canvas.setLineWidth(size * 0.04)
            canvas.drawString(x, y, text, mode=2)
            canvas.restoreState()
        else:
            canvas.setFont(self.bold if bold else self.regular, size)
            canvas.drawString(x, y, text)


LATIN = FontSet("Helvetica", "Helvetica-Bold", False, 0.718, 0.207)


@functools.cache
def cjk_fonts() -> FontSet:
    """Register the embedded CJK font (once per process) and return its set.

    Raises:
        FileNotFoundError: neither the vendored nor the system font exists.
    """
    for path in CJK_FONT_PATHS:
        if path.is_file():
            # asciiReadable=False numbers each document's glyphs from 0
            # instead of keeping ASCII at its own codes: the PDF's width
            # arrays shrink from ~130 entries to the glyphs actually used.
            font = TTFont(CJK_FONT_NAME, str(path), subfontIndex=0, asciiReadable=False)
            face = font.face
            # reportlab copies whole tables out of the file for every document
            # it subsets (the 3.5 MB glyf table among them); they never change.
            face.get_table = functools.cache(face.get_table)
            pdfmetrics.registerFont(font)
            return FontSet(
                CJK_FONT_NAME,
                CJK_FONT_NAME,
                True,
                face.ascent / 1000,
                -face.descent / 1000,
            )
    raise FileNotFoundError(
        "CJK font wqy-microhei.ttc not found; looked in "
        + ", ".join(str(p) for p in CJK_FONT_PATHS)
    )


def _fits_winansi(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def fonts_for(*texts: str) -> FontSet:
    """Pick the font set that can print every one of ``texts``."""
    if all(_fits_winansi(t) for t in texts if t):
        return LATIN
    return cjk_fonts()


# A token is one CJK character (lines may break between any two), a run of
# other non-space characters (a word), or a run of spaces.
_TOKEN = re.compile(
    r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
    r"|[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+"
    r"|\s+"
)
# Punctuation that must not begin a line (kinsoku): it stays on the line
# before, overhanging the margin by a fraction of an em if need be.
_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)%")


def wrap(text: str, fonts: FontSet, size: float, width: float, bold: bool = False,
         max_lines: int | None = None) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points.

    Latin words break at spaces, CJK text between any two characters; a word
    longer than the line is cut by characters. Newlines in ``text`` are kept.
    Beyond ``max_lines`` the text is cut, the last line ending in an ellipsis.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        line_w = 0.0

        def cut(token: str) -> None:
            # A word wider than the whole line: break it between characters.
            nonlocal line, line_w
            for ch in token:
                cw = fonts.width(ch, size, bold)
                if line_w + cw > width and line:
                    lines.append(line)
                    line, line_w = "", 0.0
                line += ch
                line_w += cw

        for token in _TOKEN.findall(paragraph):
            if token.isspace():
                if line:
                    line += " "
                    line_w += fonts.width(" ", size, bold)
                continue
            tw = fonts.width(token, size, bold)
            if line and line_w + tw > width and token not in _NO_LINE_START:
                lines.append(line.rstrip())
                line, line_w = "", 0.0
            if not line and tw > width:
                cut(token)
            else:
                line += token
                line_w += tw
        lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        # The last kept line is full, so the cut falls inside it.
        lines[max_lines - 1] = truncate(" ".join(lines[max_lines - 1:]), fonts, size, width, bold)
        del lines[max_lines:]
    return lines


def truncate(text: str, fonts: FontSet, size: float, width: float, bold: bool = False) -> str:
    """``text`` on one line, cut with an ellipsis if wider than ``width``."""
    text = " ".join(text.split())
    if fonts.width(text, size, bold) <= width:
        return text
    # Binary search for the longest prefix that fits beside the ellipsis.
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fonts.width(text[:mid].rstrip() + ELLIPSIS, size, bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS if lo else ""


def fit_size(text: str, fonts: FontSet, size: float, width: float, bold: bool = False,
             minimum: float = 5.0) -> float:
    """The largest font size up to ``size`` at which ``text`` fits ``width``."""
    w = fonts.width(text, size, bold)
    if w <= width:
        return size
    return max(minimum, size * width / w)


def mask_imei(imei: str) -> str:
    """Hide the serial part of an IMEI, keeping the TAC and the last 3 digits.

    ``352099001761481`` becomes ``35209900****481``. The TAC (first 8 digits)
    names the model and is not personal; the last digits let the customer
    recognise the handset. Identifiers of other shapes keep their first and
    last few characters.
    """
    s = re.sub(r"[\s\-/]", "", imei)
    if len(s) >= 14:
        return s[:8] + "*" * (len(s) - 11) + s[-3:]
    if len(s) > 7:
        return s[:3] + "*" * (len(s) - 6) + s[-3:]
    return s


def mask_phone(phone: str) -> str:
    """Hide the middle digits of a phone number: ``13812345678`` -> ``138****5678``.

    The last 4 digits stay visible because they are what the customer types to
    look the job up online; separators and a leading ``+`` are kept.
    """
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if len(digits) <= 4:
        return phone
    keep_head = 3 if len(digits) >= 10 else 0
    hidden = set(digits[keep_head:-4])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(phone))
