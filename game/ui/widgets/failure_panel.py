"""Why requests fail right now: the last tick's failures by reason, in the player's words.

    why requests fail right now          12% of finished requests
    ▇▇▇▇▇░░░  62%  timed out waiting in the web tier       110/s
    ▇▇▇░░░░░  38%  timed out waiting on the read replicas   66/s

Reasons are sorted by how many requests they cost, largest first; their words come from
`catalog.FAILURE_REASONS`. A tick without failures says so. Feed it with `show(view)`, the
engine's view of the site after the tick.
"""

from __future__ import annotations

from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from game.engine import catalog
from game.engine.report import TickReport
from game.engine.view import SiteView
from game.ui import numbers

BAR_CELLS = 8
TITLE_STYLE = Style(bold=True)
BAR_STYLE = Style(color="#ff5c6c")
ALARM_STYLE = Style(color="#ff5c6c", bold=True)
EMPTY_STYLE = Style(dim=True)
CALM_STYLE = Style(color="#57c77a")


class FailureReasons(Static):
    """The last tick's failed requests, by reason, with each reason's share."""

    DEFAULT_CSS = """
    FailureReasons {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(_waiting(), name=name, id=id, classes=classes, markup=False)
        self._rows: list[tuple[str, float, float]] = []
        self._shape: tuple[int | str, ...] | None = None  # what sets the panel's height

    def show(self, view: SiteView) -> None:
        """Show the failures of the last tick (none before the first)."""
        report = view.report
        if report is None:
            self._rows = []
            self._shape = None
            self.update(_waiting())
            return
        total = report.failed_total
        ranked = sorted(report.failed.items(), key=lambda item: (-item[1], item[0]))
        self._rows = [(reason, count, count / total) for reason, count in ranked if total > 0]
        share = _failing(report) if self._rows else ""
        shape = (len(share), *(reason for reason, _, _ in self._rows))
        # Each reason's words are fixed, so the height changes only with the reasons shown and
        # the length of the title's percentage (the title may wrap on a narrow screen).
        self.update(self._draw(report), layout=shape != self._shape)
        self._shape = shape

    @property
    def rows(self) -> list[tuple[str, float, float]]:
        """(reason id, requests, share of the tick's failures), largest first."""
        return list(self._rows)

    def _draw(self, report: TickReport) -> Group:
        title = Text("why requests fail right now", style=TITLE_STYLE)
        if not self._rows:
            return Group(title, Text("no failures: every finished request was served", CALM_STYLE))
        title.append(f"   {_failing(report)} of finished requests", style=ALARM_STYLE)
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
        table.add_column(justify="right", no_wrap=True)
        for reason, count, share in self._rows:
            words = catalog.FAILURE_REASONS.get(reason, reason)
            filled = max(1, round(share * BAR_CELLS))
            bar = Text("▇" * filled, style=BAR_STYLE)
            bar.append("░" * (BAR_CELLS - filled), style=EMPTY_STYLE)
            table.add_row(bar, Text(numbers.percent(share)), Text(words), Text(numbers.rate(count)))
        return Group(title, table)


def _waiting() -> Text:
    return Text("why requests fail: no tick yet", style=EMPTY_STYLE)


def _failing(report: TickReport) -> str:
    """The share of this tick's finished requests that failed, as text."""
    return numbers.percent(1 - report.availability, 1)
