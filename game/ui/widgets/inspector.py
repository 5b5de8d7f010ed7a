"""The selected component: what it is, how its tier is doing, and the moves on offer for it.

    Web server  web-2
    size M · serves 175 requests/s · costs 2/tick
    ◐ busy · up since the start
    web tier: 4 serving · 81% utilization · 0 queued · 0/s timed out
    latency p50 61 ms · p95 64 ms · p99 70 ms
    rule: add S above 80% for 10 s, up to 8; remove below 30%, at least 1 · above for 4 s
    resize to · down 30 s
    [S · -1/tick] [L · +2/tick] [XL · +6/tick]
    [remove]
    scale rule
    [change rule…] [clear rule]

Everything it says comes from the engine's view: the component (`NodeView`: its state, what it
serves now and when up, what it costs), its tier's report, the site's settings, and the moves
on offer, priced (`MovePreview`, from `game.engine.view.node_moves`). A move the engine would
refuse now is drawn dimmed, with the engine's reason as its tooltip and under the rows; pressing
it still asks. A move's price is on its button (cost per tick) and its row (what it takes down,
for how long), and in full in its tooltip: "Resize db-1 to XL · +7.2/tick · database down 60 s".

The buttons post `ActionRequested(action)` with the move as the view offers it (tick 0: the
screen stamps the tick); the inspector never applies a move. A pool's scale rule (where the
level unlocks rules) is asked for first in the rule dialog, starting from the rule offered.
Feed it with `show(node, view, moves)`; `show(None, view, ())` clears it. The buttons are
rebuilt only when the moves on offer change (a refusal that comes and goes only dims one), so
a running clock keeps focus.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.widget import Widget
from textual.widgets import Button, Static

from game.engine import catalog
from game.engine.actions import Action, ScaleRule
from game.engine.autoscale import RuleState
from game.engine.report import TierReport
from game.engine.topology import BOOTING, DATA_KINDS, FAILED, HEALTHY
from game.engine.view import MovePreview, NodeView, SiteView
from game.ui import numbers, words
from game.ui.rule_dialog import RuleDialog
from game.ui.widgets import datacenter_column, job_column, session_column, states
from game.ui.widgets.action_request import ActionRequested

TITLE_STYLE = Style(bold=True)
NOTE_STYLE = Style(dim=True)
NOTHING_SELECTED = "nothing selected"
HOW_TO_SELECT = "pick a component on the map: click it, or arrows and enter"

# The rows of buttons, top to bottom, with the words before each and the verbs they hold.
ROWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("resize", "resize to", ("resize",)),
    ("moves", "", ("remove", "promote")),
    ("settings", "", ("configure",)),
    ("rule", "scale rule", ("rule",)),
)


class _Choices(Widget):
    """A row of buttons that wraps onto as many lines as the width needs: rebuilt when the moves
    change (keeping the focus where it was), dimmed in place when refusals do."""

    GAP = 1  # columns between two buttons

    def __init__(self, label: str, *, id: str) -> None:
        super().__init__(id=id, classes="choices")
        self.row_label = self.label = label
        self.moves: tuple[MovePreview, ...] = ()
        self.buttons: tuple[tuple[str, str], ...] = ()
        """(id, label) of each button."""
        self._shape = (0, "")  # the grid's columns as last set: how many, and their widths

    def compose(self) -> ComposeResult:
        self.set_class(not self.buttons, "-empty")
        if self.label:
            yield Static(Text(self.label), classes="choices-label", markup=False)
        with Grid(classes="choices-grid"):
            for (button_id, text), move in zip(self.buttons, self.moves, strict=True):
                button = Button(Text(text), id=button_id, compact=True, tooltip=_tip(move))
                button.set_class(bool(move.refusal), "-refused")
                yield button

    def show(self, moves: tuple[MovePreview, ...], labels: tuple[str, ...], note: str = "") -> None:
        """The row's moves and their buttons' words; `note` follows the row's label."""
        self.moves = moves
        buttons = tuple(zip((words.move_id(m.action) for m in moves), labels, strict=True))
        label = " · ".join(part for part in (self.row_label, note) if part)
        if buttons != self.buttons or label != self.label:
            self.buttons, self.label = buttons, label
            if self.is_mounted:
                self.call_later(self._rebuild, self._focused_at())
            return
        for button, move in zip(self.query(Button), moves, strict=False):
            if button.has_class("-refused") != bool(move.refusal):
                button.set_class(bool(move.refusal), "-refused")
            if button.tooltip != _tip(move):
                button.tooltip = _tip(move)

    def _focused_at(self) -> tuple[str, int] | None:
        """The id and place of the focused button in this row, if one has focus."""
        focused = self.screen.focused if self.is_attached else None
        buttons = list(self.query(Button))
        if focused in buttons:
            return focused.id or "", buttons.index(focused)
        return None

    async def _rebuild(self, focused: tuple[str, int] | None) -> None:
        await self.recompose()
        self._shape = (0, "")  # a new grid: its columns are set afresh
        self._fit()
        buttons = list(self.query(Button))
        if focused is None or not buttons:
            return
        button_id, index = focused
        same = [b for b in buttons if b.id == button_id]
        (same[0] if same else buttons[min(index, len(buttons) - 1)]).focus(scroll_visible=False)

    def on_mount(self) -> None:
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """As many equal columns as the widest button allows at this width."""
        if not self.buttons or not self.size.width:
            return
        widest = max(len(text) for _, text in self.buttons) + 2  # a compact button's padding
        columns = max(1, (self.size.width + self.GAP) // (widest + self.GAP))
        grid = self.query_one(".choices-grid", Grid)
        columns = min(columns, len(self.buttons))
        # One column takes the row's width (a button may fill it); more take their words'.
        widths = "1fr" if columns == 1 else "auto"
        if (columns, widths) != self._shape:
            self._shape = (columns, widths)
            grid.styles.grid_size_columns = columns
            grid.styles.grid_columns = widths


def _tip(move: MovePreview) -> str:
    """A button's tooltip: the engine's reason for a refusal, or the move and its full price."""
    return move.refusal or words.priced(move)


class Inspector(Widget):
    """One component and the moves a player can ask for on it. Once a move has focus the arrow
    keys go from move to move, as Tab does (a player reads the buttons as a list)."""

    DEFAULT_CSS = Path(__file__).with_name("inspector.tcss").read_text(encoding="utf-8")
    BINDINGS = [
        Binding("down,right", "step_focus(1)", "Next move", show=False),
        Binding("up,left", "step_focus(-1)", "Previous move", show=False),
    ]

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
        self._title = Text(NOTHING_SELECTED, style=NOTE_STYLE)
        self._facts = Text(HOW_TO_SELECT)
        self._moves: tuple[MovePreview, ...] = ()
        self._labels: tuple[str, ...] = ()
        self._why = ""

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="inspector-title", markup=False)
        yield Static(self._facts, id="inspector-facts", markup=False)
        for row, label, _ in ROWS:
            yield _Choices(label, id=f"inspector-{row}")
        yield Static(id="inspector-why", markup=False)

    def on_mount(self) -> None:
        self._draw_rows()

    # -- feeding it ---------------------------------------------------------------------------

    def show(
        self, node: NodeView | None, view: SiteView, moves: Sequence[MovePreview] = ()
    ) -> None:
        """Show `node` (None clears) as the view has it, with the moves on offer for it."""
        if node is None:
            self.node_id = None
            self._title = Text(NOTHING_SELECTED, style=NOTE_STYLE)
            self._facts = Text(HOW_TO_SELECT)
            self._moves, self._labels = (), ()
        else:
            self.node_id = node.id
            title = words.kind_title(node.kind)
            if node.kind in DATA_KINDS and view.settings.store == "keyvalue":
                title = f"{words.KEYVALUE_TIER.capitalize()} node"
            elif node.kind == "box" and not view.store_on_box:  # its database has moved out
                title = "Web server (the first box)"
            self._title = Text.assemble((title, TITLE_STYLE), "  ", (node.id, TITLE_STYLE))
            self._facts = self._describe(node, view)
            self._moves = tuple(moves)
            self._labels = tuple(words.label(move, view) for move in self._moves)
        if self.is_mounted:
            self.query_one("#inspector-title", Static).update(self._title)
            self.query_one("#inspector-facts", Static).update(self._facts)
            self._draw_rows()

    def _draw_rows(self) -> None:
        for row, _, verbs in ROWS:
            shown = [i for i, m in enumerate(self._moves) if m.action.verb in verbs]
            moves = tuple(self._moves[i] for i in shown)
            # A resize restarts the component whatever the size: its downtime is said once.
            downtimes = {words.downtime(m, named=False) for m in moves if m.action.verb == "resize"}
            note = downtimes.pop() if len(downtimes) == 1 else ""
            self.query_one(f"#inspector-{row}", _Choices).show(
                moves, tuple(self._labels[i] for i in shown), note
            )
        why = self.refusals
        self.query_one("#inspector-why", Static).update(Text(why), layout=why != self._why)
        self._why = why

    @property
    def refusals(self) -> str:
        """Why the dimmed moves are dimmed, as the engine says it: each reason once."""
        reasons = dict.fromkeys(m.refusal for m in self._moves if m.refusal)
        return "\n".join(f"dimmed: {reason}" for reason in reasons)

    @property
    def moves(self) -> tuple[MovePreview, ...]:
        """Every move on show, in the order of the rows."""
        return tuple(m for _, _, verbs in ROWS for m in self._moves if m.action.verb in verbs)

    def action_for(self, button_id: str) -> Action | None:
        """The move the button `button_id` asks for (as offered: tick 0)."""
        return next((m.action for m in self._moves if words.move_id(m.action) == button_id), None)

    @property
    def facts(self) -> Text:
        return self._facts

    def action_step_focus(self, by: int) -> None:
        buttons = [b for b in self.query(Button) if b.focusable]
        if self.screen.focused in buttons:
            at = buttons.index(self.screen.focused)
            buttons[(at + by) % len(buttons)].focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action = self.action_for(event.button.id or "")
        if action is not None and action.verb == "rule" and action.rule is not None:
            self.ask_rule(next(m for m in self._moves if m.action == action))
        elif action is not None:
            self.post_message(ActionRequested(action))

    def ask_pool_rule(
        self, moves: Sequence[MovePreview], view: SiteView, selected: str | None
    ) -> None:
        """The rule key: ask for the scale rule of the pool selected (a web server or a replica
        selected), else of the web servers, among `moves`; where there is none, say why."""
        node = view.node(selected) if selected is not None else None
        kind = node.kind if node is not None and node.kind in catalog.RULE_POOLS else "web"
        rules = [m for m in moves if m.action.verb == "rule" and m.action.rule is not None]
        move = next((m for m in rules if m.action.kind == kind), None)
        if move is not None:
            self.ask_rule(move)
            return
        pool = words.RULE_POOL.get(kind, kind)
        why = (
            f"A scale rule runs a pool of {pool}: this site has none yet."
            if rules
            else ("This level does not let you set scale rules.")
        )
        self.notify(why, title="Scale rule", severity="warning", markup=False)

    def ask_rule(self, move: MovePreview) -> None:
        """Ask for the pool's rule (the one offered to start from); set it as a move."""

        def answered(rule: ScaleRule | None) -> None:
            if rule is not None:
                self.post_message(ActionRequested(dataclasses.replace(move.action, rule=rule)))

        self.app.push_screen(RuleDialog(move), answered)

    # -- words --------------------------------------------------------------------------------

    def _describe(self, node: NodeView, view: SiteView) -> Text:
        text = self._serves(node, view)
        text.append("\n")
        look = states.node_look(node.state, node.utilization)
        text.append_text(states.glyph(look, self.ascii))
        if node.state == BOOTING:
            text.append(f" booting, up at {numbers.clock(node.until)}")
        elif node.state == FAILED:
            since, until = numbers.clock(node.since), numbers.clock(node.until)
            text.append(f" failed at {since}, back at {until}")
        else:
            since = "the start" if node.since <= 0 else numbers.clock(node.since)
            text.append(f" {look} · up since {since}")
        if node.warming:
            text.append(" · warming up, its hit ratio still low")
        text.append("\n")
        tier = view.tiers.get(node.tier) if node.tier is not None else None
        jobs = job_column.describe(node.kind, view)  # a queue or a worker: the jobs
        text.append_text(Text("\n").join(jobs) if jobs else self._tier(node, tier))
        lines = (*session_column.describe(node.kind, view), *datacenter_column.describe(node, view))
        for line in lines:  # a session store: what it holds; a data centre: whom it serves
            text.append("\n")
            text.append_text(line)
        settings, report = view.settings, view.report
        if node.kind == "cache":
            text.append("\n")
            if report is not None and report.cache_hit_ratio is not None:
                text.append(f"hit ratio {numbers.percent(report.cache_hit_ratio)} · ")
            text.append(f"TTL {words.seconds(settings.ttl_s)}")
            text.append(f" · {words.SETTING['eviction']} {words.value_words(settings.eviction)}")
            invalidate = words.value_words(settings.invalidate_on_write)
            text.append(f" · {words.SETTING['invalidate_on_write']}: {invalidate}")
        elif node.kind == "balancer":
            text.append(f"\nalgorithm: {words.value_words(settings.balancer)}")
        elif node.kind in ("primary", "replica"):
            text.append(f"\nstore: {words.value_words(settings.store)}")
            if report is not None and report.replica_lag_s is not None:
                text.append(f" · replica lag {report.replica_lag_s:.1f} s")
            if node.kind == "primary" and (node.shards > 1 or node.resharding_until is not None):
                text.append("\n")
                text.append_text(shard_line(node))
        rule = view.rule(node.kind)
        if rule is not None:
            text.append("\n")
            text.append_text(_rule_line(rule, view.tick))
        return text

    def _serves(self, node: NodeView, view: SiteView) -> Text:
        """What it serves now (and when up), what it costs, what it holds."""
        text = Text()
        sizes = catalog.KINDS[node.kind].sizes
        if len(sizes) > 1:
            text.append(f"size {node.size} · ")
        unit = words.UNIT.get(node.unit, "")
        if node.kind in DATA_KINDS and view.settings.store == "keyvalue":
            # A key-value store answers lookups: one query unit each, a write a few.
            unit = f"lookups/s (a write counts {catalog.WRITE_UNITS / catalog.READ_UNITS:g})"
        if not node.unit:
            text.append("no capacity limit · ")
        elif node.capacity > 0 and node.kind == "box" and view.store_on_box:
            # While the database lives on the box, each request also costs database work: the
            # engine gives the rate the box completes with both.
            web_alone = sizes[node.size].capacity
            text.append(f"serves {numbers.compact(node.capacity)} {unit} with its database")
            text.append(f" (web alone {numbers.compact(web_alone)}) · ")
        elif node.capacity > 0:
            text.append(f"serves {numbers.compact(node.capacity)} {unit} · ")
        elif node.state == HEALTHY and view.dns_target is not None and node.kind in ("box", "web"):
            text.append(f"idle: DNS sends everyone to {view.dns_target}", style=NOTE_STYLE)
            text.append(f" · can serve {numbers.compact(node.full_capacity)} {unit} · ")
        else:
            text.append("serves nothing now", style=NOTE_STYLE)
            text.append(f" · up to {numbers.compact(node.full_capacity)} {unit}")
            if node.kind == "box" and view.store_on_box:
                text.append(", less with its database")
            text.append(" · ")
        text.append(f"costs {numbers.money(node.cost)}/tick")
        if node.keys is not None and node.kind == "cache":
            text.append(f" · holds {numbers.compact(node.keys)} keys")
        return text

    def _tier(self, node: NodeView, tier: TierReport | None) -> Text:
        text = Text()
        if tier is None:
            if node.unit:
                text.append("its tier served nothing this tick", style=NOTE_STYLE)
            else:
                text.append("not a queue: it passes requests on", style=NOTE_STYLE)
            return text
        name = words.TIER.get(tier.name, tier.name)
        if not tier.servers:
            text.append(f"{name}: no server is taking traffic", style=NOTE_STYLE)
            return text
        text.append(f"{name}: {tier.servers} serving · ")
        text.append(f"{numbers.percent(tier.utilization)} utilization", style=TITLE_STYLE)
        text.append(f" · {numbers.compact(tier.queued)} queued")
        text.append(f" · {numbers.rate(tier.dropped)} timed out\n")
        text.append("latency ")
        text.append(
            " · ".join(f"p{q} {numbers.millis(tier.percentile_ms(q / 100))}" for q in (50, 95, 99))
        )
        return text


