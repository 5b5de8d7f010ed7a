"""Buttons to add components, with their keys, and the size new components get.

    add +web +balancer +primary +replica +cache +CDN   size S M L XL

The underlined letter of each button is its key (w b p r c d), and 1-4 pick the size. The keys
work while the bar has focus; a screen that wants them everywhere binds `KEYS` / `SIZE_KEYS`
itself and calls `request_add(kind)` / `select_size(size)`. Kinds the level has not unlocked
are drawn disabled, and so is a kind that does not come in the chosen size (cache has no XL).
Pressing a button posts `ActionRequested(Action(tick, "add", kind=..., size=...))`; the bar
never applies it. Feed it with `show(scenario, tick)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Static

from game.engine import catalog
from game.engine.actions import Action
from game.engine.scenario import ADDABLE, Scenario
from game.ui.widgets.action_request import ActionRequested

# Component kind -> (label, key). The key is a letter of the label, drawn underlined.
KEYS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "web": ("web", "w"),
        "balancer": ("balancer", "b"),
        "primary": ("primary", "p"),
        "replica": ("replica", "r"),
        "cache": ("cache", "c"),
        "cdn": ("CDN", "d"),
    }
)
SIZE_KEYS: Mapping[str, str] = MappingProxyType(
    {size: str(number) for number, size in enumerate(catalog.SIZES, start=1)}
)
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

    BINDINGS = [
        *(
            Binding(key, f"add('{kind}')", f"add {label}", show=False)
            for kind, (label, key) in KEYS.items()
        ),
        *(
            Binding(key, f"size('{size}')", f"size {size}", show=False)
            for size, key in SIZE_KEYS.items()
        ),
    ]

    ActionRequested = ActionRequested

    add_size: reactive[str] = reactive("S")
    """The size new components are added at."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        tick: int = 0,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.scenario = scenario
        self.tick = tick

    def compose(self) -> ComposeResult:
        yield Static("add", classes="build-label")
        for kind, (label, key) in KEYS.items():
            yield Button(hotkey_label(label, key), id=f"add-{kind}", compact=True)
        yield Static("size", classes="build-label")
        for size, key in SIZE_KEYS.items():
            yield Button(Text(size), id=f"size-{size}", compact=True, tooltip=f"key {key}")

    def on_mount(self) -> None:
        self._refresh_buttons()

    # -- feeding it ---------------------------------------------------------------------------

    def show(self, scenario: Scenario, tick: int) -> None:
        """The level being played (what it unlocks) and the tick new actions are stamped with."""
        self.scenario = scenario
        self.tick = tick
        self._refresh_buttons()

    def enabled(self, kind: str) -> bool:
        """Whether the button for `kind` can be pressed (unlocked, and comes in the size)."""
        return self._why_not(kind) == ""

    def request_add(self, kind: str) -> None:
        """Ask for a component of `kind` at the chosen size (as the button would)."""
        if kind not in ADDABLE or not self.enabled(kind):
            return
        sizes = catalog.KINDS[kind].sizes
        size = self.add_size if len(sizes) > 1 else next(iter(sizes))
        self.post_message(ActionRequested(Action(self.tick, "add", kind=kind, size=size)))

    def select_size(self, size: str) -> None:
        if size in catalog.SIZES:
            self.add_size = size

    # -- inside -------------------------------------------------------------------------------

    def _why_not(self, kind: str) -> str:
        spec = catalog.KINDS[kind]
        if self.scenario is not None and not self.scenario.allows(kind):
            return f"{spec.title.lower()} is not unlocked in this level"
        if len(spec.sizes) > 1 and self.add_size not in spec.sizes:
            return f"{spec.title.lower()} comes in {', '.join(spec.sizes)}"
        return ""

    def watch_add_size(self) -> None:
        self._refresh_buttons()

    def _refresh_buttons(self) -> None:
        if not self.is_mounted:
            return
        for kind in KEYS:
            button = self.query_one(f"#add-{kind}", Button)
            why = self._why_not(kind)
            button.disabled = bool(why)
            spec = catalog.KINDS[kind]
            sizes = spec.sizes
            size = self.add_size if len(sizes) > 1 else next(iter(sizes))
            cost = sizes[size].cost if size in sizes else None
            button.tooltip = why or (
                f"add a {spec.title.lower()}"
                + (f" ({size}, {cost:g}/tick)" if cost is not None else "")
            )
        for size in SIZE_KEYS:
            self.query_one(f"#size-{size}", Button).set_class(size == self.add_size, "-selected")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button_id = event.button.id or ""
        if button_id.startswith("add-"):
            self.request_add(button_id.removeprefix("add-"))
        elif button_id.startswith("size-"):
            self.select_size(button_id.removeprefix("size-"))

    def action_add(self, kind: str) -> None:
        self.request_add(kind)

    def action_size(self, size: str) -> None:
        self.select_size(size)
