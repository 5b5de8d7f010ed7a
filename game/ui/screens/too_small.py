"""Shown instead of everything else while the terminal is smaller than the game needs."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH = 80
MIN_HEIGHT = 24


class TooSmallScreen(Screen[None]):
    """Asks for a bigger terminal and leaves by itself once the terminal is big enough."""

    CSS_PATH = "too_small.tcss"

    def compose(self) -> ComposeResult:
        yield Static(id="message")

    def on_mount(self) -> None:
        self._fit(self.app.size)

    def on_screen_resume(self) -> None:
        self._fit(self.app.size)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size)

    def _fit(self, size: Size) -> None:
        if size.width >= MIN_WIDTH and size.height >= MIN_HEIGHT:
            if self.is_current:
                self.dismiss()
            return
        message = Text.assemble(
            ("Zero to Millions\n\n", "bold"),
            f"Please enlarge the terminal to at least {MIN_WIDTH}x{MIN_HEIGHT}.\n",
            f"It is {size.width}x{size.height} now.\n\n",
            ("ctrl+q quits", "dim"),
        )
        self.query_one("#message", Static).update(message)
