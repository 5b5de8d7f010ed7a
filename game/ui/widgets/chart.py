"""Charts on fixed scales, with axes: the bars of the metrics panel, the forecast strip and the
results screen.

A scale is given, never worked out from the series alone where it has a meaning: availability
runs from 0 to 100%, so a steady 100% draws full bars and an outage draws a gap; money and
requests start from 0, so a flat cost draws flat. A series is cut into one bucket per cell, and
each bucket is drawn by the value `pick` chooses (the worst tick of the bucket: `max` for
latency, `min` for availability).

    bars(values, width, scale)            one row of heights 0-7 (▁ to █)
    columns(values, width, height, scale)  a chart `height` rows tall, top row first
    time_axis(duration, width)             a rule and the m:ss under it (numbers.clock)
    marks(ticks, duration, width)          where on a time axis each tick falls
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from game.ui.numbers import clock

BARS = "▁▂▃▄▅▆▇█"  # one row: the lowest cell is never blank, so a row always reads as a chart
EIGHTHS = " ▁▂▃▄▅▆▇█"  # several rows: an empty eighth is blank


@dataclass(frozen=True, slots=True)
class Scale:
    """From `low` to `high`; a value outside is drawn at the nearer end."""

    low: float
    high: float

    @classmethod
    def from_zero(cls, values: Iterable[float], *lines: float | None) -> Scale:
        """From 0 to the greatest of `values` and the given lines (None lines left out)."""
        top = max((*values, *(line for line in lines if line is not None)), default=0.0)
        return cls(0.0, max(top, 0.0))

    def share(self, value: float) -> float:
        """Where `value` sits, 0 at `low` and 1 at `high` (1 for any value when they meet and
        the value reaches them, 0 below)."""
        extent = self.high - self.low
        if extent <= 0:
            return 1.0 if value >= self.high and value > 0 else 0.0
        return min(1.0, max(0.0, (value - self.low) / extent))


SHARE = Scale(0.0, 1.0)  # availability and other shares: 0 to 100%


def buckets(
    values: Sequence[float],
    width: int,
    pick: Callable[[Sequence[float]], float] = max,
    window: int | None = None,
) -> list[float]:
    """The series in `width` buckets, oldest first, each its `pick` of the values it covers; a
    series shorter than `width` is stretched (each value takes several cells). A chart of the
    last `window` values gives a shorter series only its share of the cells (at least one),
    so two seconds never draw as two minutes: the caller leaves the older cells blank."""
    n = len(values)
    if width <= 0 or n == 0:
        return []
    if window is not None and n < window:
        width = max(1, width * n // window)
    out = []
    for c in range(width):
        start = c * n // width
        end = max((c + 1) * n // width, start + 1)
        out.append(pick(values[start:end]))
    return out


def bars(
    values: Sequence[float],
    width: int,
    scale: Scale,
    pick: Callable[[Sequence[float]], float] = max,
    window: int | None = None,
) -> tuple[int, ...]:
    """One row of bar heights 0-7 (BARS), `width` cells (fewer for a short series of a
    `window`, see `buckets`); no values: all lowest, or none in a window."""
    if width <= 0:
        return ()
    if not values:
        return () if window is not None else (0,) * width
    return tuple(round(scale.share(v) * 7) for v in buckets(values, width, pick, window))


def columns(
    values: Sequence[float],
    width: int,
    height: int,
    scale: Scale,
    pick: Callable[[Sequence[float]], float] = max,
) -> list[str]:
    """A chart `height` rows tall and `width` cells wide, top row first, in eighths of a row."""
    if width <= 0 or height <= 0:
        return []
    levels = [round(scale.share(v) * height * 8) for v in buckets(values, width, pick)]
    levels += [0] * (width - len(levels))
    rows = []
    for row in range(height - 1, -1, -1):
        floor = row * 8
        rows.append("".join(EIGHTHS[min(8, max(0, level - floor))] for level in levels))
    return rows


def row_of(value: float, height: int, scale: Scale) -> int:
    """The row (0 at the top) of a chart `height` rows tall that a line at `value` crosses."""
    return height - 1 - min(height - 1, int(scale.share(value) * height))


def column_of(tick: int, duration: int, width: int) -> int:
    """The cell of a time axis `width` wide over `duration` ticks that `tick` falls in."""
    if width <= 0 or duration <= 0:
        return 0
    return min(width - 1, max(0, tick * width // duration))


NICE_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800)


def time_axis(duration: int, width: int, every: int = 10) -> tuple[str, str]:
    """A rule `width` wide with a ┬ at each round minute (or round step) about every `every`
    cells, and the m:ss of each under it where it fits."""
    if width <= 0 or duration <= 0:
        return "", ""
    most = max(1, width // max(every, 1))
    step = next((s for s in NICE_STEPS if duration / s <= most), NICE_STEPS[-1])
    rule = ["─"] * width
    labels = [" "] * width
    for tick in range(0, duration + 1, step):
        cell = column_of(tick, duration, width)
        rule[cell] = "┬"
        text = clock(tick)
        start = min(cell, width - len(text))
        if all(c == " " for c in labels[max(0, start - 1) : start + len(text) + 1]):
            labels[start : start + len(text)] = text
    return "".join(rule), "".join(labels).rstrip()


def marks(ticks: Iterable[int], duration: int, width: int) -> list[int]:
    """The cells of a time axis `width` wide where each of `ticks` falls, in order, once each."""
    return sorted({column_of(t, duration, width) for t in ticks})
