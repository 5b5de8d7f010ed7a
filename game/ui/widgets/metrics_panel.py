"""The numbers a level is judged on, each with a chart of the recent ticks on a fixed scale.

    requests     1.0k/s                                  ▃▄▅▆▇██
    p95 latency  180 ms now · run 150 ms ≤ 500 ms        ▁▁▂▁▇▂▁
    availability 99.200% ≥ 99.000%                       ████▇██
    cost         12/tick ≤ 20 · run 3,400 ≤ 5,000        ▅▅▅▅▅▅▅
    stale reads  0.40% now · run 0.42% ≤ 1.00%           ▂▂▃▂▂▂▂   (levels grading it)
    lost writes  run 4 ≤ 10                              ▁▁▁█▁▁▁   (levels grading it)
    oldest job   31 s now · run 56 s ≤ 150 s             ▁▃▆█▆▃▁   (levels grading it)

Feed it once per tick with `record(view)`, the engine's view of the site after the tick. The
run's scores are the view's, written as their Metric writes them everywhere, and compared with
the level's pass lines through `Goal.met`: green when a score meets its line, red when not.
Whether the site is over its budget is the view's word too; the panel decides nothing. It
keeps the last `HISTORY_TICKS` ticks of each series.

The charts have scales that mean something (`chart`): availability from 0 to 100%, so a steady
100% is a row of full bars; the others from 0 to the most of the series and the level's line,
so a flat cost draws flat. A tick that missed the level's line (a per-tick latency or
availability past its pass line, a cost over budget) is drawn in the missed colour: the line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
from game.ui.widgets import chart
from game.ui.words import metric_label

HISTORY_TICKS = 120  # ticks of history each chart keeps

REQUESTS = "requests"
ROWS: tuple[str, ...] = ("requests", "latency", "availability", "cost")  # always shown
GRADED_ROWS: Mapping[str, str] = {  # shown when graded
    "stale_share": "stale",
    "lost_writes": "lost",
    "job_age_s": "jobs",
}
ALL_ROWS = (*ROWS, *GRADED_ROWS.values())
LABEL_WIDTH = 13  # "availability" and a space
TEXT_WIDTH = 50  # cells for a metric's words; its chart takes the rest of the row
SPARK_MIN_WIDTH = 8  # narrower than this, a chart is left out
BARS = chart.BARS
MET_STYLE = Style(color="#57c77a", bold=True)
MISSED_STYLE = Style(color="#ff5c6c", bold=True)
VALUE_STYLE = Style(bold=True)
NOTE_STYLE = Style(dim=True)


@dataclass(frozen=True, slots=True)
class _Line:
    """A row's line: the value a tick must reach (`higher`) or stay under to meet it."""

    value: float
    higher: bool

    def missed(self, tick_value: float) -> bool:
        return tick_value < self.value if self.higher else tick_value > self.value


