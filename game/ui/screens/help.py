"""Every key the game answers to, read from the bindings themselves so it cannot drift.

The app hands the help its screens' key tables (`MillionsApp.key_tables`), in the order a
player meets the screens; the keys that work everywhere are the app's own bindings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

KeyTable = tuple[str, Sequence[Binding]]  # a screen's name in the player's words, its keys


class HelpScreen(Screen[None]):
    CSS_PATH = "help.tcss"
    SUB_TITLE = "Help"
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, tables: Sequence[KeyTable]) -> None:
        super().__init__()
        self.tables = tables

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="keys"):
            everywhere = [b.binding for b in self.active_bindings.values() if b.node is self.app]
            yield Static(self._table("Everywhere", everywhere), classes="keys")
            yield Static(
                self._table("Every screen", Binding.make_bindings(Screen.BINDINGS)), classes="keys"
            )
            for name, bindings in self.tables:
                yield Static(self._table(name, bindings), classes="keys")
        yield Footer()

    def _table(self, name: str, bindings: Iterable[Binding]) -> Table:
        """One row per action, with all the keys that run it."""
        keys: dict[tuple[str, str], list[str]] = {}
        for binding in bindings:
            what = binding.description or binding.action.rpartition(".")[2].replace("_", " ")
            keys.setdefault((binding.action, what), []).append(self.app.get_key_display(binding))
        table = Table(
            title=Text(name, style="bold"), title_justify="left", box=None, show_header=False
        )
        table.add_column(style="bold", min_width=10)
        table.add_column()
        for (_, what), shown in keys.items():
            table.add_row(Text(" / ".join(shown)), Text(what))
        return table
