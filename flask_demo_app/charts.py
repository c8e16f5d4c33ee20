"""Server-side SVG bar charts: no JavaScript, no CDN (the province's network may have no
internet). Each chart carries <title>/<desc> and a text value per bar for screen readers, and
lays labels above the bars so it stays legible when scaled down to a phone screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from markupsafe import Markup

PALETTE = ("#1d4e89", "#e0a030", "#3a8d5c", "#b8433f")
WIDTH = 420
ROW = 44
TOP = 34


@dataclass(frozen=True)
class Bar:
    label: str
    values: Sequence[int]     # one value per series, stacked left to right


def format_number(value: int, thousands: str = ".") -> str:
    """``12345`` -> ``12.345`` (Indonesian) or ``12,345`` (English)."""
    return f"{value:,}".replace(",", thousands)


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], series: Sequence[str],
              description: str = "", thousands: str = ".") -> Markup:
    """A horizontal (stacked when ``len(series) > 1``) bar chart as inline SVG markup."""
    largest = max((sum(b.values) for b in bars), default=0) or 1
    top = TOP if len(series) > 1 else 4   # room for the legend only when there is one
    height = top + ROW * len(bars) + 6
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description or title)}</desc>',
    ]
    if len(series) > 1:  # legend
        lx = 0
        for i, name in enumerate(series):
            colour = PALETTE[i % len(PALETTE)]
            parts.append(f'<rect x="{lx}" y="6" width="12" height="12" rx="2" fill="{colour}"/>')
            parts.append(f'<text x="{lx + 17}" y="17" class="legend">{escape(name)}</text>')
            lx += 30 + 9 * len(name)
    bar_width = WIDTH - 70
    for row, bar in enumerate(bars):
        y = top + ROW * row
        total = sum(bar.values)
        parts.append(f'<g class="bar"><text x="0" y="{y + 13}" class="label">{escape(bar.label)}</text>')
        x = 0.0
        for i, value in enumerate(bar.values):
            w = bar_width * value / largest
            if w <= 0:
                continue
            colour = PALETTE[i % len(PALETTE)]
            name = series[i] if i < len(series) else ""
            tip = f"{bar.label} — {name}: {format_number(value, thousands)}".replace(" — :", ":")
            parts.append(f'<rect x="{x:.1f}" y="{y + 19}" width="{max(w, 1):.1f}" height="18" '
                         f'fill="{colour}"><title>{escape(tip)}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 33}" class="value">'
                     f'{format_number(total, thousands)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
