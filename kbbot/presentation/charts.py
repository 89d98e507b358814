"""Charts as self-contained SVG: reports people would rather look at than read.

Hand-written SVG keeps the default install light (no plotting library, no
script from a CDN) and renders in any browser, mail client or chat preview,
offline too. What a plotting library would give us for free is kept small and
tested here: round axis steps (:func:`ticks`) and masked values, which are
drawn as a hatched placeholder of fixed size that claims no number.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#9ecae1", "#4292c6", "#08519c")
ROUND_STEPS = (1, 2, 5)
MASK_HEIGHT = 14  # pixels, whatever the scale: a placeholder, not a quantity
MASK_GAP = 2


def ticks(peak: int, most: int = 6) -> list[int]:
    """Axis values for whole counts up to ``peak``: 0, then equal steps of 1, 2 or 5 × 10ⁿ.

    The steps are the smallest round ones that reach ``peak`` in at most
    ``most`` of them, and the last tick is the first step at or above ``peak``,
    so every label is the exact value of its gridline (6 gives 0 1 2 3 4 5 6,
    7 gives 0 2 4 6 8).
    """
    if peak <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for factor in ROUND_STEPS:
            step = factor * magnitude
            count = -(-peak // step)
            if count <= most:
                return [step * i for i in range(count + 1)]
        magnitude *= 10


def _scale_height(plot_h: float, axis_top: int, totals: Sequence[int], hidden: Sequence[int]) -> float:
    """The pixels the axis spans: all of the plot, less what a bar's placeholders need above it."""
    room = MASK_HEIGHT + MASK_GAP
    fits = [(plot_h - n * room) * axis_top / total for total, n in zip(totals, hidden) if n and total]
    return min([plot_h, *fits])


def _hatch(index: int, colour: str) -> str:
    return (f'<pattern id="masked-{index}" patternUnits="userSpaceOnUse" width="6" height="6" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" stroke-width="3"/></pattern>')


def _short(label: str, chars: int) -> str:
    """A bar's label under it: the last ``chars`` characters of a week ("W48"), the start of a longer name."""
    if chars <= 3:
        return label[-chars:]
    return label if len(label) <= chars else label[:chars - 1] + "…"


def stacked_bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | None]]],
                 masked: str = "<3", masked_note: str = "too few to show", unit: str = "people",
                 width: int = 720, height: int = 360, palette: Sequence[str] = PALETTE,
                 label_chars: int = 3) -> str:
    """A stacked bar chart, one bar per label, with a legend; values are non-negative counts.

    A value of ``None`` is masked: there is something, too little to show. It
    is left out of the bar and drawn above it as a hatched placeholder of
    fixed height labelled ``masked``, so the bars' heights are only ever the
    counts that may be shown and the axis stays true.
    """
    left, right, top, bottom = 48, 16, 40, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    colours = [palette[j % len(palette)] for j in range(len(series))]
    totals = [sum(values[i] or 0 for _, values in series) for i in range(len(labels))]
    hidden = [sum(values[i] is None for _, values in series) for i in range(len(labels))]
    axis = ticks(max(totals, default=0))
    scale_h = _scale_height(plot_h, axis[-1], totals, hidden)
    base = top + plot_h
    step = plot_w / max(len(labels), 1)
    bar = step * 0.7
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f'<title>{escape(title)}</title>',
             f'<defs>{"".join(_hatch(j, c) for j, c in enumerate(colours))}</defs>',
             f'<text x="{left}" y="22" font-size="14" font-weight="bold">{escape(title)}</text>',
             f'<text x="12" y="{base - scale_h / 2:.1f}" transform="rotate(-90 12 {base - scale_h / 2:.1f})" '
             f'text-anchor="middle" fill="#555">{escape(unit)}</text>']
    for value in axis:
        y = base - scale_h * value / axis[-1]
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#ddd"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    for i, label in enumerate(labels):
        x = left + i * step + (step - bar) / 2
        y = base
        for j, (name, values) in enumerate(series):
            h = scale_h * (values[i] or 0) / axis[-1]
            if h > 0:
                y -= h
                parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                             f'fill="{colours[j]}"><title>{escape(label)} {escape(name)}: {values[i]}</title></rect>')
        for j, (name, values) in enumerate(series):
            if values[i] is None:
                y -= MASK_GAP + MASK_HEIGHT
                parts.append(f'<rect class="masked" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                             f'height="{MASK_HEIGHT}" fill="url(#masked-{j})" stroke="{colours[j]}" '
                             f'stroke-dasharray="3 2"><title>{escape(label)} {escape(name)}: {escape(masked)}'
                             f'</title></rect>')
                parts.append(f'<text class="masked" x="{x + bar / 2:.1f}" y="{y + MASK_HEIGHT - 3.5:.1f}" '
                             f'text-anchor="middle" font-size="10" font-weight="bold" stroke="#fff" '
                             f'stroke-width="2.5" paint-order="stroke">{escape(masked)}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 14}" text-anchor="middle" '
                     f'font-size="9">{escape(_short(label, label_chars))}</text>')
    for j, (name, _) in enumerate(series):
        x = left + j * 130
        parts.append(f'<rect x="{x}" y="{height - 22}" width="12" height="12" fill="{colours[j]}"/>'
                     f'<text x="{x + 18}" y="{height - 12}">{escape(name)}</text>')
    if any(hidden):
        x = left + len(series) * 130
        parts.append(f'<rect x="{x}" y="{height - 22}" width="12" height="12" fill="url(#masked-0)" '
                     f'stroke="{colours[0]}" stroke-dasharray="3 2"/>'
                     f'<text x="{x + 18}" y="{height - 12}">{escape(masked)}: {escape(masked_note)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
