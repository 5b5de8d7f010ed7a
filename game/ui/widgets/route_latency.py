"""The live latency panel: this tick's latency by the route requests took, beside every request's.

A row per route (cache hit, database read, write ...): its share of the tick's served requests,
its p50, p95 and p99, and its shape on a log axis from 1 ms to 10 s, each row scaled to its own
peak so that a small route's shape shows too. Every request's row comes last, read from the
same histogram as the scores; the line under it compares its p95 with the routes' p95s blended
by share, because percentiles do not add. The numbers are the engine's (`routes.by_route`).
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size

from game.engine.report import TickReport
from game.engine.routes import EVERY_REQUEST, RouteLatency, by_route
from game.ui import numbers, words
from game.ui.widgets.chart import BARS
from game.ui.widgets.text_lines import TextLines

AXIS_LOW_S = 0.001  # the axis: 1 ms ...
AXIS_HIGH_S = 10.0  # ... to 10 s, log-spaced
AXIS_LABELS = ("1ms", "10ms", "100ms", "1s", "10s")
LABEL_WIDTH = 15
NUMBER_WIDTH = 9  # " 1,234 ms"
FIXED_WIDTH = LABEL_WIDTH + 5 + 3 * NUMBER_WIDTH + 2  # label, share, p50 p95 p99, gap
LEAST_AXIS = 12  # narrower than this, the shapes are left out
NOTE_AT = 0.05  # the blend and the whole differ by this share of the p95 before it is noted


class LatencyByRoute(TextLines):
    """`show(report)`: the panel for that tick (drawn only while the panel is on screen)."""

    DEFAULT_CSS = """
    LatencyByRoute {
        height: auto;
        padding: 0 1;
    }
    LatencyByRoute > .routes--head { color: $text-muted; }
    LatencyByRoute > .routes--shape { color: $primary; }
    LatencyByRoute > .routes--every { text-style: bold; }
    LatencyByRoute > .routes--note { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"routes--head", "routes--shape", "routes--every", "routes--note"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.report: TickReport | None = None
        self._rows: tuple[RouteLatency, ...] = ()
        self._for: tuple[int, int] | None = None  # (tick, axis width) the rows were read for

    def show(self, report: TickReport | None) -> None:
        if report is not self.report:
            # A new layout only when the rows change, not for each tick's new numbers.
            relayout = _height(report) != _height(self.report)
            self.report = report
            self.changed(layout=relayout)

    def rows(self, axis: int) -> tuple[RouteLatency, ...]:
        """This tick's routes then every request, with `axis` shape columns."""
        report = self.report
        if report is None:
            return ()
        key = (report.tick, axis)
        if key != self._for:
            ratio = AXIS_HIGH_S / AXIS_LOW_S
            edges = tuple(AXIS_LOW_S * ratio ** (i / max(axis, 1)) for i in range(axis + 1))
            self._rows, self._for = by_route(report, edges), key
        return self._rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return _height(self.report)

    def picture(self, width: int) -> Text:
        axis = self._axis(width)
        rows = self.rows(axis)
        head = self.get_component_rich_style("routes--head", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        title = "latency by route".ljust(LABEL_WIDTH + 5)
        columns = "".join(f"{name:>{NUMBER_WIDTH}}" for name in ("p50", "p95", "p99"))
        text.append(title + columns + "  " + _axis_labels(axis), style=head)
        if not rows:
            text.append("\nnothing served this tick", style=head)
            return text
        shape = self.get_component_rich_style("routes--shape", partial=True)
        every = self.get_component_rich_style("routes--every", partial=True)
        for row in rows:
            mine = every if row.route == EVERY_REQUEST else None
            text.append("\n")
            text.append(words.ROUTE[row.route][: LABEL_WIDTH - 1].ljust(LABEL_WIDTH), style=mine)
            share = numbers.percent(row.share) if round(100 * row.share) >= 1 else "<1%"
            text.append(f"{share:>5}", style=mine)
            for value in (row.p50_ms, row.p95_ms, row.p99_ms):
                text.append(f"{numbers.millis(value):>{NUMBER_WIDTH}}", style=mine)
            if axis:
                text.append("  " + _shape(row.masses), style=shape)
        if len(rows) > 2:  # its line is kept while there are two routes, so the rows stay put
            note = _not_additive(rows) or ""
            text.append("\n" + note, style=self.get_component_rich_style("routes--note"))
        return text

    def _axis(self, width: int) -> int:
        axis = width - FIXED_WIDTH
        return axis if axis >= LEAST_AXIS else 0


def _height(report: TickReport | None) -> int:
    """The panel's rows: a heading, a row per route and one for every request, and the note's
    line where there are two routes or more (without a served request: a line saying so)."""
    routes = len(set(report.routes)) if report is not None and report.served > 0 else 0
    return 2 if not routes else 2 + routes + (routes > 1)


def _axis_labels(axis: int) -> str:
    """The decades' names over the shape columns, each where its decade starts."""
    if not axis:
        return ""
    cells = [" "] * axis
    last = len(AXIS_LABELS) - 1
    for i, label in enumerate(AXIS_LABELS):
        start = min(axis - len(label), round(i * axis / last))
        if all(c == " " for c in cells[max(0, start - 1) : start + len(label)]):
            cells[start : start + len(label)] = label
    return "".join(cells)


def _shape(masses: tuple[float, ...]) -> str:
    """One row of bars, scaled to the row's own peak; an empty column is blank."""
    top = max(masses, default=0.0)
    if top <= 0:
        return " " * len(masses)
    return "".join(" " if m < top / 64 else BARS[min(7, round(m / top * 7))] for m in masses)


def _not_additive(rows: tuple[RouteLatency, ...]) -> str | None:
    """The line that sets every request's p95 beside the routes' p95s blended by share, where
    the two differ enough to see (one route, or one slow queue ahead of all, makes them meet)."""
    *routes, every = rows
    blend = sum(r.share * r.p95_ms for r in routes)
    if abs(every.p95_ms - blend) < NOTE_AT * every.p95_ms:
        return None
    return (
        f"p95s do not add: the routes' blend to {numbers.millis(blend)}, "
        f"all requests' is {numbers.millis(every.p95_ms)}"
    )
