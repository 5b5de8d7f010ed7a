"""Buttons to add components, with their keys, and the size new components get.

    add +web 1 +balancer 0.5 +primary 1.8 +replica 1.8 +cache 1.6 +CDN 3
    size S M L XL   replica: a replica copies a primary: add a database primary first

Each add shows what it costs per tick at the chosen size (its tooltip says it in full, with
when it serves); a kind the level has not unlocked shows no price, and a kind the engine does
not offer at all (a message queue and workers, where no request carries a job) no button.
The buttons are the play screen's key table (`game.ui.keys`): the underlined letter of each is
its key, and 1-4 pick the size. A button asks for exactly what its key does: pressing it posts
`BuildBar.Pressed(action)` with its key's action, which the screen runs as it runs the key. The
bar binds no key itself, so a key does the same whichever button has focus.

Feed it with `show(adds, size)`: the priced adds on offer (`game.engine.view.add_moves`) and
the size chosen. An add the engine would refuse now is drawn dimmed with the engine's reason as
its tooltip, and beside the sizes when the level offers it; pressing it still asks, and the
screen shows the refusal. The bar takes two lines: adds, then sizes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Static

from game.engine.view import MovePreview
from game.ui import numbers
from game.ui.keys import ADD_KEYS, SIZE_KEYS, add_move
from game.ui.words import KIND_SHORT, priced

KEY_STYLE = Style(underline=True, bold=True)


def hotkey_label(word: str, key: str, prefix: str = "+") -> Text:
    """`word` with the first occurrence of `key` underlined (case-insensitive)."""
    text = Text(prefix + word)
    at = word.lower().find(key.lower())
    if at >= 0:
        text.stylize(KEY_STYLE, len(prefix) + at, len(prefix) + at + 1)
    return text


class BuildBar(Widget):
    """Add components: one button per kind, and the size they are added at."""

    DEFAULT_CSS = Path(__file__).with_name("build_bar.tcss").read_text(encoding="utf-8")

    @dataclass
    class Pressed(Message):
        """A button was pressed: run `action`, the play screen's action of its key."""

        action: str

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.adds: tuple[MovePreview, ...] = ()
        self.add_size = "S"

    def compose(self) -> ComposeResult:
        with Horizontal(id="build-adds"):
            yield Static("add", classes="build-label")
            for kind, key in ADD_KEYS.items():
                label = hotkey_label(KIND_SHORT[kind], key.key)
                yield Button(label, id=f"add-{kind}", compact=True)
        with Horizontal(id="build-sizes"):
            yield Static("size", classes="build-label")
            for size, key in SIZE_KEYS.items():
                yield Button(Text(size), id=f"size-{size}", compact=True, tooltip=f"key {key.key}")
            yield Static(id="build-why", markup=False)

    def on_mount(self) -> None:
        self._refresh_buttons()

    def show(self, adds: Sequence[MovePreview], size: str) -> None:
        """The adds on offer, priced and judged by the engine, and the size chosen."""
        adds = tuple(adds)
        if adds == self.adds and size == self.add_size:
            return
        self.adds, self.add_size = adds, size
        self._refresh_buttons()

    def refusal(self, kind: str) -> str:
        """Why the engine would refuse the add the button for `kind` asks for ("" if not)."""
        move = add_move(self.adds, kind, self.add_size)
        return "not on offer" if move is None else move.refusal

    def _refresh_buttons(self) -> None:
        if not self.is_mounted:
            return
        reasons: dict[str, None] = {}
        for kind, key in ADD_KEYS.items():
            button = self.query_one(f"#add-{kind}", Button)
            move = add_move(self.adds, kind, self.add_size)
            why = self.refusal(kind)
            button.set_class(bool(why), "-refused")
            label = hotkey_label(KIND_SHORT[kind], key.key)
            button.display = move is not None  # a queue and workers where requests carry jobs
            if move is None:
                button.tooltip = why
            elif move.locked:
                button.tooltip = move.refusal  # no price: it is not on offer in this level
            else:
                label.append(f" {numbers.money(move.cost_change)}")
                button.tooltip = priced(move)
                if why:
                    reasons[f"{KIND_SHORT[kind]}: {why}"] = None
            button.label = label
        self.query_one("#build-why", Static).update(Text(" · ".join(reasons)))
        for size in SIZE_KEYS:
            self.query_one(f"#size-{size}", Button).set_class(size == self.add_size, "-selected")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        if button_id.startswith("add-"):
            self.post_message(self.Pressed(ADD_KEYS[button_id.removeprefix("add-")].action))
        elif button_id.startswith("size-"):
            self.post_message(self.Pressed(SIZE_KEYS[button_id.removeprefix("size-")].action))
