"""Server-rendered SVG charts of weekly trend counts: no JavaScript, scales to the screen (viewBox, width 100%),
large labels so they stay readable on a phone, and a text title/description for screen readers. Withheld weeks
(fewer than k stores, all but fewer than k stores of the region or area, or protecting another cell) are drawn as
a short grey tick labelled "–", never as zero."""

from __future__ import annotations

from markupsafe import Markup, escape

from trends import Series

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 24, 34


def bar_chart(series: Series, weeks: list[str], *, title: str) -> Markup:
    """A bar per week of `series` (published values only) with the value above each bar."""
    count = max(len(weeks), 1)
    top = max([v for v in series.values if v is not None] or [1])
    slot = (WIDTH - LEFT - RIGHT) / count
    bar = slot * 0.7
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'preserveAspectRatio="xMidYMid meet" aria-labelledby="t-{id(series)}">',
        f'<title id="t-{id(series)}">{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#888"/>',
    ]
    for i, (week, value) in enumerate(zip(weeks, series.values, strict=True)):
        x = LEFT + i * slot + (slot - bar) / 2
        centre = x + bar / 2
        if value is None:
            parts.append(
                f'<rect x="{x:.1f}" y="{HEIGHT - BOTTOM - 2}" width="{bar:.1f}" height="2" fill="#bbb">'
                f"<title>{escape(week)}: withheld</title></rect>"
                f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM - 6}" font-size="12" text-anchor="middle" '
                f'fill="#777">–</text>'
            )
        else:
            height = plot * value / top if top else 0
            y = HEIGHT - BOTTOM - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="#2f5d8a">'
                f"<title>{escape(week)}: {value}</title></rect>"
                f'<text x="{centre:.1f}" y="{y - 4:.1f}" font-size="12" text-anchor="middle" fill="#222">{value}</text>'
            )
        if i % 2 == (count - 1) % 2:  # every other week, always the last one
            parts.append(
                f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" text-anchor="middle" '
                f'fill="#444">{escape(week[-3:])}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
