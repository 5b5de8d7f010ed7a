"""Settings: theme, the default speed of play and how much moves on screen; kept with the saves."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Select, Static

from game.ui.settings import ANIMATIONS, SPEEDS, AppSettings

MOTION_LABELS = {
    "full": "Full: every animation",
    "reduced": "Reduced: only scrolling and highlights",
    "none": "None: nothing moves by itself",
}


class SettingsScreen(Screen[None]):
    CSS_PATH = "settings_screen.tcss"
    SUB_TITLE = "Settings"
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, settings: AppSettings) -> None:
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="settings"):
            yield Label("Theme")
            yield Select(
                [(name, name) for name in sorted(self.app.available_themes)],
                value=self.settings.theme,
                allow_blank=False,
                id="theme",
            )
            yield Label("Default speed of play")
            yield Select(
                [
                    (f"{speed}x: {speed} tick{'s' * (speed > 1)} a second", speed)
                    for speed in SPEEDS
                ],
                value=self.settings.speed,
                allow_blank=False,
                id="speed",
            )
            yield Label("Motion")
            yield Select(
                [(MOTION_LABELS[motion], motion) for motion in ANIMATIONS],
                value=self.settings.animation,
                allow_blank=False,
                id="animation",
            )
            yield Static("Changes apply at once and are kept for next time.", id="note")
        yield Footer()

    def on_select_changed(self, event: Select.Changed) -> None:
        """Each select's id names the setting it changes."""
        app = self.app  # the game's app: it applies and keeps its settings
        app.apply_settings(replace(app.settings, **{str(event.select.id): event.value}))
