"""labels/: barcodes that scan, pages the size of the stock, Chinese that prints.

Pure tests: no app, no database. The scanning tests print each PDF the way a
printer would (poppler's pdftoppm at the printer's resolution, greyscale) and
read it back with zbar restricted to Code 128; they skip only when those tools
are missing (CI installs poppler-utils and zbar-tools).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import labels
from labels import (
    LABEL_SIZES,
    RECEIPT_FORMATS,
    BinLabel,
    TagLabel,
    bin_labels_pdf,
    mask_imei,
    mask_phone,
    receipt_pdf,
    tag_labels_pdf,
)
from labels.captions import EN, ZH, resolve_captions
from labels.code128 import MIN_MODULE_MM, QUIET_ZONE_MODULES, code128_pattern, fit_symbol
from labels.samples import sample_bin_label, sample_intake_receipt, sample_pickup_receipt, sample_tag_label
from labels.text import LATIN, cjk_fonts, truncate, wrap
from tests.scanning import MM, needs_pdftotext, needs_scanner, page_sizes_mm, scan

DPIS = (203, 300)


def bar_ops(pdf: bytes) -> list[tuple[float, list[tuple[int, int, int, int]]]]:
    """The barcode drawing operations: (dot size in points, rectangles in dots)."""
    found = []
    for unit, rects in re.findall(rb"q 0 g ([\d.]+) 0 0 [\d.]+ 0 0 cm (.*?) f Q", pdf):
        nums = [int(n) for n in re.findall(rb"-?\d+", rects.replace(b"re", b""))]
        found.append((float(unit), [tuple(nums[i:i + 4]) for i in range(0, len(nums), 4)]))
    return found


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    src = tmp_path / "text.pdf"
    src.write_bytes(pdf)
    return subprocess.run(["pdftotext", src, "-"], check=True, capture_output=True, text=True).stdout


# -- scanning ---------------------------------------------------------------


@needs_scanner
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("size", LABEL_SIZES)
def test_tag_labels_scan_back_exactly(size, dpi, tmp_path):
    batch = [
        sample_tag_label("en", 123),
        sample_tag_label("zh", 124),
        # The longest number a chain should reach still fits the smallest stock.
        TagLabel("ABCDEF-12345678", "Xiaomi", "Redmi Note 13", "No power", date(2026, 12, 1)),
    ]
    pdf = tag_labels_pdf(batch, size, dpi)
    assert scan(pdf, dpi, tmp_path) == [label.job_number for label in batch]


@needs_scanner
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("size", LABEL_SIZES)
def test_bin_labels_scan_back_exactly(size, dpi, tmp_path):
    batch = [sample_bin_label("en"), sample_bin_label("zh"), BinLabel("6901234567890123456789", "Adhesive strip")]
    pdf = bin_labels_pdf(batch, size, dpi, captions="zh")
    assert scan(pdf, dpi, tmp_path) == [label.sku for label in batch]


@needs_scanner
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("fmt", RECEIPT_FORMATS)
@pytest.mark.parametrize("kind", ["intake", "pickup"])
def test_receipts_scan_back_exactly(kind, fmt, dpi, tmp_path):
    lang = "zh" if dpi == 203 else "en"
    receipt = (sample_intake_receipt if kind == "intake" else sample_pickup_receipt)(lang)
    assert scan(receipt_pdf(receipt, fmt, dpi), dpi, tmp_path) == [receipt.job_number]


@needs_scanner
def test_a_batch_of_tags_is_one_pdf_with_a_page_per_label(tmp_path):
    batch = [sample_tag_label("en" if n % 2 else "zh", n) for n in range(1, 13)]
    pdf = tag_labels_pdf(batch, "57x32", 203)
    assert len(page_sizes_mm(pdf)) == 12
    assert scan(pdf, 203, tmp_path) == [f"SZ01-{n:06d}" for n in range(1, 13)]


# -- geometry ---------------------------------------------------------------


@pytest.mark.parametrize("size", LABEL_SIZES)
def test_label_pages_are_exactly_the_stock(size):
    expected = {"62x29": (62.0, 29.0), "57x32": (57.15, 31.75)}[size]  # DYMO 30334 is 2.25 x 1.25 in
    for pdf in (tag_labels_pdf([sample_tag_label()] * 3, size), bin_labels_pdf([sample_bin_label()] * 2, size)):
        sizes = page_sizes_mm(pdf)
        assert len(sizes) in (2, 3)
        for w, h in sizes:
            assert w == pytest.approx(expected[0], abs=0.1)
            assert h == pytest.approx(expected[1], abs=0.1)


def test_receipt_pages():
    (a5,) = page_sizes_mm(receipt_pdf(sample_intake_receipt(), "a5"))
    assert a5 == (pytest.approx(148, abs=0.1), pytest.approx(210, abs=0.1))

    short = sample_pickup_receipt()
    (roll,) = page_sizes_mm(receipt_pdf(short, "80mm"))
    assert roll[0] == pytest.approx(80, abs=0.1)
    # The roll is cut to the content: more terms, a longer page.
    (longer,) = page_sizes_mm(receipt_pdf(replace(short, terms=short.terms * 8), "80mm"))
    assert longer[0] == pytest.approx(80, abs=0.1)
    assert 100 < roll[1] < longer[1] < 1000


def test_a5_breaks_long_receipts_onto_numbered_pages(tmp_path):
    receipt = sample_intake_receipt()
    pdf = receipt_pdf(replace(receipt, terms=receipt.terms * 12), "a5")
    assert len(page_sizes_mm(pdf)) == 2
    if shutil.which("pdftotext"):
        text = pdftotext(pdf, tmp_path)
        assert "Page 1 of 2" in text and "Page 2 of 2" in text


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("size", LABEL_SIZES)
def test_bars_sit_on_the_printer_dot_grid_with_quiet_zones(size, dpi):
    stock = LABEL_SIZES[size]
    pdf = tag_labels_pdf([sample_tag_label()], size, dpi)
    ((unit, rects),) = bar_ops(pdf)
    assert unit == pytest.approx(72 / dpi, rel=1e-9)  # one unit of the bar coordinates is one dot
    pattern = code128_pattern("SZ01-000123")
    module = rects[0][2] // 2  # the start character opens with a 2-module bar
    assert module * 25.4 / dpi >= MIN_MODULE_MM - 0.001
    assert all(w % module == 0 for _, _, w, _ in rects)
    left = rects[0][0]
    right = rects[-1][0] + rects[-1][2]
    assert right - left == len(pattern) * module
    page_dots = stock.width_pt / unit
    assert QUIET_ZONE_MODULES >= 10
    assert left >= 10 * module
    assert page_dots - right >= 10 * module


def test_module_is_the_widest_whole_dot_count_that_fits():
    # 134 modules + 20 quiet: on 62 mm at 203 dpi, 3 dots (0.375 mm) fit, 4 do not.
    assert fit_symbol("SZ01-000123", 61 * MM, 203).module_dots == 3
    assert fit_symbol("SZ01-000123", 56 * MM, 203).module_dots == 2
    assert fit_symbol("SZ01-000123", 56 * MM, 300).module_dots == 4
    assert fit_symbol("SZ01-000123", 40 * MM, 300).module_dots == 3  # 0.254 mm, the narrowest


def test_python_barcode_uses_code_set_c_for_digit_runs():
    # All in code set B this would be 11 * 13 + 13 = 156 modules.
    assert len(code128_pattern("SZ01-000123")) == 134


# -- refusals ---------------------------------------------------------------


def test_data_that_cannot_fit_fails_loudly():
    with pytest.raises(ValueError, match=r"'PART-ABCDEFGHIJKLMNOPQRS' does not fit the 57x32 bin label.*mm"):
        bin_labels_pdf([BinLabel("PART-ABCDEFGHIJKLMNOPQRS", "Too long")], "57x32")
    with pytest.raises(ValueError, match="does not fit"):
        tag_labels_pdf([TagLabel("SZ01-" + "1" * 40)], "57x32")


@pytest.mark.parametrize("call, allowed", [
    (lambda: tag_labels_pdf([sample_tag_label()], size="100x50"), "62x29, 57x32"),
    (lambda: bin_labels_pdf([sample_bin_label()], size="A4"), "62x29, 57x32"),
    (lambda: receipt_pdf(sample_intake_receipt(), fmt="a4"), "a5, 80mm"),
    (lambda: tag_labels_pdf([sample_tag_label()], dpi=204), "203, 300, 600"),
    (lambda: receipt_pdf(sample_intake_receipt(), dpi=72), "203, 300, 600"),
    (lambda: tag_labels_pdf([sample_tag_label()], captions="fr"), "en, zh"),
])
def test_unknown_choices_name_the_allowed_values(call, allowed):
    with pytest.raises(ValueError, match=f"allowed: {allowed}"):
        call()


@pytest.mark.parametrize("number", ["sz01-000123", "SZ01-12345", "SZ01000123", "TOOLONG1-000123", "S-000123", ""])
def test_malformed_job_numbers_are_refused(number):
    with pytest.raises(ValueError, match="SZ01-000123"):
        TagLabel(number)


def test_other_refusals():
    with pytest.raises(ValueError, match="no labels"):
        tag_labels_pdf([])
    with pytest.raises(ValueError, match="SKU"):
        BinLabel("bad sku!", "x")
    with pytest.raises(ValueError, match="unknown caption keys"):
        resolve_captions({"custmer": "Client"})
    with pytest.raises(ValueError, match="job number"):
        replace(sample_intake_receipt(), job_number="123")


# -- text -------------------------------------------------------------------


@needs_pdftotext
@pytest.mark.parametrize("fmt", RECEIPT_FORMATS)
def test_chinese_prints_and_stays_extractable_text(fmt, tmp_path):
    pdf = receipt_pdf(sample_intake_receipt("zh"), fmt)
    text = pdftotext(pdf, tmp_path)
    for expected in ("王芳", "深圳市福田区深南大道88号12号铺", "维修受理单", "客户签名", "35209900****481",
                     "138****5678", "购机已超过12个月，整机保修已过期。"):
        assert expected in text
    assert b"/FontFile2" in pdf  # the font travels with the document


@needs_pdftotext
def test_pickup_receipt_shows_bill_and_repair_warranty(tmp_path):
    text = pdftotext(receipt_pdf(sample_pickup_receipt("en"), "80mm"), tmp_path)
    for expected in ("Pickup receipt", "Screen assembly (genuine)", "¥1,290.00", "-¥50.00", "-¥200.00",
                     "Balance due", "¥1,040.00", "Paid (WeChat Pay)", "90 days, until 2027-02-24",
                     "SIM tray, Case"):
        assert expected in text


def test_latin_only_documents_embed_no_font():
    assert b"/FontFile2" not in tag_labels_pdf([sample_tag_label("en")])
    assert b"/FontFile2" not in receipt_pdf(sample_intake_receipt("en"))
    assert b"/FontFile2" in tag_labels_pdf([sample_tag_label("zh")])


def test_the_cjk_font_is_loaded_once_per_process():
    assert cjk_fonts() is cjk_fonts()


def test_caption_sets_cover_the_same_keys():
    assert set(EN) == set(ZH)
    assert resolve_captions({"customer": "Client"})["phone"] == "Phone"


def test_masking():
    assert mask_imei("35-209900-176148-1") == "35209900****481"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0755 8888 1234").endswith("1234")


def test_wrap_and_truncate_respect_the_width():
    fonts = cjk_fonts()
    text = "摔落后屏幕碎裂，下半部分触摸无反应。Screen cracked after a drop, touch dead."
    lines = wrap(text, fonts, 9, 100)
    assert len(lines) > 2 and "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(fonts.width(line, 9) <= 100 + 9 for line in lines)  # closing punctuation may hang
    cut = truncate("Screen cracked after a drop, touch dead at the bottom", LATIN, 7, 80)
    assert cut.endswith("\u2026") and LATIN.width(cut, 7) <= 80


def test_receipt_money_is_worked_out_from_the_lines():
    line = labels.BillLine("Screen protector", Decimal("30.00"), 2)
    assert line.amount == Decimal("60.00")


def test_labels_imports_neither_flask_nor_the_app():
    code = ("import sys, labels, labels.samples; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'models', 'workshop'}); "
            "print(bad); sys.exit(1 if bad else 0)")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], check=False, cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
