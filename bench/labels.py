"""Time the label and receipt PDFs against a floor measured in the same run.

Run from the repository root:  python bench/labels.py [--runs N]

The floor is reportlab's own Code 128 widget drawn on an empty canvas of the
tag label's size: about the least any label PDF can cost on this machine.
Each figure is the median of N runs after a warm-up run, with the garbage
collector off while timing (as timeit does). Tag labels are timed interleaved
with the floor, run by run, so both see the same machine load. The CJK font is
loaded first and timed on its own: that happens once per process.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# The repository root goes first, before this script's own folder, so that
# `labels` is the package and not this file.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels import LABEL_SIZES, receipt_pdf, tag_labels_pdf
from labels.samples import sample_intake_receipt, sample_pickup_receipt, sample_tag_label
from labels.text import cjk_fonts


def median_ms(runs: int, *fns: Callable[[], object]) -> list[float]:
    """Median milliseconds of each of ``fns``, run in turn ``runs`` times."""
    for fn in fns:
        fn()  # warm-up
    times: list[list[float]] = [[] for _ in fns]
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            for fn, own in zip(fns, times, strict=True):
                t = time.perf_counter()
                fn()
                own.append((time.perf_counter() - t) * 1000)
    finally:
        gc.enable()
    return [statistics.median(own) for own in times]


def floor_pdf() -> bytes:
    stock = LABEL_SIZES["62x29"]
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(stock.width_pt, stock.height_pt))
    Code128("SZ01-000123", barWidth=0.25 * mm, barHeight=12 * mm).drawOn(canvas, 2 * mm, 10 * mm)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="runs per figure (median), default 50")
    args = parser.parse_args()
    runs = args.runs

    t = time.perf_counter()
    cjk_fonts()
    font_load = (time.perf_counter() - t) * 1000

    print(f"python {platform.python_version()}, {os.cpu_count()} cores, median of {runs} runs")
    print(f"{'CJK font load (once per process)':44s} {font_load:8.2f} ms")
    (floor,) = median_ms(runs, floor_pdf)
    print(f"{'floor: reportlab Code128 on empty 62x29':44s} {floor:8.2f} ms   ({len(floor_pdf())} bytes)")

    results: list[tuple[str, bool]] = []

    def check(name: str, ms: float, ok: bool, target: str, size: int) -> None:
        results.append((name, ok))
        print(f"{name:44s} {ms:8.2f} ms   {target:24s} {'PASS' if ok else 'FAIL'}   ({size} bytes)")

    for lang in ("en", "zh"):
        label = sample_tag_label(lang)
        for size in LABEL_SIZES:
            def make(label=label, size=size) -> bytes:
                return tag_labels_pdf([label], size)

            ms, floor_now = median_ms(runs, make, floor_pdf)
            ratio = ms / floor_now
            check(f"tag label {size} ({lang})", ms, ratio <= 3, f"<= 3x floor ({ratio:.1f}x)", len(make()))

    for kind, sample in (("intake", sample_intake_receipt), ("pickup", sample_pickup_receipt)):
        for lang in ("en", "zh"):
            receipt = sample(lang)
            for fmt in ("a5", "80mm"):
                def make(receipt=receipt, fmt=fmt) -> bytes:
                    return receipt_pdf(receipt, fmt)

                (ms,) = median_ms(runs, make)
                check(f"{kind} receipt {fmt} ({lang})", ms, ms < 15, "< 15 ms", len(make()))

    for lang in ("en", "zh"):
        batch = [sample_tag_label(lang, n) for n in range(1, 501)]

        def make(batch=batch) -> bytes:
            return tag_labels_pdf(batch)

        (ms,) = median_ms(max(3, runs // 10), make)
        check(f"500 tag labels in one PDF ({lang})", ms, ms < 2000, "< 2000 ms", len(make()))

    failed = [name for name, ok in results if not ok]
    print("ALL PASS" if not failed else f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
