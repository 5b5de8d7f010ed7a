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

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from game.engine.report import TickReport, Totals
from game.engine.scenario import Scenario
from game.engine.scoring import Goal
from game.ui.widgets import numbers

HISTORY_TICKS = 120  # ticks of history each sparkline keeps

METRICS: tuple[str, ...] = ("requests", "latency", "availability", "cost")
LABEL_WIDTH = 10
MET_STYLE = Style(color="#57c77a", bold=True)
MISSED_STYLE = Style(color="#ff5c6c", bold=True)
VALUE_STYLE = Style(bold=True)
NOTE_STYLE = Style(dim=True)


class MetricsPanel(Widget):
    """Requests, latency, availability and spend of the run, against the level's pass lines."""

    DEFAULT_CSS = Path(__file__).with_name("metrics_panel.tcss").read_text(encoding="utf-8")

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

    def compose(self) -> ComposeResult:
        for metric in METRICS:
            with Horizontal(classes="metric", id=f"metric-{metric}"):
                yield Static(self._texts[metric], classes="metric-text", id=f"{metric}-text")
                yield Sparkline(
                    list(self._history[metric]), classes="metric-spark", id=f"{metric}-spark"
                )

    # -- feeding it ---------------------------------------------------------------------------

    def record(
        self, report: TickReport, totals: Totals, scenario: Scenario, cost_per_tick: float
    ) -> None:
        """Add one tick: its report, the run's totals so far, the level and the site's cost."""
        goals = {g.metric: g for g in scenario.objectives.goals}
        q = scenario.objectives.latency_percentile
        now_ms = report.percentile_ms(q / 100)
        run_ms = totals.percentile_ms(q / 100)

        self._push("requests", report.rps)
        self._push("latency", now_ms or 0.0)
        self._push("availability", report.availability)
        self._push("cost", report.cost)

        requests = _label("requests")
        requests.append(numbers.rate(report.rps), style=VALUE_STYLE)
        if report.failed_total > 0:
            requests.append(f" · {numbers.rate(report.failed_total)} failing", style=MISSED_STYLE)
        self._set("requests", requests)

        latency = _label(f"p{q}")
        latency.append(numbers.millis(now_ms), style=VALUE_STYLE)
        latency.append(" now · run ", style=NOTE_STYLE)
        latency.append_text(
            _scored(numbers.millis(run_ms), goals.get("latency_ms"), run_ms, "≤", "ms")
        )
        self._set("latency", latency)

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
        self._set("availability", availability)

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
        self._set("cost", cost)

    def history(self, metric: str) -> list[float]:
        """The recorded series of `metric` (one of METRICS), oldest first."""
        return list(self._history[metric])

    def text_of(self, metric: str) -> Text:
        """The line shown for `metric` (one of METRICS)."""
        return self._texts[metric]

    # -- inside -------------------------------------------------------------------------------

    def _push(self, metric: str, value: float) -> None:
        self._history[metric].append(value)
        if self.is_mounted:
            self.query_one(f"#{metric}-spark", Sparkline).data = list(self._history[metric])

    def _set(self, metric: str, text: Text) -> None:
        self._texts[metric] = text
        if self.is_mounted:  # each row is one line of fixed width: no new layout needed
            self.query_one(f"#{metric}-text", Static).update(text, layout=False)


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
