"""The Textual app: loads the level packs, applies the settings and owns the ways between screens.

Screens ask for a way (`game.ui.ways`: the app's methods of the same names); the app takes them:

    title -> levels -> briefing -> play -> results -> the next briefing, or back to the levels
    codex, settings, help (from anywhere), a level's solutions (from its briefing)

The stack holds only what the player can go back to: the results replace the play screen, and
Next, Retry and Levels never leave an old briefing behind. The screens past the title are
imported when first wanted, so the title comes up sooner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, TextArea

from game.content.packs import Pack, PackLevel, load_packs, pack_folders
from game.engine.actions import Action
from game.engine.report import TickReport
from game.engine.simulation import RunResult
from game.store import SaveError, SavesLocked, Store
from game.store.campaign import Campaign, level_digest
from game.store.progress import SavedRun, SavedSolution
from game.ui import keys
from game.ui.dialogs import NoticeScreen
from game.ui.screens.title import TitleScreen
from game.ui.screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from game.ui.settings import DEFAULT_THEME, AppSettings
from game.ui.ways import Pace

if TYPE_CHECKING:
    from game.ui.screens.level_select import LevelSelectScreen

# Textual's animation levels for the settings' motion choices.
ANIMATION_LEVELS = {"full": "full", "reduced": "basic", "none": "none"}


def open_saves(folder: Path) -> Store:
    """The saves in `folder`; if they cannot be used (unreadable, or from a newer game), a
    session kept in memory that says why. Raises SavesLocked while another game has them."""
    try:
        return Store.open(folder)
    except SavesLocked:
        raise
    except SaveError as error:
        return Store.in_memory([f"{error} Progress in this session will not be saved."])


def _saves_or_memory(folder: Path | None) -> Store:
    if folder is None:
        return Store.in_memory()
    try:
        return open_saves(folder)
    except SavesLocked as error:
        return Store.in_memory([f"{error} Progress in this session will not be saved."])


class MillionsApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Zero to Millions"
    MODES = {"game": TitleScreen}  # a mode, unlike get_default_screen, loads the screen's CSS
    DEFAULT_MODE = "game"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True),
    ]

    def __init__(self, settings: AppSettings | None = None, store: Store | None = None) -> None:
        """`store` keeps progress; without one, the saves in `settings.saves_dir` are opened,
        and without that nothing outlives the session (as in tests)."""
        super().__init__()
        self.settings = settings or AppSettings()
        self.store = store or _saves_or_memory(self.settings.saves_dir)
        self.packs, self.pack_failures = load_packs(pack_folders(self.settings.packs))
        self.campaign = Campaign(self.store, self.packs, self.settings.packs)
        self._saving_settings = False
        self.apply_settings(self.settings)
        self._saving_settings = True

    def on_mount(self) -> None:
        for notice in self.store.notices:
            self.push_screen(NoticeScreen("About your saves", notice))

    def on_unmount(self) -> None:
        self.store.close()

    def apply_settings(self, settings: AppSettings) -> None:
        """Use new settings from now on, and keep them for the next session."""
        if settings.theme not in self.available_themes:
            settings = replace(settings, theme=DEFAULT_THEME)
        self.settings = settings
        self.theme = settings.theme
        self.animation_level = ANIMATION_LEVELS[settings.animation]
        self._save_settings()

    def watch_theme(self, theme: str) -> None:
        """A theme picked anywhere (the command palette too) becomes the setting."""
        self.settings = replace(self.settings, theme=theme)
        self._save_settings()

    def _save_settings(self) -> None:
        if not self._saving_settings:
            return
        theme, speed, animation = self.settings.theme, self.settings.speed, self.settings.animation
        self.save(lambda: self.store.save_settings(theme, speed, animation))

    def save(self, write) -> bool:
        """Run a store write; if the disk refuses it, tell the player and play on."""
        try:
            write()
        except SaveError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=10, markup=False)
            return False
        return True

    def pack_of(self, level: PackLevel) -> Pack | None:
        """The loaded pack a level belongs to."""
        return next((p for p in self.packs if any(lv.path == level.path for lv in p.levels)), None)

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
        yield SystemCommand(
            "Sandbox", "A free site: set the traffic, fail parts", self.action_sandbox
        )
        yield SystemCommand("Settings", "Theme, speed and motion", self.action_settings)
        yield SystemCommand("Help", "Every key and what it does", self.action_help)

    # -- the ways between screens ------------------------------------------------------------

    def action_campaign(self) -> None:
        from game.ui.screens.level_select import LevelSelectScreen

        self.push_screen(LevelSelectScreen(self.packs, self.pack_failures, self.campaign))

    def action_codex(self) -> None:
        from game.ui.screens.codex import CodexScreen

        self.push_screen(CodexScreen(self.packs, self.campaign))

    def action_sandbox(self) -> None:
        """The sandbox: a free site, no scores (screens/sandbox.py)."""
        from game.ui.screens.sandbox import SandboxScreen, sandbox_level

        base = next((lv for pack in self.packs for lv in pack.levels), None)
        if base is None:
            self.notify("No level pack is loaded, so the sandbox cannot open.", title="Sandbox")
            return
        folder = self.settings.saves_dir
        self.push_screen(SandboxScreen(sandbox_level(base), self.settings, folder))

    def action_settings(self) -> None:
        from game.ui.screens.settings_screen import SettingsScreen

        self.push_screen(SettingsScreen(self.settings))

    def action_continue(self) -> None:
        """Back to the level left unfinished, at the tick it was left."""
        found = self.campaign.unfinished()
        if found is None:
            self.notify("There is no unfinished level to continue.", title="Continue")
            return
        pack, level, run = found
        pace = Pace(run.speed, run.paused) if run.speed is not None else None
        self.start_level(level, resume=run, pace=pace)
        if run.level_digest and run.level_digest != level_digest(level):
            self.notify(
                "This level has changed since you left it (a new version of the game or of its"
                " pack). Your moves were replayed on the level as it is now, so the site may"
                " not be quite as you left it.",
                title="The level changed",
                severity="warning",
                timeout=15,
            )

    def action_help(self) -> None:
        from game.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_tables()))

    def key_tables(self) -> list[tuple[str, list[Binding]]]:
        """Each screen's keys, named as the player knows the screen, in the order met."""
        from game.ui.dialogs import ConfirmScreen, NamePrompt, PauseMenu
        from game.ui.screens.briefing import BriefingScreen
        from game.ui.screens.codex import CodexScreen
        from game.ui.screens.help import HelpScreen
        from game.ui.screens.level_select import LevelSelectScreen
        from game.ui.screens.results import ResultsScreen
        from game.ui.screens.sandbox import SANDBOX_KEYS
        from game.ui.screens.settings_screen import SettingsScreen
        from game.ui.screens.solutions import SolutionsScreen

        def table(screen: type[Screen]) -> list[Binding]:
            return list(Binding.make_bindings(screen.BINDINGS))

        return [
            ("Title", table(TitleScreen)),
            ("Campaign", table(LevelSelectScreen)),
            ("Briefing", table(BriefingScreen)),
            ("Play", list(Binding.make_bindings(keys.bindings()))),
            ("Sandbox", list(SANDBOX_KEYS)),
            ("Paused", table(PauseMenu)),
            ("Results", table(ResultsScreen)),
            ("Codex", table(CodexScreen)),
            ("Settings", table(SettingsScreen)),
            ("Help", table(HelpScreen)),
            ("Name a solution", table(NamePrompt)),
            ("A message", table(NoticeScreen)),
            ("A question", table(ConfirmScreen)),
            ("Your solutions", table(SolutionsScreen)),
        ]

    def open_briefing(self, pack: Pack, level: PackLevel) -> None:
        from game.ui.screens.briefing import BriefingScreen

        self.push_screen(BriefingScreen(pack, level))

    def open_solutions(self, pack: Pack, level: PackLevel) -> None:
        from game.ui.screens.solutions import SolutionsScreen

        self.push_screen(SolutionsScreen(pack, level))

    def start_level(
        self,
        level: PackLevel,
        *,
        resume: SavedRun | None = None,
        replay: SavedSolution | None = None,
        pace: Pace | None = None,
    ) -> None:
        from game.ui.screens.play import PlayScreen

        screen = PlayScreen(level, self.settings, resume=resume, replay=replay, pace=pace)
        self.push_screen(screen)

    def level_over(
        self,
        level: PackLevel,
        result: RunResult,
        history: list[TickReport],
        actions: tuple[Action, ...],
        replay: SavedSolution | None,
        speed: int,
    ) -> None:
        """The results take the finished play screen's place (`speed`: the one it ran at)."""
        from game.ui.screens.results import ResultsScreen

        results = ResultsScreen(level, result, history, actions=actions, replay=replay, speed=speed)
        self.switch_screen(results)

    def retry_level(self, level: PackLevel, speed: int | None = None) -> None:
        """Play the level again, in the results' place: running, at `speed` (the speed of the
        run just over) or else the settings' speed."""
        from game.ui.screens.play import PlayScreen

        pace = Pace(speed, paused=False) if speed is not None else None
        self.switch_screen(PlayScreen(level, self.settings, pace=pace))

    def next_level(self, pack: Pack, level: PackLevel) -> None:
        """A level's briefing, over the level list (not over the last briefing)."""
        from game.ui.screens.briefing import BriefingScreen

        levels = self.back_to_levels()
        levels.highlight(pack, level)  # back from the briefing, the list shows where it was
        self.push_screen(BriefingScreen(pack, level))

    def back_to_levels(self) -> LevelSelectScreen:
        """Down the stack to the level list; where there is none (a level continued from the
        title), the level list in place of everything above the title."""
        from game.ui.screens.level_select import LevelSelectScreen

        stack = self.screen_stack
        found = [i for i, screen in enumerate(stack) if isinstance(screen, LevelSelectScreen)]
        keep = found[-1] + 1 if found else 1
        while len(self.screen_stack) > keep:
            self.pop_screen()
        if found:
            return stack[found[-1]]
        levels = LevelSelectScreen(self.packs, self.pack_failures, self.campaign)
        self.push_screen(levels)
        return levels
