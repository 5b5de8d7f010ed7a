"""The play screen's widgets: each draws the engine's view and posts what the player asks.

    ArchitectureMap   the site, left to right, with the request flow; posts NodeSelected
    MetricsPanel      requests/s, latency, availability, spend and the graded scores, charted
    ForecastStrip     the level's traffic from start to end, now and the announced incidents
    EndlessStrip      an endless run's error budget and best minute, where the forecast stands
    FailureReasons    why requests fail right now, by reason
    EventLog          boots, failures, promotions and refused actions
    LatencyByRoute    this tick's latency by route (cache hit, read, write ...) and in all
    TierCharts        each tier's busy share over the last two minutes, its queue and drops
    Readings          the column that holds the scores, failures, advice, those two and the log
    Inspector         the selected component and the moves on offer for it; posts ActionRequested
    BuildBar          the add and size keys as buttons; posts BuildBar.Pressed
    status            the status line and the advice line (functions of the view)

None of them computes a game rule: what they draw comes from the engine's view of the site
(`game.engine.view`: SiteView, NodeView, MovePreview, Advice); colour, glyph and layout are
theirs (`states`), words are the vocabulary's (`game.ui.words`). A widget test builds a view by
hand.
"""

from game.ui.widgets.action_request import ActionRequested
from game.ui.widgets.architecture_map import ArchitectureMap
from game.ui.widgets.build_bar import BuildBar
from game.ui.widgets.endless_strip import EndlessStrip
from game.ui.widgets.event_log import EventLog
from game.ui.widgets.failure_panel import FailureReasons
from game.ui.widgets.forecast_strip import ForecastStrip
from game.ui.widgets.inspector import Inspector
from game.ui.widgets.metrics_panel import MetricsPanel
from game.ui.widgets.readings import Readings
from game.ui.widgets.route_latency import LatencyByRoute
from game.ui.widgets.tier_charts import TierCharts

__all__ = [
    "ActionRequested",
    "ArchitectureMap",
    "BuildBar",
    "EventLog",
    "FailureReasons",
    "EndlessStrip",
    "ForecastStrip",
    "Inspector",
    "LatencyByRoute",
    "MetricsPanel",
    "Readings",
    "TierCharts",
]