class MetricsPanel(Widget):
    """Requests, latency, availability and spend of the run, and the stale reads and lost
    writes of a level that grades them, against the level's pass lines.

    One widget drawing its rows itself (Textual's line API), so that a tick costs a few cached
    lines at most rather than a dozen widgets; a row is drawn again only when its words or its
    chart's bars change. Chart colours come from the component classes `metrics--<row>-min` and
    `metrics--<row>-max` (see metrics_panel.tcss), a tick past the line from `metrics--missed`."""

    DEFAULT_CSS = Path(__file__).with_name("metrics_panel.tcss").read_text(encoding="utf-8")
    COMPONENT_CLASSES = {f"metrics--{m}-{end}" for m in ALL_ROWS for end in ("min", "max")} | {
        "metrics--missed"
    }

    def __init__(
        self,
        graded: Sequence[str] = (),
        *,
        history: int = HISTORY_TICKS,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`graded`: the metrics the level grades, to show their rows from the start (the
        first view recorded says it too)."""
        super().__init__(name=name, id=id, classes=classes)
        self._history: dict[str, deque[float]] = {m: deque(maxlen=history) for m in ALL_ROWS}
        self._texts: dict[str, Text] = {m: _label(_name(m)) for m in ALL_ROWS}
        self._scales: dict[str, chart.Scale] = {}
        self._lines: dict[str, _Line | None] = {}
        self._shown: tuple[str, ...] = _shown(graded)
        self._rows: dict[str, tuple[object, Strip]] = {}  # row -> (what it shows, its line)

    # -- feeding it ---------------------------------------------------------------------------

    def record(self, view: SiteView) -> None:
        """Add one tick, as the engine's view has the site after it."""
        shown = _shown(view.graded)
        if shown != self._shown:
            self._shown = shown
            self.refresh(layout=True)
        report = view.report
        if report is None:
            return
        objectives = view.objectives
        goals = {g.metric: g for g in objectives.goals}
        q = objectives.latency_percentile
        now_ms = report.percentile_ms(q / 100)
        stale_now = report.stale_reads / report.served if report.served > 0 else 0.0

        history = self._history
        history["requests"].append(report.rps)
        history["latency"].append(now_ms or 0.0)
        history["availability"].append(report.availability)
        history["cost"].append(report.cost)
        history["stale"].append(stale_now)
        history["lost"].append(report.lost_writes)
        oldest_now = report.jobs.oldest_s if report.jobs is not None else 0.0
        history["jobs"].append(oldest_now)

        def line(metric: str) -> float | None:
            goal = goals.get(metric)
            return goal.pass_line if goal is not None else None

        latency_line, availability_line = line("latency_ms"), line("availability")
        stale_line, jobs_line = line("stale_share"), line("job_age_s")
        self._lines = {
            "latency": _Line(latency_line, False) if latency_line is not None else None,
            "availability": _Line(availability_line, True)
            if availability_line is not None
            else None,
            "cost": _Line(view.budget, False) if view.budget is not None else None,
            "stale": _Line(stale_line, False) if stale_line is not None else None,
            "jobs": _Line(jobs_line, False) if jobs_line is not None else None,
        }
        self._scales = {
            "requests": chart.Scale.from_zero(history["requests"]),
            "latency": chart.Scale.from_zero(history["latency"], latency_line),
            "availability": chart.SHARE,
            "cost": chart.Scale.from_zero(history["cost"], view.budget),
            "stale": chart.Scale.from_zero(history["stale"], stale_line),
            "lost": chart.Scale.from_zero(history["lost"]),
            "jobs": chart.Scale.from_zero(history["jobs"], jobs_line),
        }

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

        stale = _label(_name("stale"))
        stale.append(METRICS["stale_share"].format(stale_now), style=VALUE_STYLE)
        stale.append(" now · run ", style=NOTE_STYLE)
        stale.append_text(_scored("stale_share", view.scores, goals))
        self._texts["stale"] = stale

        lost = _label(_name("lost"))
        lost.append("run ", style=NOTE_STYLE)
        lost.append_text(_scored("lost_writes", view.scores, goals))
        self._texts["lost"] = lost

        jobs = _label(_name("jobs"))  # the oldest job waiting now, and the run's longest wait
        jobs.append(METRICS["job_age_s"].format(oldest_now), style=VALUE_STYLE)
        jobs.append(" now · run ", style=NOTE_STYLE)
        jobs.append_text(_scored("job_age_s", view.scores, goals))
        self._texts["jobs"] = jobs
        self.refresh()  # rows of fixed height: no new layout; unchanged rows are cached

    @property
    def rows(self) -> tuple[str, ...]:
        """The rows shown, top to bottom: ROWS, then those of the graded stale reads, lost
        writes and oldest job."""
        return self._shown

    def history(self, metric: str) -> list[float]:
        """The recorded series of a row (one of ALL_ROWS), oldest first."""
        return list(self._history[metric])

    def text_of(self, metric: str) -> Text:
        """The words shown for a row (one of ALL_ROWS)."""
        return self._texts[metric]

    def bars(self, metric: str, width: int) -> tuple[int, ...]:
        """The heights (0-7) a row's chart `width` cells wide draws, on the row's scale."""
        scale = self._scales.get(metric, chart.SHARE)
        history = self._history[metric]
        return chart.bars(list(history), width, scale, _PICK.get(metric, max), history.maxlen)

    def missed(self, metric: str, width: int) -> tuple[bool, ...]:
        """Which cells of a row's chart `width` wide hold a tick past the level's line."""
        line = self._lines.get(metric)
        if line is None or width <= 0:
            return (False,) * max(width, 0)
        history = self._history[metric]
        cells = chart.buckets(list(history), width, _PICK.get(metric, max), history.maxlen)
        return tuple(line.missed(v) for v in cells)  # as many cells as `bars` draws

    # -- drawing ------------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._shown)

    def render_line(self, y: int) -> Strip:
        width = self.size.width  # the content width, inside the padding
        if not 0 <= y < len(self._shown) or width <= 0:
            return Strip.blank(max(width, 0))
        metric = self._shown[y]
        text = self._texts[metric]
        text_width = min(TEXT_WIDTH, width)
        spark_width = width - text_width - 1
        if spark_width < SPARK_MIN_WIDTH:
            spark_width = 0
        bars = self.bars(metric, spark_width)
        missed = self.missed(metric, spark_width)
        colours = (
            self.get_component_rich_style(f"metrics--{metric}-min"),
            self.get_component_rich_style(f"metrics--{metric}-max"),
            self.get_component_rich_style("metrics--missed"),
        )
        shown = (text.plain, tuple(text.spans), text_width, bars, missed, colours)
        cached = self._rows.get(metric)
        if cached is not None and cached[0] == shown:
            return cached[1]
        words = text.copy()
        words.truncate(text_width, overflow="ellipsis", pad=True)
        segments = list(words.render(self.app.console))
        if bars:
            segments.append(Segment(" " * (width - text_width - len(bars))))
            segments += _spark_segments(bars, missed, *colours)
        base = self.rich_style  # the panel's colours under the row's own
        strip = Strip(segments).apply_style(base).adjust_cell_length(width, base)
        self._rows[metric] = (shown, strip)
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rows.clear()  # the theme's colours may have changed


# Which tick of a bucket a cell draws: the worst one (availability's lowest, the others' most).
_PICK: Mapping[str, Callable[[Sequence[float]], float]] = {"availability": min}


def _shown(graded: Sequence[str]) -> tuple[str, ...]:
    return ROWS + tuple(row for metric, row in GRADED_ROWS.items() if metric in graded)


def _name(row: str) -> str:
    metric = {v: k for k, v in GRADED_ROWS.items()}.get(row)
    return metric_label(metric) if metric is not None else row


def _spark_segments(
    bars: tuple[int, ...], missed: tuple[bool, ...], low: Style, high: Style, past: Style
) -> list[Segment]:
    """Runs of equal bars, each coloured between `low` and `high` by its height, or in `past`
    where its tick missed the level's line."""
    styles = _ramp(low, high)
    segments = []
    run_start = 0
    for i in range(1, len(bars) + 1):
        if i == len(bars) or bars[i] != bars[run_start] or missed[i] != missed[run_start]:
            level = bars[run_start]
            style = past if missed[run_start] and past.color is not None else styles[level]
            segments.append(Segment(BARS[level] * (i - run_start), style))
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
