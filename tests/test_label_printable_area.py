"""Labels stay inside what each printer can print: rendered at 300 dpi, no ink
falls outside the stock's printable area, and the label cropped to that area
still scans."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from labels import LABEL_SIZES, QUIET_ZONE_MODULES, TagLabel, bin_labels_pdf, tag_labels_pdf
from labels.samples import sample_bin_label, sample_tag_label
from tests.scanning import MM, needs_scanner

DPI = 300


def _read_pgm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    # P5 <w> <h> <maxval> then one byte per pixel.
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P5" and int(fields[3]) == 255
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h]


def _render(pdf: bytes, tmp_path: Path) -> list[tuple[int, int, bytes]]:
    src = tmp_path / "label.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", src, tmp_path / "page"], check=True, capture_output=True)
    pages = sorted(tmp_path.glob("page-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [_read_pgm(p) for p in pages]


def _printable_px(size: str, w: int, h: int) -> tuple[int, int, int, int]:
    """The printable area in whole pixels (left, top, right, bottom; image rows
    count from the top), rounded inwards."""
    import math

    left, bottom, right, top = LABEL_SIZES[size].printable
    px = DPI / 72
    return (math.ceil(left * px), math.ceil(h - top * px), math.floor(right * px), math.floor(h - bottom * px))


def _ink_outside(w: int, h: int, pixels: bytes, box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    x0, y0, x1, y1 = box
    found = []
    for y in range(h):
        row = pixels[y * w:(y + 1) * w]
        inside_row = y0 <= y < y1
        for x, v in enumerate(row):
            if v < 255 and not (inside_row and x0 <= x < x1):
                found.append((x, y))
    return found


def _crop_pgm(w: int, pixels: bytes, box: tuple[int, int, int, int], path: Path) -> Path:
    x0, y0, x1, y1 = box
    body = b"".join(pixels[y * w + x0:y * w + x1] for y in range(y0, y1))
    path.write_bytes(b"P5\n%d %d\n255\n" % (x1 - x0, y1 - y0) + body)
    return path


def _zbar(path: Path) -> str:
    out = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Scode128.enable", path],
                         check=False, capture_output=True, text=True)
    return out.stdout.strip()


TAGS = [
    sample_tag_label("en", 123),  # dual SIM: both IMEIs
    sample_tag_label("zh", 124),
    TagLabel("ABCDEF-12345678", "Xiaomi", "Redmi Note 13 Pro+ 5G Extreme Edition",
             "No power after a drop in water, " * 4, date(2026, 12, 1),
             service_point_name="A service point with a very long name indeed, in the city centre",
             imei="356938035643809", imei2="356938035643817"),
]


@needs_scanner
@pytest.mark.parametrize("size", LABEL_SIZES)
@pytest.mark.parametrize("kind", ["tag", "bin"])
def test_no_ink_outside_the_printable_area_and_the_cropped_label_scans(size, kind, tmp_path):
    if kind == "tag":
        pdf, expected = tag_labels_pdf(TAGS, size, DPI), [t.job_number for t in TAGS]
    else:
        bins = [sample_bin_label("en"), sample_bin_label("zh")]
        pdf, expected = bin_labels_pdf(bins, size, DPI, captions="zh"), [b.sku for b in bins]
    pages = _render(pdf, tmp_path)
    assert len(pages) == len(expected)
    for n, ((w, h, pixels), data) in enumerate(zip(pages, expected, strict=True)):
        box = _printable_px(size, w, h)
        assert sum(1 for v in pixels if v < 128) > 1000, "the label is blank"
        outside = _ink_outside(w, h, pixels, box)
        assert not outside, f"page {n + 1}: ink outside the printable area at {outside[:5]}"
        assert _zbar(_crop_pgm(w, pixels, box, tmp_path / f"crop-{n}.pgm")) == data


def test_the_printable_areas_are_the_printers_own():
    ql, dymo = LABEL_SIZES["62x29"], LABEL_SIZES["57x32"]
    left, bottom, right, top = ql.printable
    assert (right - left) / MM == pytest.approx(58.9, abs=0.01)
    assert (top - bottom) / MM == pytest.approx(22.9, abs=0.01)
    # Inside what the QL-800's CUPS driver declares (ImageableArea 4.32 8.40 171.68 73.60).
    assert left >= 4.32 and bottom >= 8.40 and right <= 171.68 and top <= 73.60
    assert "QL-800" in ql.printer and "LabelWriter 450" in dymo.printer
    left, bottom, right, top = dymo.printable
    assert left / MM == pytest.approx(1.02) and (dymo.width_pt - right) / MM == pytest.approx(1.02)
    assert bottom / MM == pytest.approx(1.52) and (dymo.height_pt - top) / MM == pytest.approx(1.52)


@pytest.mark.parametrize("size", LABEL_SIZES)
def test_bars_and_their_quiet_zones_lie_inside_the_printable_area(size):
    from tests.printing.test_labels import bar_ops

    stock = LABEL_SIZES[size]
    ((unit, rects),) = bar_ops(tag_labels_pdf([sample_tag_label()], size, DPI))
    module = rects[0][2] // 2
    left_px = rects[0][0] - QUIET_ZONE_MODULES * module
    right_px = rects[-1][0] + rects[-1][2] + QUIET_ZONE_MODULES * module
    p_left, p_bottom, p_right, p_top = stock.printable
    assert left_px * unit >= p_left - 1e-6
    assert right_px * unit <= p_right + 1e-6
    bottom_px, height_px = rects[0][1], rects[0][3]
    assert bottom_px * unit >= p_bottom and (bottom_px + height_px) * unit <= p_top
    assert height_px * unit / MM >= 6.0  # tall enough to scan at an angle


def test_the_tag_carries_both_imeis_and_refuses_a_malformed_one(tmp_path):
    from tests.scanning import pdf_text

    text = pdf_text(tag_labels_pdf([sample_tag_label("en")], "62x29", DPI), tmp_path)
    assert "356938035643809" in text and "356938035643817" in text
    with pytest.raises(ValueError, match="15 digits"):
        TagLabel("SZ01-000123", imei="12345")


@needs_scanner
@pytest.mark.parametrize("fmt", ["a5", "80mm"])
@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("number", ["SZ01-000123", "ABCDEF-12345678"])
def test_the_receipt_stub_barcode_carries_its_own_code(fmt, dpi, number, tmp_path):
    import dataclasses

    from labels import receipt_pdf
    from labels.samples import sample_intake_receipt
    from tests.scanning import pdf_text, scan

    code = f"{number}-123456789012"
    receipt = dataclasses.replace(sample_intake_receipt("zh"), job_number=number, stub_code=code)
    pdf = receipt_pdf(receipt, fmt, dpi)
    assert scan(pdf, dpi, tmp_path)[0] == code
    assert number in pdf_text(pdf, tmp_path)
    with pytest.raises(ValueError, match="stub code"):
        dataclasses.replace(receipt, stub_code="SZ01-999999-123456789012")


def test_a_long_shop_name_is_never_cut_on_the_a5_header(tmp_path):
    import dataclasses

    from labels import ServicePoint, receipt_pdf
    from labels.samples import sample_intake_receipt
    from tests.scanning import pdf_text

    name = "深圳市福田区华强北路赛格广场手机售后服务中心（旗舰店）"
    receipt = dataclasses.replace(sample_intake_receipt("zh"), service_point=ServicePoint("SZ01", name, "", ""))
    text = pdf_text(receipt_pdf(receipt, "a5", 203), tmp_path)
    assert "…" not in text
    assert "".join(text.split()).replace("维修受理单", "", 1).startswith(name)
