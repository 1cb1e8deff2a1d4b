"""Charts drawn on the server as SVG: no script, no CDN, and they print.

Plain data in, SVG text out (in a ``<figure>`` whose caption is the chart's title).  Labels are escaped; colours come from CSS classes so
the printed page can render them in grey.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 10, 14, 34


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if value <= step * 4:
            return step * 4
    return value


def _frame(title: str, top: float, unit: str) -> list[str]:
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>')]
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    for i in range(5):
        y = PAD_TOP + plot_h - plot_h * i / 4
        value = top * i / 4
        label = f"{value:g}{unit}"
        parts.append(f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}" class="grid" '
                     f'stroke="#ddd" stroke-width="1"/>')
        parts.append(f'<text x="{PAD_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">'
                     f'{escape(label)}</text>')
    return parts


def _figure(title: str, svg: str) -> str:
    # The title as a visible heading above the chart (the SVG's <title> is only a
    # tooltip and what a screen reader says).
    return (f'<figure class="chart-figure mb-0"><figcaption class="fw-semibold small mb-1">{escape(title)}'
            f'</figcaption>{svg}</figure>')


def _x_labels(labels: Sequence[str], step: float) -> list[str]:
    every = max(1, len(labels) // 12)
    out = []
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = PAD_LEFT + step * (i + 0.5)
        out.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" text-anchor="middle" font-size="10">'
                   f'{escape(label)}</text>')
    return out


def bar_chart(title: str, points: Sequence[tuple[str, float | None]], *, unit: str = "") -> str:
    """Vertical bars, one per ``(label, value)``; None draws no bar."""
    values = [v for _, v in points if v is not None]
    top = _nice_max(max(values, default=0))
    parts = _frame(title, top, unit)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(1, len(points))
    for i, (label, value) in enumerate(points):
        if value is None:
            continue
        h = plot_h * value / top
        x = PAD_LEFT + step * i + step * 0.15
        y = PAD_TOP + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" class="bar" '
                     f'fill="#3b6fb6"><title>{escape(label)}: {value:g}{escape(unit)}</title></rect>')
    parts += _x_labels([label for label, _ in points], step)
    parts.append("</svg>")
    return _figure(title, "".join(parts))


def line_chart(title: str, points: Sequence[tuple[str, float | None]], *, unit: str = "",
               top: float | None = None) -> str:
    """A line through the points that have a value (gaps where None), with dots."""
    values = [v for _, v in points if v is not None]
    top = top or _nice_max(max(values, default=0))
    parts = _frame(title, top, unit)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(1, len(points))
    segment: list[str] = []
    segments = [segment]
    for i, (label, value) in enumerate(points):
        if value is None:
            segment = []
            segments.append(segment)
            continue
        x = PAD_LEFT + step * (i + 0.5)
        y = PAD_TOP + plot_h - plot_h * value / top
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#c0392b" class="dot">'
                     f'<title>{escape(label)}: {value:g}{escape(unit)}</title></circle>')
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="#c0392b" stroke-width="2" '
                         f'class="line"/>')
    parts += _x_labels([label for label, _ in points], step)
    parts.append("</svg>")
    return _figure(title, "".join(parts))


def hbar_chart(title: str, points: Sequence[tuple[str, float]], *, unit: str = "") -> str:
    """Horizontal bars with the label on the left: categories, root causes."""
    row_h = 22
    height = max(40, row_h * len(points) + 10)
    top = _nice_max(max((v for _, v in points), default=0))
    label_w = 150
    plot_w = WIDTH - label_w - 50
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" class="chart" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>')]
    for i, (label, value) in enumerate(points):
        y = 5 + i * row_h
        w = plot_w * value / top if top else 0
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="11">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="#3b6fb6" '
                     f'class="bar"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="11">{value:g}{escape(unit)}</text>')
    parts.append("</svg>")
    return _figure(title, "".join(parts))
