"""The selected component: what it is, how its tier is doing, and the moves that apply to it.

    Web server  web-2
    size M · serves 175 requests/s · costs 2/tick
    ◐ busy since 0:00
    web tier: 4 serving · 81% utilization · 0 queued · 0/s timed out
    latency p50 61 ms · p95 64 ms · p99 70 ms
    resize to [S · 1/tick] [L · 4/tick] [XL · 8/tick]
    [remove]

The buttons post `ActionRequested(action)`; the inspector never applies a move, and it does
not pre-judge one either: the engine refuses what cannot be done and says why (the event log
shows it). Moves the level has not unlocked are drawn disabled.

Feed it with `show(node, report, settings=..., scenario=..., tick=...)`; `show(None, ...)`
clears it. `tick` is stamped on the actions it sends (the screen may restamp them); the
buttons are rebuilt only when the moves on offer change, so a running clock keeps focus.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Static

from game.engine import catalog
from game.engine.actions import Action
from game.engine.report import TickReport, TierReport
from game.engine.scenario import Scenario, Settings
from game.engine.topology import BOOTING, FAILED, Node
from game.ui.widgets import moves, numbers, states
from game.ui.widgets.action_request import ActionRequested
from game.ui.widgets.moves import ALGORITHM_WORDS, STORE_WORDS, Choice

TITLE_STYLE = Style(bold=True)
NOTE_STYLE = Style(dim=True)

# What one unit of a kind's capacity is, in the player's words.
CAPACITY_UNIT = {
    "box": "requests/s",
    "web": "requests/s",
    "primary": "query units/s",
    "replica": "query units/s",
    "cache": "lookups/s",
}

# The rows of buttons, top to bottom, with the words before each.
ROWS: tuple[tuple[str, str], ...] = (("resize", "resize to"), ("moves", ""), ("settings", ""))


class _Choices(Horizontal):
    """A row of buttons, rebuilt when the choices change."""

    choices: reactive[tuple[Choice, ...]] = reactive((), recompose=True)

    def __init__(self, choices: tuple[Choice, ...], label: str, *, id: str) -> None:
        super().__init__(id=id, classes="choices")
        self.label = label
        self.set_reactive(_Choices.choices, choices)

    def watch_choices(self) -> None:
        self.set_class(not self.choices, "-empty")

    def compose(self) -> ComposeResult:
        self.set_class(not self.choices, "-empty")
        if self.label:
            yield Static(Text(self.label), classes="choices-label", markup=False)
        for choice in self.choices:
            yield Button(
                Text(choice.label),
                id=choice.id,
                compact=True,
                disabled=not choice.enabled,
                tooltip=None if choice.enabled else "not unlocked in this level",
            )


class Inspector(Widget):
    """One component and the moves a player can ask for on it."""

    DEFAULT_CSS = Path(__file__).with_name("inspector.tcss").read_text(encoding="utf-8")

    ActionRequested = ActionRequested

    def __init__(
        self,
        *,
        ascii: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.ascii = ascii
        self.node_id: str | None = None
        self.tick = 0  # stamped on the actions the buttons ask for
        self._title = Text("nothing selected", style=NOTE_STYLE)
        self._facts = Text("pick a component on the map: click it, or arrows and enter")
        self._rows: dict[str, tuple[Choice, ...]] = {row: () for row, _ in ROWS}

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="inspector-title", markup=False)
        yield Static(self._facts, id="inspector-facts", markup=False)
        for row, label in ROWS:
            yield _Choices(self._rows[row], label, id=f"inspector-{row}")

    # -- feeding it ---------------------------------------------------------------------------

    def show(
        self,
        node: Node | None,
        report: TickReport | None,
        *,
        settings: Settings,
        scenario: Scenario,
        tick: int,
    ) -> None:
        """Show `node` (None clears) with the last tick's report and the site's settings.

        Buttons are rebuilt only when the moves on offer change, not on every tick."""
        self.tick = tick
        if node is None:
            self.node_id = None
            self._title = Text("nothing selected", style=NOTE_STYLE)
            self._facts = Text("pick a component on the map: click it, or arrows and enter")
            self._rows = {row: () for row, _ in ROWS}
        else:
            self.node_id = node.id
            tier = states.tier_of(node.kind, states.tiers_by_name(report))
            self._title = Text.assemble(
                (catalog.KINDS[node.kind].title, TITLE_STYLE), "  ", (node.id, TITLE_STYLE)
            )
            self._facts = self._describe(node, tier, report, settings)
            self._rows = {
                "resize": moves.resizes(node, scenario),
                "moves": moves.node_moves(node, scenario),
                "settings": moves.setting_choices(node, settings, scenario),
            }
        if self.is_mounted:
            self.query_one("#inspector-title", Static).update(self._title)
            self.query_one("#inspector-facts", Static).update(self._facts)
            for row, _ in ROWS:
                buttons = self.query_one(f"#inspector-{row}", _Choices)
                if buttons.choices != self._rows[row]:
                    buttons.choices = self._rows[row]

    @property
    def choices(self) -> tuple[Choice, ...]:
        """Every button on show, top row first."""
        return tuple(choice for row, _ in ROWS for choice in self._rows[row])

    def action_for(self, button_id: str) -> Action | None:
        """The move the button `button_id` asks for now (stamped with the current tick)."""
        for choice in self.choices:
            if choice.id == button_id:
                return dataclasses.replace(choice.action, tick=self.tick)
        return None

    @property
    def facts(self) -> Text:
        return self._facts

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action = self.action_for(event.button.id or "")
        if action is not None:
            self.post_message(ActionRequested(action))

    # -- words --------------------------------------------------------------------------------

    def _describe(
        self, node: Node, tier: TierReport | None, report: TickReport | None, settings: Settings
    ) -> Text:
        kind = catalog.KINDS[node.kind]
        spec = kind.sizes[node.size]
        text = Text()
        if len(kind.sizes) > 1:
            text.append(f"size {node.size} · ")
        unit = CAPACITY_UNIT.get(node.kind)
        shared = tier is not None and tier.servers and tier.capacity_rps < spec.capacity
        if unit is not None and node.kind == "box" and shared:
            # While the database lives on the box, each request also costs database work: the
            # engine reports the rate the box completes with both.
            text.append(f"serves {numbers.compact(tier.capacity_rps)} {unit} with its database")
            text.append(f" (web alone {numbers.compact(spec.capacity)}) · ")
        elif unit is not None:
            text.append(f"serves {numbers.compact(spec.capacity)} {unit} · ")
        else:
            text.append("no capacity limit · ")
        text.append(f"costs {numbers.money(spec.cost)}/tick")
        if node.kind == "cache":
            text.append(f" · holds {numbers.compact(kind.items[node.size])} keys")
        text.append("\n")

        util = tier.utilization if tier is not None and tier.servers else None
        look = states.node_look(node.state, util)
        text.append_text(states.glyph(look, self.ascii))
        if node.state == BOOTING:
            text.append(f" booting, up at {_clock(node.until)}")
        elif node.state == FAILED:
            text.append(f" failed at {_clock(node.since)}, back at {_clock(node.until)}")
        else:
            text.append(f" {look} since {_clock(node.since)}")
        text.append("\n")

        if tier is not None and not tier.servers:
            text.append(f"{tier.name} tier: no server is taking traffic", style=NOTE_STYLE)
        elif tier is not None:
            text.append(f"{tier.name} tier: {tier.servers} serving · ")
            text.append(f"{numbers.percent(tier.utilization)} utilization", style=TITLE_STYLE)
            text.append(f" · {numbers.compact(tier.queued)} queued")
            text.append(f" · {numbers.rate(tier.dropped)} timed out\n")
            text.append("latency ")
            text.append(
                " · ".join(
                    f"p{q} {numbers.millis(tier.percentile_ms(q / 100))}" for q in (50, 95, 99)
                )
            )
        elif states.has_tier(node.kind):
            text.append("its tier served nothing this tick", style=NOTE_STYLE)
        else:
            text.append("not a queue: it passes requests on", style=NOTE_STYLE)
        if node.kind == "cache":
            text.append("\n")
            if report is not None and report.cache_hit_ratio is not None:
                text.append(f"hit ratio {numbers.percent(report.cache_hit_ratio)} · ")
            text.append(f"TTL {settings.ttl_s:g} s · eviction {settings.eviction.upper()}")
            text.append(
                f" · invalidate on write: {'yes' if settings.invalidate_on_write else 'no'}"
            )
        elif node.kind == "balancer":
            text.append(f"\nalgorithm: {ALGORITHM_WORDS.get(settings.balancer, settings.balancer)}")
        elif node.kind in ("primary", "replica"):
            text.append(f"\nstore: {STORE_WORDS.get(settings.store, settings.store)}")
            if report is not None and report.replica_lag_s is not None:
                text.append(f" · replica lag {report.replica_lag_s:.1f} s")
        return text


def _clock(tick: int) -> str:
    minutes, seconds = divmod(max(tick, 0), 60)
    return f"{minutes}:{seconds:02d}"
