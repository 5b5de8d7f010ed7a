"""The play screen's widgets: each draws what the engine reported and posts what the player asks.

    ArchitectureMap   the site, left to right, with the request flow; posts NodeSelected
    MetricsPanel      requests/s, latency, availability and spend, with recent history
    FailureReasons    why requests fail right now, by reason
    EventLog          boots, failures, promotions and refused actions
    Inspector         the selected component and the moves that apply to it
    BuildBar          add components; posts ActionRequested

None of them computes a game rule: numbers come from TickReport, Totals and the catalog.
"""

from game.ui.widgets.action_request import ActionRequested
from game.ui.widgets.architecture_map import ArchitectureMap
from game.ui.widgets.build_bar import BuildBar
from game.ui.widgets.event_log import EventLog
from game.ui.widgets.failure_panel import FailureReasons
from game.ui.widgets.inspector import Inspector
from game.ui.widgets.metrics_panel import MetricsPanel

__all__ = [
    "ActionRequested",
    "ArchitectureMap",
    "BuildBar",
    "EventLog",
    "FailureReasons",
    "Inspector",
    "MetricsPanel",
]
