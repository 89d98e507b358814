"""Charts as self-contained SVG: reports people would rather look at than read.

Hand-written SVG keeps the default install light (no plotting library) and
renders in any browser, mail client or chat preview.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#9ecae1", "#4292c6", "#08519c")


def stacked_bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
                 width: int = 720, height: int = 360) -> str:
    """A stacked bar chart, one bar per label, with a legend; values must be non-negative."""
    left, right, top, bottom = 48, 16, 40, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    peak = max([*totals, 1])
    step = plot_w / max(len(labels), 1)
    bar = step * 0.7
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f'<title>{escape(title)}</title>',
             f'<text x="{left}" y="22" font-size="14" font-weight="bold">{escape(title)}</text>']
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:.0f}</text>')
    for i, label in enumerate(labels):
        x = left + i * step + (step - bar) / 2
        base = top + plot_h
        for (name, values), colour in zip(series, PALETTE * 3):
            h = plot_h * values[i] / peak
            if h > 0:
                base -= h
                parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                             f'<title>{escape(label)} {escape(name)}: {values[i]}</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                     f'font-size="9">{escape(label[-3:])}</text>')
    for j, ((name, _), colour) in enumerate(zip(series, PALETTE * 3)):
        x = left + j * 140
        parts.append(f'<rect x="{x}" y="{height - 22}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 18}" y="{height - 12}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
