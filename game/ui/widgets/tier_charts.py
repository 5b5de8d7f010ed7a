"""A chart per tier: how busy each tier has been over the last two minutes, on a fixed scale.

Each row: the tier, how busy it is now (offered work over capacity, as the engine reports it),
its busy share over the last ticks from 0 to 100% (a tier past 100% draws a full bar in the
overloaded colour: work arrives faster than it is done), what waits in its queue and what timed
out of it this tick. Tiers come in the order the engine serves them.
"""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.geometry import Size

from game.engine.report import TierReport
from game.engine.view import SiteView
from game.ui import numbers, words
from game.ui.widgets import chart, states
from game.ui.widgets.text_lines import TextLines

HISTORY = 120  # ticks drawn
LABEL_WIDTH = 18
NOW_WIDTH = 6
TAIL_WIDTH = 22  # "  queue 1.2k  ✖ 340/s"
LEAST_CHART = 10


class TierCharts(TextLines):
    """`record(view)` once a tick: each tier's busy share joins its chart."""

    DEFAULT_CSS = """
    TierCharts {
        height: auto;
        padding: 0 1;
    }
    TierCharts > .tiers--head { color: $text-muted; }
    TierCharts > .tiers--chart { color: $primary; }
    TierCharts > .tiers--over { color: $error; }
    """
    COMPONENT_CLASSES = {"tiers--head", "tiers--chart", "tiers--over"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.busy: dict[str, deque[float]] = {}  # tier name -> busy share, oldest first
        self.now: dict[str, TierReport] = {}  # the last tick's tiers, in serving order

    def record(self, view: SiteView) -> None:
        report = view.report
        if report is None:
            return
        now = {t.name: t for t in report.tiers if t.servers > 0 or t.offered > 0}
        for name in self.busy.keys() - now.keys():  # a tier gone (the box split) leaves
            del self.busy[name]
        for name, tier in now.items():
            self.busy.setdefault(name, deque(maxlen=HISTORY)).append(tier.utilization)
        grew = now.keys() != self.now.keys()
        self.now = now
        self.changed(layout=grew)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + max(1, len(self.now))

    def picture(self, width: int) -> Text:
        head = self.get_component_rich_style("tiers--head", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        cells = width - LABEL_WIDTH - NOW_WIDTH - TAIL_WIDTH
        cells = cells if cells >= LEAST_CHART else 0
        title = "tiers, busy".ljust(LABEL_WIDTH) + "now".rjust(NOW_WIDTH - 1) + " "
        span = f"last {numbers.clock(HISTORY)}, 0-100% busy" if cells else ""
        text.append(title + span.ljust(cells) + "  queued    timed out", style=head)
        if not self.now:
            text.append("\nno tier has served yet", style=head)
            return text
        calm = self.get_component_rich_style("tiers--chart", partial=True)
        over = self.get_component_rich_style("tiers--over", partial=True)
        for name, tier in self.now.items():
            text.append("\n" + words.TIER.get(name, name)[: LABEL_WIDTH - 1].ljust(LABEL_WIDTH))
            overloaded = tier.utilization >= states.OVERLOADED_AT
            text.append(
                numbers.percent(tier.utilization).rjust(NOW_WIDTH - 1) + " ",
                style=over if overloaded else None,
            )
            if cells:
                series = list(self.busy.get(name, ()))
                heights = chart.bars(series, cells, chart.SHARE, window=HISTORY)
                picked = chart.buckets(series, cells, window=HISTORY)
                text.append(" " * (cells - len(heights)))  # before the first tick drawn
                runs: list[tuple[bool, list[str]]] = []  # one span per run of a style
                for height, value in zip(heights, picked, strict=False):
                    hot = value >= states.OVERLOADED_AT
                    if not runs or runs[-1][0] != hot:
                        runs.append((hot, []))
                    runs[-1][1].append(chart.BARS[height])
                for hot, bars in runs:
                    text.append("".join(bars), style=over if hot else calm)
            queued = numbers.compact(tier.queued) if tier.queued >= 0.5 else "0"
            dropped = numbers.rate(tier.dropped) if tier.dropped >= 0.5 else "-"
            text.append(f"  {queued:>6}  {dropped:>11}")
        return text
