"""Geometry of the server-side SVG price chart (templates/market/_partials/_chart.html draws it).

No JavaScript: the page computes every coordinate here, in Decimal so that the same data always gives
the same markup (tests compare the points), and rounds to one decimal place of an SVG user unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

WIDTH, HEIGHT = 360, 200  # phone-sized: 11-unit labels stay legible at 360 px and scale up on wider screens
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 24  # room for the price and date labels
COORDINATE = Decimal("0.1")
Y_TICKS = 4


@dataclass(frozen=True)
class ChartPoint:
    day: date
    value: Decimal
    x: Decimal
    y: Decimal


@dataclass(frozen=True)
class Tick:
    position: Decimal
    value: Decimal | date


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: list[ChartPoint]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int

    @property
    def polyline(self) -> str:
        """The ``points`` attribute of the SVG polyline: "x,y x,y …"."""
        return " ".join(f"{p.x},{p.y}" for p in self.points)


def _round(value: Decimal) -> Decimal:
    return value.quantize(COORDINATE, rounding=ROUND_HALF_UP)


def line_chart(
    series: list[tuple[date, Decimal]], start: date, end: date, width: int = WIDTH, height: int = HEIGHT
) -> LineChart:
    """Place a day → value series (any order; days outside start..end are dropped) on a chart whose
    x axis runs from ``start`` to ``end`` and whose y axis runs from just below the lowest to just
    above the highest value (a flat series gets a band of ±10% so it sits in the middle)."""
    series = sorted((day, Decimal(value)) for day, value in series if start <= day <= end)
    left, right, top, bottom = LEFT, width - RIGHT, TOP, height - BOTTOM
    span_days = max((end - start).days, 1)
    if series:
        low, high = min(v for _d, v in series), max(v for _d, v in series)
    else:
        low = high = Decimal(1)
    if low == high:
        margin = abs(low) / 10 or Decimal(1)
        low, high = low - margin, high + margin
    span_value = high - low

    def x_of(day: date) -> Decimal:
        return _round(left + Decimal((day - start).days) * (right - left) / span_days)

    def y_of(value: Decimal) -> Decimal:
        return _round(bottom - (value - low) * (bottom - top) / span_value)

    points = [ChartPoint(day, value, x_of(day), y_of(value)) for day, value in series]
    y_ticks = [
        Tick(y_of(low + span_value * i / Y_TICKS), (low + span_value * i / Y_TICKS).quantize(Decimal("0.01")))
        for i in range(Y_TICKS + 1)
    ]
    x_ticks = [Tick(x_of(start), start), Tick(x_of(end), end)]
    return LineChart(width, height, points, y_ticks, x_ticks, left, right, top, bottom)
