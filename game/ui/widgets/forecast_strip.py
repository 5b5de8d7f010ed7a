"""The forecast strip: the level's traffic from start to end, with now marked.

    traffic      ▁▁▁▂▂▂▃▃▃▄▄▄▅▅▅▆▆▇▇██▇▆▅▅▄▄▃        2.4k/s top
    now 1:23           ▲                ✖          ✖ web-1 4:10

The top row is the offered request rate of every part of the run on a scale from 0 to the
level's busiest tick (`game.engine.forecast`): what is behind is dim, a spike stands out, the
column of now is lit. The row under it marks now (▲) and the incidents the level announces
(✖); the next one ahead is named at the right, else the level's end. A secret incident is not
in the forecast, so it is not here.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from game.engine.forecast import Forecast
from game.ui import numbers
from game.ui.widgets import chart

LABEL_WIDTH = 13  # as the metrics panel's labels
RIGHT_WIDTH = 16  # the top of the scale, or the next incident ahead
NOW = "▲"
INCIDENT = "✖"


class ForecastStrip(Widget):
    """The traffic ahead and behind, now and the announced incidents; `show(tick)` moves now."""

    DEFAULT_CSS = """
    ForecastStrip {
        height: 2;
        padding: 0 1;
    }
    ForecastStrip > .forecast--past { color: $primary 40%; }
    ForecastStrip > .forecast--ahead { color: $primary; }
    ForecastStrip > .forecast--spike { color: $warning; }
    ForecastStrip > .forecast--now { color: $text; background: $primary 50%; text-style: bold; }
    ForecastStrip > .forecast--incident { color: $error; text-style: bold; }
    ForecastStrip > .forecast--note { color: $text-muted; }
    """
    COMPONENT_CLASSES = {
        "forecast--past",
        "forecast--ahead",
        "forecast--spike",
        "forecast--now",
        "forecast--incident",
        "forecast--note",
    }

    def __init__(
        self,
        ahead: Forecast,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.ahead = ahead
        self.tick = 0
        self._bars: dict[int, tuple[int, ...]] = {}  # width -> the bars of the whole run
        # (row, width, now's column) -> the row's chart part: it changes only when now moves a
        # column (every few ticks), while the screen draws every tick
        self._charts: dict[tuple[int, int, int], list[Segment]] = {}

    def show(self, tick: int) -> None:
        """Now is `tick` (two short rows: drawn again each tick)."""
        if tick != self.tick:
            self.tick = tick
            self.refresh()

    # -- what it draws, for tests too --------------------------------------------------------

    def bars(self, width: int) -> tuple[int, ...]:
        """The heights (0-7) of the traffic over the run, `width` cells, from 0 to the top."""
        if width not in self._bars:
            scale = chart.Scale(0.0, self.ahead.peak)
            self._bars[width] = chart.bars(self.ahead.rates, width, scale)
        return self._bars[width]

    def marks(self, width: int) -> str:
        """The row under the bars: ▲ at now, ✖ at each announced incident."""
        cells = [" "] * width
        for incident in self.ahead.incidents:
            cells[self._column(incident.tick, width)] = INCIDENT
        if width > 0:
            cells[self._column(self.tick, width)] = NOW
        return "".join(cells)

    def note(self) -> str:
        """The right of the lower row: the next announced incident ahead, else the end."""
        ahead = next((i for i in self.ahead.incidents if i.tick >= self.tick), None)
        if ahead is not None:
            return f"{INCIDENT} {ahead.target} {numbers.clock(ahead.tick)}"
        return f"end {numbers.clock(self.ahead.duration)}"

    # -- drawing ------------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 2

    def _chart_width(self) -> int:
        return max(0, self.size.width - LABEL_WIDTH - RIGHT_WIDTH - 1)

    def _column(self, tick: int, width: int) -> int:
        return chart.column_of(tick, self.ahead.duration, width)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"forecast--{name}")

    def notify_style_update(self) -> None:
        self._charts.clear()  # the colours changed
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        chart_width = self._chart_width()
        if y not in (0, 1) or width <= 0:
            return Strip.blank(max(width, 0))
        note = self._style("note")
        key = (y, chart_width, self._column(self.tick, chart_width) if chart_width else 0)
        drawn = self._charts.get(key)
        if drawn is None:
            if len(self._charts) > 64:
                self._charts.clear()
            drawn = self._bar_segments(chart_width) if y == 0 else self._mark_segments(chart_width)
            self._charts[key] = drawn
        if y == 0:
            label = "traffic".ljust(LABEL_WIDTH)
            right = f" {numbers.rate(self.ahead.peak)} top"
        else:
            label = f"now {numbers.clock(self.tick)}".ljust(LABEL_WIDTH)
            right = f" {self.note()}"
        segments = [Segment(label, note), *drawn]
        segments.append(Segment(right[: width - LABEL_WIDTH - chart_width], note))
        base = self.rich_style
        return Strip(segments).apply_style(base).adjust_cell_length(width, base)

    def _bar_segments(self, width: int) -> list[Segment]:
        if width <= 0:
            return []
        bars = self.bars(width)
        now = self._column(self.tick, width)
        spikes = {
            c
            for s in self.ahead.spikes
            for c in range(
                self._column(s.start, width), self._column(s.start + s.duration - 1, width) + 1
            )
        }
        styles = [
            "now" if c == now else "past" if c < now else "spike" if c in spikes else "ahead"
            for c in range(width)
        ]
        segments = []
        start = 0
        for c in range(1, width + 1):
            if c == width or styles[c] != styles[start]:
                text = "".join(chart.BARS[b] for b in bars[start:c])
                segments.append(Segment(text, self._style(styles[start])))
                start = c
        return segments

    def _mark_segments(self, width: int) -> list[Segment]:
        row = self.marks(width)
        styles = {NOW: self._style("now"), INCIDENT: self._style("incident")}
        segments, start = [], 0
        for c in range(1, width + 1):  # one segment per run of blanks or per mark
            if c == width or row[c] in styles or row[start] in styles:
                segments.append(Segment(row[start:c], styles.get(row[start], Style())))
                start = c
        return segments
