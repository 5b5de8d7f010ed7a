"""The numbers a level is judged on, each with a sparkline of the recent ticks.

    requests     1.0k/s                                  ▃▄▅▆▇██
    p95 latency  180 ms now · run 150 ms ≤ 500 ms        ▁▁▂▁▇▂▁
    availability 99.200% ≥ 99.000%                       ████▇██
    cost         12/tick ≤ 20 · run 3,400 ≤ 5,000        ▅▅▅▅▆▆▆

Feed it once per tick with `record(view)`, the engine's view of the site after the tick. The
run's scores are the view's, written as their Metric writes them everywhere, and compared with
the level's pass lines through `Goal.met`: green when a score meets its line, red when not.
Whether the site is over its budget is the view's word too; the panel decides nothing. It
keeps the last `HISTORY_TICKS` ticks of each series.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from game.engine.metrics import METRICS
from game.engine.scoring import Goal
from game.engine.view import SiteView
from game.ui import numbers
from game.ui.words import metric_label

HISTORY_TICKS = 120  # ticks of history each sparkline keeps

ROWS: tuple[str, ...] = ("requests", "latency", "availability", "cost")
REQUESTS = "requests"
LABEL_WIDTH = 13  # "availability" and a space
TEXT_WIDTH = 50  # cells for a metric's words; its sparkline takes the rest of the row
SPARK_MIN_WIDTH = 8  # narrower than this, a sparkline is left out
BARS = "▁▂▃▄▅▆▇█"
MET_STYLE = Style(color="#57c77a", bold=True)
MISSED_STYLE = Style(color="#ff5c6c", bold=True)
VALUE_STYLE = Style(bold=True)
NOTE_STYLE = Style(dim=True)


class MetricsPanel(Widget):
    """Requests, latency, availability and spend of the run, against the level's pass lines.

    One widget drawing four rows itself (Textual's line API), so that a tick costs four cached
    lines at most rather than eight widgets; a row is drawn again only when its words or its
    sparkline's bars change. Sparkline colours come from the component classes
    `metrics--<metric>-min` and `metrics--<metric>-max` (see metrics_panel.tcss)."""

    DEFAULT_CSS = Path(__file__).with_name("metrics_panel.tcss").read_text(encoding="utf-8")
    COMPONENT_CLASSES = {f"metrics--{m}-{end}" for m in ROWS for end in ("min", "max")}

    def __init__(
        self,
        *,
        history: int = HISTORY_TICKS,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._history: dict[str, deque[float]] = {m: deque(maxlen=history) for m in ROWS}
        self._texts: dict[str, Text] = {m: _label(m) for m in ROWS}
        self._rows: dict[str, tuple[object, Strip]] = {}  # metric -> (what it shows, its line)

    # -- feeding it ---------------------------------------------------------------------------

    def record(self, view: SiteView) -> None:
        """Add one tick, as the engine's view has the site after it."""
        report = view.report
        if report is None:
            return
        objectives = view.objectives
        goals = {g.metric: g for g in objectives.goals}
        q = objectives.latency_percentile
        now_ms = report.percentile_ms(q / 100)

        self._history["requests"].append(report.rps)
        self._history["latency"].append(now_ms or 0.0)
        self._history["availability"].append(report.availability)
        self._history["cost"].append(report.cost)

        requests = _label(REQUESTS)
        requests.append(numbers.rate(report.rps), style=VALUE_STYLE)
        if report.failed_total > 0:
            requests.append(f" · {numbers.rate(report.failed_total)} failing", style=MISSED_STYLE)
        self._texts["requests"] = requests

        latency = _label(metric_label("latency_ms", q))
        latency.append(numbers.millis(now_ms), style=VALUE_STYLE)
        latency.append(" now · run ", style=NOTE_STYLE)
        latency.append_text(_scored("latency_ms", view.scores, goals))
        self._texts["latency"] = latency

        availability = _label(metric_label("availability"))
        availability.append_text(_scored("availability", view.scores, goals))
        self._texts["availability"] = availability

        cost = _label(metric_label("cost"))
        cost.append(
            f"{numbers.money(view.cost_per_tick)}/tick",
            style=MISSED_STYLE if view.over_budget else VALUE_STYLE,
        )
        if view.budget is not None:
            cost.append(f" ≤ {numbers.money(view.budget)}", style=NOTE_STYLE)
        cost.append(" · run ", style=NOTE_STYLE)  # the spend so far, as the latency row says
        cost.append_text(_scored("cost", view.scores, goals))
        self._texts["cost"] = cost
        self.refresh()  # four rows of fixed height: no new layout; unchanged rows are cached

    def history(self, metric: str) -> list[float]:
        """The recorded series of `metric` (one of ROWS), oldest first."""
        return list(self._history[metric])

    def text_of(self, metric: str) -> Text:
        """The line shown for `metric` (one of ROWS)."""
        return self._texts[metric]

    # -- drawing ------------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(ROWS)

    def render_line(self, y: int) -> Strip:
        width = self.size.width  # the content width, inside the padding
        if not 0 <= y < len(ROWS) or width <= 0:
            return Strip.blank(max(width, 0))
        metric = ROWS[y]
        text = self._texts[metric]
        text_width = min(TEXT_WIDTH, width)
        spark_width = width - text_width - 1
        if spark_width < SPARK_MIN_WIDTH:
            spark_width = 0
        bars = spark_bars(self._history[metric], spark_width)
        colours = (
            self.get_component_rich_style(f"metrics--{metric}-min"),
            self.get_component_rich_style(f"metrics--{metric}-max"),
        )
        shown = (text.plain, tuple(text.spans), text_width, bars, colours)
        cached = self._rows.get(metric)
        if cached is not None and cached[0] == shown:
            return cached[1]
        words = text.copy()
        words.truncate(text_width, overflow="ellipsis", pad=True)
        segments = list(words.render(self.app.console))
        if bars:
            segments.append(Segment(" " * (width - text_width - len(bars))))
            segments += _spark_segments(bars, *colours)
        base = self.rich_style  # the panel's colours under the row's own
        strip = Strip(segments).apply_style(base).adjust_cell_length(width, base)
        self._rows[metric] = (shown, strip)
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rows.clear()  # the theme's colours may have changed


def spark_bars(values: deque[float] | list[float], width: int) -> tuple[int, ...]:
    """The bar heights (0-7) of a sparkline `width` cells wide: the series is cut into `width`
    buckets, each drawn by its largest value, scaled between the series' least and greatest
    (as Textual's Sparkline draws them). Empty: all lowest; one value: all full."""
    if width <= 0:
        return ()
    data = list(values)
    if not data:
        return (0,) * width
    if len(data) == 1:
        return (7,) * width
    low, high = min(data), max(data)
    extent = (high - low) or 1
    n = len(data)
    buckets = [data[n * b // width : n * (b + 1) // width] for b in range(width)]
    tops = [max(bucket) for bucket in buckets if bucket]
    step = len(tops) / width
    return tuple(int((tops[int(i * step)] - low) / extent * 7) for i in range(width))


def _spark_segments(bars: tuple[int, ...], low: Style, high: Style) -> list[Segment]:
    """Runs of equal bars, each coloured between `low` and `high` by its height."""
    styles = _ramp(low, high)
    segments = []
    run_start = 0
    for i in range(1, len(bars) + 1):
        if i == len(bars) or bars[i] != bars[run_start]:
            level = bars[run_start]
            segments.append(Segment(BARS[level] * (i - run_start), styles[level]))
            run_start = i
    return segments


@lru_cache(maxsize=64)
def _ramp(low: Style, high: Style) -> tuple[Style, ...]:
    """The eight bar colours from `low` to `high` (the same few pairs every tick)."""
    return tuple(_blend(low, high, level / 7) for level in range(8))


def _blend(low: Style, high: Style, ratio: float) -> Style:
    if low.color is None or high.color is None:
        return high
    a, b = low.color.get_truecolor(), high.color.get_truecolor()
    rgb = (round(x + (y - x) * ratio) for x, y in zip(a, b, strict=True))
    return Style(color="#{:02x}{:02x}{:02x}".format(*rgb))


def _label(name: str) -> Text:
    return Text(name.ljust(LABEL_WIDTH), style=NOTE_STYLE)


def _scored(metric: str, scores: Mapping[str, float], goals: Mapping[str, Goal]) -> Text:
    """A score of the run so far, green if it meets its pass line and red if not, with that
    line; each written as its Metric writes it everywhere."""
    found = METRICS[metric]
    value = scores.get(metric)
    if value is None:
        return Text("-", style=VALUE_STYLE)
    goal = goals.get(metric)
    if goal is None:
        return Text(found.format(value), style=VALUE_STYLE)
    text = Text(found.format(value), style=MET_STYLE if goal.met(value, 1) else MISSED_STYLE)
    text.append(f" {found.sign} {found.format(goal.pass_line)}", style=NOTE_STYLE)
    return text
