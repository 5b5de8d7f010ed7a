"""The play screen's readings, top to bottom: the scores, why requests fail, the advice line,
the latency by route and the tiers' charts (where the screen has the room: play.tcss), and the
event log under them, which takes what they leave."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from game.engine.view import SiteView
from game.ui.widgets.event_log import EventLog
from game.ui.widgets.failure_panel import FailureReasons
from game.ui.widgets.metrics_panel import MetricsPanel
from game.ui.widgets.route_latency import LatencyByRoute
from game.ui.widgets.tier_charts import TierCharts


class Readings(Vertical):
    """`record(view)` once a tick (the charts take the tick in); `show(view)` after every tick
    and move (what is drawn of the site as it stands)."""

    def __init__(self, graded: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.graded = graded

    def compose(self) -> ComposeResult:
        yield MetricsPanel(self.graded, id="metrics")
        yield FailureReasons(id="failures")
        yield Static(id="hint")
        yield LatencyByRoute(id="routes")
        yield TierCharts(id="tiers")
        yield EventLog(id="log")

    def record(self, view: SiteView) -> None:
        self.query_one(MetricsPanel).record(view)
        self.query_one(TierCharts).record(view)

    def show(self, view: SiteView) -> None:
        self.query_one(FailureReasons).show(view)
        self.query_one(LatencyByRoute).show(view.report)  # worked out only where it is drawn
