"""The campaign: every pack's levels in order, with a preview of the highlighted one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from game.content.packs import Pack, PackLevel
from game.ui.screens.briefing import BriefingScreen
from game.ui.screens.level_text import (
    concept_titles,
    first_paragraph,
    objectives_table,
)

if TYPE_CHECKING:
    from game.ui.app import PackFailure

LOCK = "🔒"


def is_unlocked(level: PackLevel) -> bool:
    """Whether the player may play a level. Every level is open until progress is saved."""
    return True


class LevelOption(Option):
    """A level in the list, with the pack it belongs to and its place there."""

    def __init__(self, pack: Pack, level: PackLevel, number: int) -> None:
        unlocked = is_unlocked(level)
        prompt = Text(f"{number:>2}  ", style="dim")
        prompt.append(level.file.title)
        if not unlocked:
            prompt.append(f" {LOCK}")
        super().__init__(prompt, disabled=not unlocked)
        self.pack, self.level, self.number = pack, level, number


class LevelPreview(VerticalScroll):
    """The highlighted level: title, concepts, the briefing's opening and the objectives."""

    option: reactive[LevelOption | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        if self.option is None:
            yield Static("No level packs are installed.")
            return
        level = self.option.level
        yield Static(Text(f"Level {self.option.number}: {level.file.title}", style="bold"))
        concepts = Text("Teaches: ", style="dim")
        concepts.append(", ".join(concept_titles(self.option.pack, level)))
        yield Static(concepts, classes="concepts")
        yield Markdown(first_paragraph(level.briefing), open_links=False)
        yield Static(
            Group(Text("Objectives", style="bold"), objectives_table(level.scenario.objectives))
        )


class LevelSelectScreen(Screen[None]):
    CSS_PATH = "level_select.tcss"
    SUB_TITLE = "Campaign"
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, packs: Sequence[Pack], failures: Sequence[PackFailure]) -> None:
        super().__init__()
        self.packs, self.failures = packs, failures

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="campaign"):
            yield OptionList(*self._options(), id="levels")
            yield LevelPreview(id="preview")
        yield Static(self._failure_text(), id="pack-failures")
        yield Footer()

    def _options(self) -> list[Option]:
        options: list[Option] = []
        for pack in self.packs:
            options.append(Option(Text(pack.file.title, style="bold"), disabled=True))
            options.extend(LevelOption(pack, level, n) for n, level in enumerate(pack.levels, 1))
        return options

    def _failure_text(self) -> Text:
        text = Text()
        for failure in self.failures:
            text.append(f"Could not load the pack in {failure.folder}:\n", style="bold")
            text.append(failure.message + "\n")
        return text

    def on_mount(self) -> None:
        self.query_one("#pack-failures").display = bool(self.failures)
        levels = self.query_one("#levels", OptionList)
        levels.highlighted = next((i for i, o in enumerate(levels.options) if not o.disabled), None)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if isinstance(event.option, LevelOption):
            self.query_one(LevelPreview).option = event.option

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if isinstance(event.option, LevelOption):
            self.app.push_screen(BriefingScreen(event.option.pack, event.option.level))
