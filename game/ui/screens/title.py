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
        Binding("n", "app.continue", "Continue"),
        Binding("c", "app.campaign", "Campaign"),
        Binding("x", "app.codex", "Codex"),
        Binding("b", "app.sandbox", "Sandbox"),
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
                    Option(Text("Continue"), id="continue"),
                    Option("Campaign", id="campaign"),
                    Option("Codex", id="codex"),
                    Option("Sandbox", id="sandbox"),
                    Option("Settings", id="settings"),
                    Option("Quit", id="quit"),
                    id="menu",
                )
        yield Footer()

    def on_mount(self) -> None:
        self.on_screen_resume()

    def on_screen_resume(self) -> None:
        """Say what Continue would open: the level left unfinished, or that there is none."""
        found = self.app.campaign.unfinished()
        menu = self.query_one("#menu", OptionList)
        if found is None:
            menu.replace_option_prompt("continue", Text("Continue  (nothing unfinished)"))
            menu.disable_option("continue")
        else:
            pack, level, run = found
            name = level.file.title.split(":")[0]  # "Launch day: one box..." -> "Launch day"
            prompt = Text(f"Continue  {name}, tick {run.tick}")
            menu.replace_option_prompt("continue", prompt)
            menu.enable_option("continue")
        if menu.highlighted is None or menu.options[menu.highlighted].disabled:
            menu.highlighted = next(i for i, o in enumerate(menu.options) if not o.disabled)

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            await self.app.run_action(event.option.id)
