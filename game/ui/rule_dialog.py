"""The dialog that sets a pool's scale rule: its six numbers, its price, and why the engine would
refuse it, before it is set.

    Scale rule: web servers
    add a server of size  [S ▾]      when utilization stays above  [80] %
    for                   [10] s     up to                         [8] servers
    remove the newest below [30] % (0: never), keeping at least    [1]
    each server it adds +1/tick, serves 30 s after
    [Set rule]  [Cancel]

It answers the rule (a ScaleRule) or None if cancelled; the inspector that asks turns the
answer into a move. The price is the engine's preview of the rule offered, for the size chosen
read from the catalog; a rule the engine would refuse says why and cannot be set.
"""

from __future__ import annotations

import dataclasses

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from game.engine import catalog
from game.engine.actions import ScaleRule
from game.engine.autoscale import rule_problem
from game.engine.view import MovePreview
from game.ui import words

# The rule's numbers, in the order asked: field, words before, words after.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("above", "add a server when utilization stays above", "%"),
    ("for_s", "for", "s"),
    ("most", "up to", "servers"),
    ("below", "remove the newest below (0: never)", "%"),
    ("least", "keeping at least", "servers"),
)


class RuleDialog(ModalScreen["ScaleRule | None"]):
    """Set (or change) the scale rule of one pool."""

    DEFAULT_CSS = """
    RuleDialog { align: center middle; }
    #rule { width: 64; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
            border: thick $primary; background: $surface; }
    #rule-title { text-style: bold; }
    #rule-grid { grid-size: 3; grid-columns: 1fr 8 9; grid-rows: 1; height: auto;
                 grid-gutter: 0 1; }
    #rule-grid Input, #rule-grid Select { width: 100%; }
    #rule-price { color: $text-muted; }
    #rule-why { color: $error; }
    #rule-buttons { height: auto; }
    #rule-buttons Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, move: MovePreview) -> None:
        super().__init__()
        self.move = move
        self.kind = move.action.kind
        self.start = move.action.rule or ScaleRule()

    def compose(self) -> ComposeResult:
        pool = words.RULE_POOL.get(self.kind, self.kind)
        sizes = catalog.KINDS[self.kind].sizes
        with Vertical(id="rule"):
            yield Static(Text(f"Scale rule: {pool}"), id="rule-title")
            with Grid(id="rule-grid"):
                yield Static("size of the server it adds")
                yield Select(
                    [(size, size) for size in sizes],
                    value=self.start.size,
                    allow_blank=False,
                    compact=True,
                    id="rule-size",
                )
                yield Static("")
                for name, before, after in FIELDS:
                    yield Static(Text(before))
                    value = str(getattr(self.start, name))
                    yield Input(value, type="integer", compact=True, id=f"rule-{name}")
                    yield Static(Text(after))
            yield Static(id="rule-price")
            yield Static(id="rule-why")
            with Horizontal(id="rule-buttons"):
                yield Button("Set rule", id="rule-set", variant="primary", compact=True)
                yield Button("Cancel", id="rule-cancel", compact=True)

    def on_mount(self) -> None:
        self._check()
        self.query_one("#rule-above", Input).focus()

    # -- the rule as typed ----------------------------------------------------------------------

    def rule(self) -> ScaleRule | None:
        """The rule the fields say, or None while one is not a whole number."""
        numbers = {}
        for name, _, _ in FIELDS:
            text = self.query_one(f"#rule-{name}", Input).value.strip()
            try:
                numbers[name] = int(text)
            except ValueError:
                return None
        size = self.query_one("#rule-size", Select).value
        return ScaleRule(size=str(size), **numbers)

    def problem(self) -> str:
        """Why the engine would refuse the rule as typed ("" if it would not)."""
        rule = self.rule()
        if rule is None:
            return "each number is a whole number"
        if self.move.refusal and self.move.locked:
            return self.move.refusal
        return rule_problem(self.kind, rule)

    def _check(self) -> None:
        problem = self.problem()
        self.query_one("#rule-why", Static).update(Text(problem))
        self.query_one("#rule-set", Button).disabled = bool(problem)
        rule = self.rule()
        size = rule.size if rule is not None else self.start.size
        each = catalog.KINDS[self.kind].sizes[size].cost
        priced = dataclasses.replace(self.move, each_added=each)
        self.query_one("#rule-price", Static).update(Text(words.price(priced)))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.is_mounted:
            self._check()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self.is_mounted:
            self._check()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "rule-set":
            self._answer()
        else:
            self.dismiss(None)

    def _answer(self) -> None:
        if not self.problem():
            self.dismiss(self.rule())

    def action_cancel(self) -> None:
        self.dismiss(None)