def shard_line(node: NodeView) -> Text:
    """A sharded primary: "4 shards, each size S · load 92% hot, 41% 40% 40%", and a migration
    under way ("keys moving until 03:10")."""
    text = Text(f"{words.shards_words(node.shards)}, each size {node.size}")
    loads = node.shard_loads
    if loads:
        text.append(" · load ")
        text.append(f"{numbers.percent(loads[0])} hot", style=TITLE_STYLE)
        if len(loads) > 1:
            text.append(", " + " ".join(numbers.percent(x) for x in loads[1:]))
    if node.resharding_until is not None:
        text.append(f" · keys moving until {numbers.clock(node.resharding_until)}")
    return text


def _rule_line(state: RuleState, tick: int) -> Text:
    """A pool's scale rule and where it stands: "rule: add S above 80% for 10 s, up to 8 ·
    above for 4 s" (or waiting for the server it added, or why its last move was refused)."""
    text = Text.assemble(("rule: ", TITLE_STYLE), state.rule.describe())
    if state.waits_until > tick:
        text.append(f" · waits until {numbers.clock(state.waits_until)}", style=NOTE_STYLE)
    elif state.above_s:
        text.append(f" · above for {state.above_s} s", style=NOTE_STYLE)
    elif state.below_s:
        text.append(f" · below for {state.below_s} s", style=NOTE_STYLE)
    if state.refused:
        text.append(f" · could not: {state.refused}", style=NOTE_STYLE)
    return text
