"""Small server-side SVG bar charts for the dashboards (no JavaScript, no chart library).

The SVG is built from numbers and escaped labels only and returned as Markup, so a template can
place it inline; the page shows the same figures in a table for screen readers. Colours come from
``currentColor`` and presentation attributes, which the Content-Security-Policy allows (inline
``style`` would not be).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 320
HEIGHT = 140
LABEL_HEIGHT = 16
GAP = 4


def bar_chart(points: Sequence[tuple[str, Decimal | int]], title: str, value_label=str) -> Markup:
    """A bar per (label, value) from left to right; negative values are drawn as zero-height bars.

    ``title`` names the chart for assistive technology; ``value_label(value)`` formats a value for the
    tooltip of each bar. Returns an empty Markup when there are no points.
    """
    if not points:
        return Markup("")
    top = max((Decimal(value) for _label, value in points), default=Decimal(0))
    plot_height = HEIGHT - LABEL_HEIGHT
    slot = Decimal(WIDTH) / len(points)
    bar_width = max(slot - GAP, Decimal(1))
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="0" y1="{plot_height}" x2="{WIDTH}" y2="{plot_height}" stroke="currentColor" stroke-width="1"/>',
    ]
    for index, (label, value) in enumerate(points):
        amount = max(Decimal(value), Decimal(0))
        height = (amount / top * (plot_height - 2)) if top > 0 else Decimal(0)
        x = slot * index + Decimal(GAP) / 2
        y = plot_height - height
        parts.append(
            f'<rect class="bar" x="{_n(x)}" y="{_n(y)}" width="{_n(bar_width)}" height="{_n(height)}" fill="#3d7a3a">'
            f"<title>{escape(label)}: {escape(value_label(value))}</title></rect>"
        )
        parts.append(
            f'<text x="{_n(x + bar_width / 2)}" y="{HEIGHT - 3}" font-size="10" text-anchor="middle" '
            f'fill="currentColor">{escape(_short(label))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _n(number: Decimal) -> str:
    """A coordinate with at most one decimal, without exponent."""
    return format(Decimal(number).quantize(Decimal("0.1")), "f")


def _short(label: str) -> str:
    # Month labels ("2026-03") shrink to the month number under a bar; other labels are cut to fit.
    if len(label) == 7 and label[4] == "-":
        return label[5:]
    return label[:6]
