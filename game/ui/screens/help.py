"""Every key the game answers to, read from the bindings themselves so it cannot drift."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

import game.ui.screens

# The modules of the screens a player meets, in the order they meet them; any other screen
# module with key bindings follows in name order.
FLOW = ("title", "level_select", "briefing", "play", "results", "codex", "settings_screen", "help")


class HelpScreen(Screen[None]):
    CSS_PATH = "help.tcss"
    SUB_TITLE = "Help"
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="keys"):
            everywhere = [b.binding for b in self.active_bindings.values() if b.node is self.app]
            yield Static(self._table("Everywhere", everywhere), classes="keys")
            yield Static(
                self._table("Every screen", Binding.make_bindings(Screen.BINDINGS)), classes="keys"
            )
            for screen in self._screens():
                name = screen.SUB_TITLE or screen.__name__.removesuffix("Screen")
                bindings = Binding.make_bindings(screen.BINDINGS)
                yield Static(self._table(name, bindings), classes="keys")
        yield Footer()

    def _screens(self) -> list[type[Screen]]:
        """Every screen class in game.ui.screens that has key bindings of its own."""
        names = sorted(
            (m.name for m in pkgutil.iter_modules(game.ui.screens.__path__)),
            key=lambda name: (FLOW.index(name) if name in FLOW else len(FLOW), name),
        )
        screens = []
        for name in names:
            try:
                module = importlib.import_module(f"game.ui.screens.{name}")
            except ImportError:  # a screen still being built has no keys to list yet
                continue
            screens.extend(
                value
                for value in vars(module).values()
                if isinstance(value, type)
                and issubclass(value, Screen)
                and value.__module__ == module.__name__
                and value.__dict__.get("BINDINGS")
            )
        return screens

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
