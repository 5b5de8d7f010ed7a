"""A level's briefing: the author's text, the objectives and what the player may use."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Markdown, Static

from game.content.packs import Pack, PackLevel
from game.ui.level_text import concept_titles, objectives_table, unlocked_text
from game.ui.ways import ways


class BriefingScreen(Screen[None]):
    CSS_PATH = "briefing.tcss"
    SUB_TITLE = "Briefing"
    BINDINGS = [
        Binding("s,enter", "start", "Start"),
        Binding("o", "solutions", "Your solutions"),
        Binding("escape,q", "app.pop_screen", "Back"),
    ]

    def __init__(self, pack: Pack, level: PackLevel) -> None:
        super().__init__()
        self.pack, self.level = pack, level

    def compose(self) -> ComposeResult:
        level = self.level
        yield Header()
        with Vertical(id="briefing"):
            yield Static(self._title(), id="briefing-title")
            with VerticalScroll(id="briefing-text"):
                yield Markdown(level.briefing, open_links=False)
            with Horizontal(id="briefing-facts"):
                yield Static(
                    Group(
                        Text("Objectives", style="bold"),
                        objectives_table(level.scenario.objectives),
                    ),
                    id="briefing-objectives",
                )
                yield Static(
                    Group(Text("You may use", style="bold"), unlocked_text(level)),
                    id="briefing-unlocked",
                )
            with Horizontal(id="briefing-buttons"):
                yield Button(
                    "Start", id="start", variant="primary", action="screen.start", compact=True
                )
                yield Button(
                    "Your solutions", id="solutions", action="screen.solutions", compact=True
                )
                yield Button("Back", id="back", action="app.pop_screen", compact=True)
        yield Footer()

    def _title(self) -> Text:
        number = self.pack.levels.index(self.level) + 1
        title = Text(f"Level {number}: {self.level.file.title}", style="bold")
        title.append("\nTeaches: ", style="dim")
        title.append(", ".join(concept_titles(self.pack, self.level)))
        return title

    def action_start(self) -> None:
        ways(self).start_level(self.level)

    def action_solutions(self) -> None:
        ways(self).open_solutions(self.pack, self.level)
