"""The title screen: the game's name, a rising rack of servers and the main menu."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

ART = r"""
                                    [::::]
                            [::::]  [::::]
                    [::::]  [::::]  [::::]
            [::::]  [::::]  [::::]  [::::]
    [::::]  [::::]  [::::]  [::::]  [::::]
  ==========================================
      1      100     10k    100k      1M  users
"""


class TitleScreen(Screen[None]):
    """The first screen; its menu entries are the app's actions of the same names."""

    CSS_PATH = "title.tcss"
    SUB_TITLE = "Title"
    BINDINGS = [
        Binding("c", "app.campaign", "Campaign"),
        Binding("x", "app.codex", "Codex"),
        Binding("s", "app.settings", "Settings"),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            with Center():
                yield Static(Text(ART.strip("\n")), id="art")
            yield Static(Text("Zero to Millions"), id="name")
            yield Static(Text("Keep a web site up from its first user to millions."), id="tagline")
            with Center():
                yield OptionList(
                    Option(Text("Continue  (no saved game yet)"), id="continue", disabled=True),
                    Option("Campaign", id="campaign"),
                    Option("Codex", id="codex"),
                    Option("Settings", id="settings"),
                    Option("Quit", id="quit"),
                    id="menu",
                )
        yield Footer()

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            await self.app.run_action(event.option.id)
