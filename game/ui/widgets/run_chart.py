"""The results' charts: a finished run tick by tick on one time axis, with the moves made.

    traffic          2.4k/s ┤          ▁▃▅▇██
                            ┤     ▁▃▅▇███████
                          0 ┤▁▃▅▇████████████
    availability       100% ┤████ ▇██████████
    pass 97.000% ┄┄┄┄┄┄┄┄┄┄ ┤████ ███████████
                         0% ┤████ ███████████
                            └┬──────┬──────┬─
                             0:00   2:00   4:00
    your moves              ▲     ▲
    par's moves             ▲  ▲
    failures                    ✖

Each chart has a fixed scale where it has a meaning (`chart`): availability 0 to 100%, the rest
from 0; the level's line (a pass line, the budget) is drawn across the row it crosses. The
widget is a function of the run's reports, the level and the ticks of the moves: it draws to
its width, so the axis fits the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from game.engine.metrics import METRICS
from game.engine.report import TickReport
from game.engine.scenario import Scenario
from game.ui import numbers
from game.ui.widgets import chart

TITLE_WIDTH = 14
VALUE_WIDTH = 10
LABEL_WIDTH = TITLE_WIDTH + VALUE_WIDTH + 1  # then ┤ and the chart
ROWS = 3  # rows of each chart
MOVE, FAILURE = "▲", "✖"


@dataclass(frozen=True, slots=True)
class Series:
    title: str
    values: tuple[float, ...]
    scale: chart.Scale
    write: Callable[[float], str]
    line: float | None = None  # the level's line across the chart, if it has one
    line_name: str = "pass"
    pick: Callable[[Sequence[float]], float] = max


def series_of(scenario: Scenario, history: Sequence[TickReport]) -> list[Series]:
    """What the results chart of a run: traffic, latency, availability, failures and cost, and
    the stale reads and lost writes of a level that grades them."""
    objectives = scenario.objectives
    lines = {g.metric: g.pass_line for g in objectives.goals}
    q = objectives.latency_percentile
    rps = tuple(r.rps for r in history)
    latency = tuple(r.percentile_ms(q / 100) or 0.0 for r in history)
    availability = tuple(r.availability for r in history)
    failed = tuple(r.failed_total for r in history)
    cost = tuple(r.cost for r in history)

    def ms(value: float) -> str:
        return METRICS["latency_ms"].format(value) if value else "0 ms"

    share = METRICS["availability"].format
    out = [
        Series("traffic", rps, chart.Scale.from_zero(rps), numbers.rate),
        Series(
            f"p{q} latency",
            latency,
            chart.Scale.from_zero(latency, lines.get("latency_ms")),
            ms,
            lines.get("latency_ms"),
        ),
        Series(
            "availability",
            availability,
            chart.SHARE,
            lambda v: f"{100 * v:.0f}%" if v in (0.0, 1.0) else share(v),
            lines.get("availability"),
            pick=min,
        ),
        Series("failed", failed, chart.Scale.from_zero(failed), numbers.rate),
        Series(
            "cost/tick",
            cost,
            chart.Scale.from_zero(cost, scenario.budget),
            numbers.money,
            scenario.budget,
            "budget",
        ),
    ]
    if "stale_share" in lines:
        stale = tuple(r.stale_reads / r.served if r.served > 0 else 0.0 for r in history)
        stale_line = lines["stale_share"]
        out.append(
            Series(
                "stale reads",
                stale,
                chart.Scale.from_zero(stale, stale_line),
                lambda v: METRICS["stale_share"].format(v),
                stale_line,
            )
        )
    if "lost_writes" in lines:
        lost = tuple(r.lost_writes for r in history)
        out.append(Series("lost writes", lost, chart.Scale.from_zero(lost), numbers.compact))
    return out


class RunChart(Widget):
    """A finished run's charts on one time axis, with the player's moves, par's moves (when
    given) and the failures marked under it."""

    DEFAULT_CSS = """
    RunChart { height: auto; }
    """

    def __init__(
        self,
        scenario: Scenario,
        history: Sequence[TickReport],
        moves: Sequence[int],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        # an endless run's axis is the run itself: it ended long before the level's bound
        ended = scenario.endless is not None
        self.duration = max(1, len(history)) if ended else scenario.duration
        self.series = series_of(scenario, history)
        self.moves = tuple(moves)
        self.par_moves: tuple[int, ...] | None = None
        self.failures = tuple(e.tick for r in history for e in r.events if e.kind == "failed")

    def show_par(self, ticks: Sequence[int]) -> None:
        """Mark par's moves beside the player's (where par did better)."""
        self.par_moves = tuple(ticks)
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.series) * ROWS + 2 + 2 + (self.par_moves is not None)

    def render(self) -> Text:
        return self.draw(self.size.width)

    def draw(self, width: int) -> Text:
        """The charts `width` cells wide, as text."""
        cells = max(10, width - LABEL_WIDTH - 1)
        text = Text(no_wrap=True, overflow="crop")
        for series in self.series:
            self._chart(text, series, cells)
        rule, labels = chart.time_axis(self.duration, cells)
        text.append(" " * LABEL_WIDTH + "└" + rule + "\n", style="dim")
        text.append(" " * (LABEL_WIDTH + 1) + labels + "\n", style="dim")
        self._marks(text, "your moves", self.moves, MOVE, "bold cyan", cells)
        if self.par_moves is not None:
            self._marks(text, "par's moves", self.par_moves, MOVE, "bold yellow", cells)
        self._marks(text, "failures", self.failures, FAILURE, "bold red", cells, last=True)
        return text

    def _chart(self, text: Text, series: Series, cells: int) -> None:
        """`ROWS` rows: its title and scale at the left; the level's line named on the row it
        crosses (under the title when that is the top row) and drawn (┄) through its empty cells."""
        rows = chart.columns(series.values, cells, ROWS, series.scale, series.pick)
        line = series.line
        line_row = chart.row_of(line, ROWS, series.scale) if line is not None else None
        colour = "green" if series.pick is min else "cyan"
        named = line_row if line_row not in (None, 0) else 1  # the row naming the line
        for y, row in enumerate(rows):
            title = series.title if y == 0 else ""
            if y == named and line is not None:
                title = f"{series.line_name} {series.write(line)}"
            value = ""
            if y == 0:
                value = series.write(series.scale.high)
            elif y == ROWS - 1:
                value = series.write(series.scale.low)
            text.append(f"{title:<{TITLE_WIDTH}}", style="bold" if y == 0 else "dim")
            text.append(f"{value:>{VALUE_WIDTH}} ┤", style="dim")
            if y == line_row:
                for ch in row:
                    text.append(ch if ch != " " else "┄", style=colour if ch != " " else "dim")
            else:
                text.append(row, style=colour)
            text.append("\n")

    def _marks(
        self,
        text: Text,
        title: str,
        ticks: Sequence[int],
        glyph: str,
        style: str,
        cells: int,
        last: bool = False,
    ) -> None:
        row = [" "] * cells
        for cell in chart.marks(ticks, self.duration, cells):
            row[cell] = glyph
        text.append(f"{title:<{LABEL_WIDTH + 1}}", style="dim")
        text.append("".join(row), style=style)
        if not last:
            text.append("\n")
