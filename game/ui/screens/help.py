"""Every key the game answers to, read from the bindings themselves so it cannot drift, and a
legend of every glyph and colour the play screen draws.

The app hands the help its screens' key tables (`MillionsApp.key_tables`), in the order a
player meets the screens; the keys that work everywhere are the app's own bindings. The play
screen's table is followed by the map's keys (`ArchitectureMap.BINDINGS`); an add key is said
as the move it makes ("add a web server"). The legend reads the looks of `states` and the
map's own arrows, so it draws exactly what the map draws.
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

from game.engine.datacenters import UP, DatacenterView
from game.ui.keys import ADD_KEYS
from game.ui.widgets import datacenter_column, states
from game.ui.widgets.architecture_map import RULED, ArchitectureMap
from game.ui.widgets.session_column import HELD, STICKY, signed_out_line
from game.ui.words import a_kind

KeyTable = tuple[str, Sequence[Binding]]  # a screen's name in the player's words, its keys

PLAY = "Play"
MAP = "Play: the map"
LEGEND = "What the map shows"
RULES = "Scale rules"

# Where a scale rule is set, and what it does, in a player's words.
RULE_ROWS: tuple[tuple[str, str], ...] = (
    (
        "set a rule…",
        "select a web server (or a read replica) and set its pool's rule in the"
        " inspector, where the level unlocks rules",
    ),
    (
        "the rule",
        "add a server above a utilization for some seconds, up to a most; remove the"
        " newest below a lower one, keeping a floor",
    ),
    ("rule", "in the log: a server the rule added or removed, and why"),
    (
        "lag",
        "a rule acts only after its seconds above the line, and its server serves only"
        " once it has booted: set the line low enough to be early",
    ),
)

# What each look means, in a player's words.
LOOK_MEANS = {
    states.BOOTING_LOOK: "booting: added, resized or repairing, serves nothing yet",
    states.HEALTHY_LOOK: "healthy: serving with room to spare",
    states.BUSY_LOOK: f"busy: its tier at {states.BUSY_AT:.0%} or more",
    states.OVERLOADED_LOOK: "overloaded: work arrives faster than it is done; requests queue",
    states.FAILED_LOOK: "failed: down until it is repaired or replaced",
}
_ADD_WORDS = {key.action: f"add {a_kind(kind)}" for kind, key in ADD_KEYS.items()}


def legend_rows() -> list[tuple[Text, Text]]:
    """(what is drawn, what it means) for every glyph and colour of the map and the pools."""
    rows = [(states.glyph(look), Text(LOOK_MEANS[look])) for look in states.LOOKS]
    bar = states.load_bar(0.5, 4)
    rows += [
        (bar, Text("load bar: the share of its tier's capacity in use, coloured as above")),
        (states.load_bar(None, 4), Text("dimmed bar: takes no traffic (idle, booting or down)")),
        (
            Text("web-2", style=states.name_style(states.BUSY_LOOK)),
            Text("a name in colour: needs a look"),
        ),
        (Text("─80/s─▶"), Text("requests per second reaching the next tier this tick")),
        (Text("└▶DNS"), Text("users find the site through DNS")),
        (Text("↳"), Text("the flow goes on from the line above (a narrow screen)")),
        (
            Text("web ×12 ●10 ◌1 ✖1"),
            Text("a large pool on one line: how many, and how many in each state"),
        ),
        (Text(f"web 57%{RULED}"), Text("a scale rule runs this pool: it adds and removes servers")),
        (Text(STICKY), Text("users' sessions live in the web servers: losing one signs its out")),
        (Text(HELD), Text("a session store holds the sessions: any web server can answer")),
        (signed_out_line(0.25), Text("users whose session was lost, failing until they sign in")),
        (
            datacenter_column.line(DatacenterView("eu", "", UP, 0.4, 35.0)),
            Text("a data centre: its state, its region's round trip, its share of the users"),
        ),
        (Text("o * + ! x"), Text("the same states on a terminal without these symbols")),
    ]
    return rows


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
                if name == PLAY:
                    map_keys = Binding.make_bindings(ArchitectureMap.BINDINGS)
                    yield Static(self._table(MAP, map_keys), classes="keys")
                    yield Static(self._legend(), classes="keys", id="legend")
                    yield Static(self._rules(), classes="keys", id="help-rules")
        yield Footer()

    def _table(self, name: str, bindings: Iterable[Binding]) -> Table:
        """One row per action, with all the keys that run it."""
        keys: dict[tuple[str, str], list[str]] = {}
        for binding in bindings:
            what = _ADD_WORDS.get(binding.action) or binding.description
            what = what or binding.action.rpartition(".")[2].replace("_", " ")
            keys.setdefault((binding.action, what), []).append(self.app.get_key_display(binding))
        table = _titled(name)
        for (_, what), shown in keys.items():
            table.add_row(Text(" / ".join(shown)), Text(what))
        return table

    def _rules(self) -> Table:
        table = _titled(RULES)
        for shown, means in RULE_ROWS:
            table.add_row(Text(shown), Text(means))
        return table

    def _legend(self) -> Table:
        table = _titled(LEGEND)
        for shown, means in legend_rows():
            table.add_row(shown, means)
        return table


def _titled(name: str) -> Table:
    table = Table(title=Text(name, style="bold"), title_justify="left", box=None, show_header=False)
    table.add_column(style="bold", min_width=10, no_wrap=True)
    table.add_column()
    return table
