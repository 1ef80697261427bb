"""Chart geometry computed in Python; templates draw it as inline SVG (no JS, no other host)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

COLOURS = {"approved": "#2e7d4f", "pending": "#b7791f", "rejected": "#6b5b95", "spam": "#c0392b"}
ORDER = ("approved", "pending", "rejected", "spam")


@dataclass(frozen=True)
class Bar:
    """One rectangle of a stacked bar."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


@dataclass(frozen=True)
class StackedChart:
    """A stacked bar chart: bars, x labels, y ticks and a legend."""

    width: int
    height: int
    bars: list[Bar]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    legend: list[tuple[str, str]]
    top: int


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return value


def stacked_bars(
    days: list[tuple[date, dict[str, int]]], width: int = 640, height: int = 220
) -> StackedChart:
    """Lay out comments per day by outcome as stacked bars."""
    left, bottom, top_pad = 36, 24, 8
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    top = _nice_max(max([sum(c.values()) for _, c in days] + [1]))
    slot = plot_w / max(len(days), 1)
    bars: list[Bar] = []
    labels: list[tuple[float, str]] = []
    for i, (day, counts) in enumerate(days):
        x = left + i * slot + slot * 0.15
        y = top_pad + plot_h
        for status in ORDER:
            n = counts.get(status, 0)
            if n:
                h = plot_h * n / top
                y -= h
                bars.append(Bar(x, y, slot * 0.7, h, COLOURS[status], f"{day}: {n} {status}"))
        if len(days) <= 16 or i % 2 == 0:
            labels.append((x + slot * 0.35, day.strftime("%d/%m")))
    ticks = [(top_pad + plot_h - plot_h * k / 4, top * k // 4) for k in range(5)]
    return StackedChart(width, height, bars, labels, ticks, [(s, COLOURS[s]) for s in ORDER], top)
