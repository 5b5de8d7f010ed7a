"""The Textual app: loads the level packs, applies the settings and moves between screens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, TextArea

from game.content.errors import LevelError
from game.content.packs import Pack, load_pack, pack_folders
from game.ui.screens.codex import CodexScreen
from game.ui.screens.help import HelpScreen
from game.ui.screens.level_select import LevelSelectScreen
from game.ui.screens.settings_screen import SettingsScreen
from game.ui.screens.title import TitleScreen
from game.ui.screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from game.ui.settings import DEFAULT_THEME, AppSettings

# Textual's animation levels for the settings' motion choices.
ANIMATION_LEVELS = {"full": "full", "reduced": "basic", "none": "none"}


@dataclass(frozen=True)
class PackFailure:
    """A pack folder that could not be loaded, and why."""

    folder: Path
    message: str


def load_packs(folders: Iterable[Path]) -> tuple[list[Pack], list[PackFailure]]:
    """Every pack that loads, and why the others did not: a bad pack never stops the game."""
    packs, failures = [], []
    for folder in folders:
        try:
            packs.append(load_pack(folder))
        except (LevelError, OSError, ValueError) as error:
            failures.append(PackFailure(folder, str(error)))
    return packs, failures


class MillionsApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Zero to Millions"
    MODES = {"game": TitleScreen}  # a mode, unlike get_default_screen, loads the screen's CSS
    DEFAULT_MODE = "game"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True),
    ]

    def __init__(self, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        self.packs, self.pack_failures = load_packs(pack_folders(self.settings.packs))
        self.apply_settings(self.settings)

    def apply_settings(self, settings: AppSettings) -> None:
        """Use new settings for the rest of the session."""
        if settings.theme not in self.available_themes:
            settings = replace(settings, theme=DEFAULT_THEME)
        self.settings = settings
        self.theme = settings.theme
        self.animation_level = ANIMATION_LEVELS[settings.animation]

    def watch_theme(self, theme: str) -> None:
        """A theme picked anywhere (the command palette too) becomes the setting."""
        self.settings = replace(self.settings, theme=theme)

    def on_resize(self, event: events.Resize) -> None:
        too_small = event.size.width < MIN_WIDTH or event.size.height < MIN_HEIGHT
        if too_small and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(TooSmallScreen())

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Text inputs (the command palette's too) blink only if the settings say so."""
        if isinstance(event.widget, (Input, TextArea)):
            event.widget.cursor_blink = self.settings.cursor_blink

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the terminal is too small, only quitting works."""
        if isinstance(self.screen, TooSmallScreen):
            return action in ("quit", "help_quit")
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Campaign", "Choose a level to play", self.action_campaign)
        yield SystemCommand("Codex", "Read about the ideas the levels teach", self.action_codex)
        yield SystemCommand("Settings", "Theme, speed and motion", self.action_settings)
        yield SystemCommand("Help", "Every key and what it does", self.action_help)

    def action_campaign(self) -> None:
        self.push_screen(LevelSelectScreen(self.packs, self.pack_failures))

    def action_codex(self) -> None:
        self.push_screen(CodexScreen(self.packs))

    def action_settings(self) -> None:
        self.push_screen(SettingsScreen(self.settings))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
