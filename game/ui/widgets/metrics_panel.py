"""The four numbers a level is judged on, each with a sparkline of the recent ticks.

    requests  1.0k/s                          ▃▄▅▆▇██
    p95       180 ms now · run 150 ms ≤ 500    ▁▁▂▁▇▂▁
    uptime    99.2% run ≥ 99.0%                ████▇██
    cost      12/tick ≤ 20 · total 3.4k        ▅▅▅▅▆▆▆

Feed it once per tick with `record(report, totals, scenario, cost_per_tick)`. Scores are
compared with the level's pass lines through `Goal.met`, so a value is green when it meets
its pass line and red when it does not; the panel itself decides nothing. It keeps the last
`HISTORY_TICKS` ticks of each series.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from game.engine.report import TickReport, Totals
from game.engine.scenario import Scenario
from game.engine.scoring import Goal
from game.ui.widgets import numbers

HISTORY_TICKS = 120  # ticks of history each sparkline keeps

METRICS: tuple[str, ...] = ("requests", "latency", "availability", "cost")
LABEL_WIDTH = 10
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
    COMPONENT_CLASSES = {f"metrics--{m}-{end}" for m in METRICS for end in ("min", "max")}

    def __init__(
        self,
        *,
        history: int = HISTORY_TICKS,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._history: dict[str, deque[float]] = {m: deque(maxlen=history) for m in METRICS}
        self._texts: dict[str, Text] = {m: _label(m) for m in METRICS}
        self._rows: dict[str, tuple[object, Strip]] = {}  # metric -> (what it shows, its line)

    # -- feeding it ---------------------------------------------------------------------------

    def record(
        self, report: TickReport, totals: Totals, scenario: Scenario, cost_per_tick: float
    ) -> None:
        """Add one tick: its report, the run's totals so far, the level and the site's cost."""
        goals = {g.metric: g for g in scenario.objectives.goals}
        q = scenario.objectives.latency_percentile
        now_ms = report.percentile_ms(q / 100)
        run_ms = totals.percentile_ms(q / 100)

        self._history["requests"].append(report.rps)
        self._history["latency"].append(now_ms or 0.0)
        self._history["availability"].append(report.availability)
        self._history["cost"].append(report.cost)

        requests = _label("requests")
        requests.append(numbers.rate(report.rps), style=VALUE_STYLE)
        if report.failed_total > 0:
            requests.append(f" · {numbers.rate(report.failed_total)} failing", style=MISSED_STYLE)
        self._texts["requests"] = requests

        latency = _label(f"p{q}")
        latency.append(numbers.millis(now_ms), style=VALUE_STYLE)
        latency.append(" now · run ", style=NOTE_STYLE)
        latency.append_text(
            _scored(numbers.millis(run_ms), goals.get("latency_ms"), run_ms, "≤", "ms")
        )
        self._texts["latency"] = latency

        availability = _label("uptime")
        availability.append_text(
            _scored(
                numbers.percent(totals.availability, 2),
                goals.get("availability"),
                totals.availability,
                "≥",
                "%",
            )
        )
        self._texts["availability"] = availability

        cost = _label("cost")
        budget = scenario.budget
        over = budget is not None and cost_per_tick > budget + 1e-9
        cost.append(
            f"{numbers.money(cost_per_tick)}/tick", style=MISSED_STYLE if over else VALUE_STYLE
        )
        if budget is not None:
            cost.append(f" ≤ {numbers.money(budget)}", style=NOTE_STYLE)
        cost.append(" · total ", style=NOTE_STYLE)
        cost.append_text(_scored(numbers.money(totals.cost), goals.get("cost"), totals.cost, "≤"))
        self._texts["cost"] = cost
        self.refresh()  # four rows of fixed height: no new layout; unchanged rows are cached

    def history(self, metric: str) -> list[float]:
        """The recorded series of `metric` (one of METRICS), oldest first."""
        return list(self._history[metric])

    def text_of(self, metric: str) -> Text:
        """The line shown for `metric` (one of METRICS)."""
        return self._texts[metric]

    # -- drawing ------------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(METRICS)

    def render_line(self, y: int) -> Strip:
        width = self.size.width  # the content width, inside the padding
        if not 0 <= y < len(METRICS) or width <= 0:
            return Strip.blank(max(width, 0))
        metric = METRICS[y]
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
    styles = [_blend(low, high, level / 7) for level in range(8)]
    segments = []
    run_start = 0
    for i in range(1, len(bars) + 1):
        if i == len(bars) or bars[i] != bars[run_start]:
            level = bars[run_start]
            segments.append(Segment(BARS[level] * (i - run_start), styles[level]))
            run_start = i
    return segments


def _blend(low: Style, high: Style, ratio: float) -> Style:
    if low.color is None or high.color is None:
        return high
    a, b = low.color.get_truecolor(), high.color.get_truecolor()
    rgb = (round(x + (y - x) * ratio) for x, y in zip(a, b, strict=True))
    return Style(color="#{:02x}{:02x}{:02x}".format(*rgb))


def _label(name: str) -> Text:
    return Text(name.ljust(LABEL_WIDTH), style=NOTE_STYLE)


def _scored(shown: str, goal: Goal | None, value: float | None, sign: str, unit: str = "") -> Text:
    """A scored value, green if it meets the goal's pass line, red if not, with that line."""
    if goal is None or value is None:
        return Text(shown, style=VALUE_STYLE)
    style = MET_STYLE if goal.met(value, 1) else MISSED_STYLE
    text = Text(shown, style=style)
    if unit == "%":
        line = numbers.percent(goal.pass_line, 1)
    elif unit == "ms":
        line = f"{goal.pass_line:g}"
    else:
        line = numbers.money(goal.pass_line)
    text.append(f" {sign} {line}", style=NOTE_STYLE)
    return text
