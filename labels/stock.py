"""The paper the documents are laid out for."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import inch, mm


@dataclass(frozen=True)
class LabelStock:
    """A die-cut label; the PDF page is exactly this size.

    ``printer`` is the printer model the stock is sold for and ``margins_pt``
    what that printer leaves unprinted at each edge (left, bottom, right, top):
    nothing is drawn there, so nothing is clipped.
    """

    key: str
    width_pt: float
    height_pt: float
    description: str
    printer: str = ""
    margins_pt: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    @property
    def printable(self) -> tuple[float, float, float, float]:
        """The printable area as (left, bottom, right, top) in points from the
        page's bottom-left corner."""
        left, bottom, right, top = self.margins_pt
        return (left, bottom, self.width_pt - right, self.height_pt - top)


@dataclass(frozen=True)
class ReceiptFormat:
    """A receipt paper: a fixed sheet, or a roll (``height_pt`` None) whose
    page is as long as the content."""

    key: str
    width_pt: float
    height_pt: float | None
    description: str


# The Brother QL-800 prints only the middle 58.9 x 22.9 mm of a DK-11209 label
# (CUPS: ImageableArea 4.32 8.40 171.68 73.60 pt; brother_ql: 696 x 271 of
# 732 x 341 dots at 300 dpi): the margins below are the larger of the two on
# every edge.
_QL800_DK11209 = ((62 - 58.9) / 2 * mm, (29 - 22.9) / 2 * mm, (62 - 58.9) / 2 * mm, (29 - 22.9) / 2 * mm)
# The DYMO LabelWriter 450 prints a 30334 from 1.02 mm left and right and
# 1.52 mm top and bottom.
_LW450_30334 = (1.02 * mm, 1.52 * mm, 1.02 * mm, 1.52 * mm)

LABEL_SIZES: dict[str, LabelStock] = {
    "62x29": LabelStock("62x29", 62 * mm, 29 * mm, "62 x 29 mm, Brother QL DK-11209",
                        "Brother QL-800", _QL800_DK11209),
    # DYMO sells 30334 in inches; the metric name rounds 57.15 x 31.75 mm.
    "57x32": LabelStock("57x32", 2.25 * inch, 1.25 * inch, "57 x 32 mm (2.25 x 1.25 in), DYMO 30334",
                        "DYMO LabelWriter 450", _LW450_30334),
}
"""Label stocks by key, the first being the default."""

RECEIPT_FORMATS: dict[str, ReceiptFormat] = {
    "a5": ReceiptFormat("a5", 148 * mm, 210 * mm, "A5 portrait, 148 x 210 mm"),
    "80mm": ReceiptFormat("80mm", 80 * mm, None, "80 mm receipt roll"),
}
"""Receipt formats by key, the first being the default."""


def label_stock(size: str) -> LabelStock:
    """The stock for ``size``; ValueError naming the allowed keys if unknown."""
    try:
        return LABEL_SIZES[size]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown label size {size!r}; allowed: {', '.join(LABEL_SIZES)}"
        ) from None


def receipt_format(fmt: str) -> ReceiptFormat:
    """The format for ``fmt``; ValueError naming the allowed keys if unknown."""
    try:
        return RECEIPT_FORMATS[fmt]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown receipt format {fmt!r}; allowed: {', '.join(RECEIPT_FORMATS)}"
        ) from None
