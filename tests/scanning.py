"""Reading printed output back as a scanner would: pdftoppm renders the PDF at the
printer's resolution, zbarimg (Code 128 only) decodes it, pdftotext extracts text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

MM = 72 / 25.4

_missing = [tool for tool in ("pdftoppm", "zbarimg") if shutil.which(tool) is None]
needs_scanner = pytest.mark.skipif(
    bool(_missing), reason=f"{' and '.join(_missing)} not installed (apt install poppler-utils zbar-tools)"
)
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext not installed (apt install poppler-utils)"
)


def scan(pdf: bytes, dpi: int, tmp_path: Path) -> list[str]:
    """Rasterise every page at ``dpi`` and return what zbar reads, page by page."""
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf)
    for old in tmp_path.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", src, tmp_path / "page"],
                   check=True, capture_output=True)
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    found = []
    for page in pages:
        # zbarimg exits 4 when it finds nothing: the comparison reports that.
        out = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Scode128.enable", page],
                             check=False, capture_output=True, text=True)
        found.append(out.stdout.strip())
    return found


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox in millimetres (the PDFs are written uncompressed)."""
    boxes = re.findall(rb"/MediaBox \[\s*([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)\s*\]", pdf)
    return [((float(x1) - float(x0)) / MM, (float(y1) - float(y0)) / MM) for x0, y0, x1, y1 in boxes]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    src = tmp_path / "text.pdf"
    src.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", src, "-"], check=True, capture_output=True,
                          text=True).stdout
