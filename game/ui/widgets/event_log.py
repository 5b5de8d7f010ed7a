"""What happened, newest last: boots, failures, promotions, the player's moves and refusals.

    0:20  failed    db-1 failed (scheduled incident); failing over to a replica, 3 writes lost
    0:25  you       Added a web server web-3 (M)
    0:31  REFUSED   Add a web server (XL): over budget: the site would cost 22 per tick, the
                    budget is 20

A refused move stands out (reversed red badge, red text) because it is the engine telling the
player why. The log keeps the last `max_lines` entries. Feed it with `add(report.events)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widgets import RichLog

from game.engine.report import Event
from game.ui.words import EVENT_BADGES, event_words

MAX_LINES = 200
BADGE_WIDTH = 9

# Event kind -> (badge style, text style); the badges' words are the vocabulary's.
KIND_LOOK: Mapping[str, tuple[Style, Style]] = MappingProxyType(
    {
        "refused": (
            Style(color="#ffffff", bgcolor="#c0392b", bold=True),
            Style(color="#ff5c6c"),
        ),
        "failed": (Style(color="#ff5c6c", bold=True), Style()),
        "failover": (Style(color="#e6c84f", bold=True), Style()),
        "promoted": (Style(color="#e6c84f", bold=True), Style()),
        "booted": (Style(color="#57c77a"), Style()),
        "moved": (Style(color="#5fd7d7"), Style()),
        "action": (Style(color="#6cb6ff"), Style()),
        "rule": (Style(color="#5fd7d7", bold=True), Style()),
    }
)
OTHER_LOOK = (Style(dim=True), Style())
EMPTY = Text(
    "Nothing has happened yet. Boots, failures, your moves and any refused move show here.",
    style="dim",
)
TIME_STYLE = Style(dim=True)


class EventLog(RichLog):
    """The run's events, newest last, bounded."""

    DEFAULT_CSS = """
    EventLog {
        height: 1fr;
        padding: 0 1;
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    def __init__(
        self,
        *,
        max_lines: int = MAX_LINES,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            max_lines=max_lines,
            wrap=True,
            markup=False,
            highlight=False,
            auto_scroll=True,
            min_width=20,
            name=name,
            id=id,
            classes=classes,
        )
        self.entries: list[Event] = []  # what was written, bounded like the lines
        self._max_entries = max_lines
        self.write(EMPTY)  # until the first event

    def add(self, events: Iterable[Event]) -> None:
        """Append these events (a TickReport's `events`) at the bottom."""
        for event in events:
            if not self.entries:
                self.clear()  # the words saying the log is empty
            self.entries.append(event)
            self.write(_row(event))
        del self.entries[: -self._max_entries]


def _parts(event: Event) -> tuple[Text, Text, Text]:
    badge = EVENT_BADGES.get(event.kind, event.kind)
    badge_style, text_style = KIND_LOOK.get(event.kind, OTHER_LOOK)
    minutes, seconds = divmod(max(event.tick, 0), 60)
    return (
        Text(f"{minutes:>3}:{seconds:02d}", style=TIME_STYLE),
        Text(f" {badge} ".ljust(BADGE_WIDTH), style=badge_style),
        Text(event_words(event.kind, event.component, event.text), style=text_style),
    )


def format_event(event: Event) -> Text:
    """One event as one line of text: time, a badge for its kind, and what happened
    in the player's words."""
    return Text(" ").join(_parts(event))


def _row(event: Event) -> Table:
    """One event as a row whose words wrap under themselves, not under the time."""
    row = Table.grid(padding=(0, 1), expand=True)
    row.add_column(no_wrap=True)
    row.add_column(no_wrap=True)
    row.add_column(ratio=1, overflow="fold")
    row.add_row(*_parts(event))
    return row
