"""The campaign: every pack's levels in order, with a preview of the highlighted one."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from game.content.packs import Pack, PackFailure, PackLevel
from game.content.visible import visible
from game.store.campaign import Campaign
from game.store.progress import LevelRecord
from game.ui.level_text import concept_titles, first_paragraph, objectives_table, stars_text
from game.ui.ways import ways

LOCK = "🔒"


class LevelOption(Option):
    """A level in the list, with the pack it belongs to, its place there and the player's record."""

    def __init__(
        self,
        pack: Pack,
        level: PackLevel,
        number: int,
        unlocked: bool,
        record: LevelRecord | None,
    ) -> None:
        prompt = Text(f"{number:>2}  ", style="dim")
        if unlocked:
            prompt.append_text(stars_text(record.stars if record else 0))
            prompt.append(" ")
        else:
            prompt.append(f"{LOCK}  ")
        prompt.append(level.file.title, style="" if unlocked else "dim")
        super().__init__(prompt, id=f"{pack.id}/{level.id}", disabled=not unlocked)
        self.pack, self.level, self.number, self.record = pack, level, number, record


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
        record = self.option.record
        best = dict(record.best) if record else None
        yield Static(
            Group(
                Text("Objectives", style="bold"),
                objectives_table(level.scenario.objectives, best),
                Text(_played(record), style="dim"),
            )
        )


def _passed(option: Option) -> bool:
    return isinstance(option, LevelOption) and option.record is not None and option.record.passed


def _played(record: LevelRecord | None) -> str:
    if record is None:
        return "Not played yet."
    runs = len(record.runs)
    passed = sum(1 for stars, _ in record.runs if stars > 0)
    return (
        f"{runs} run{'s' * (runs != 1)}, {passed} passed. "
        "Best: each score's best over your passed runs."
    )


class LevelSelectScreen(Screen[None]):
    CSS_PATH = "level_select.tcss"
    SUB_TITLE = "Campaign"
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(
        self, packs: Sequence[Pack], failures: Sequence[PackFailure], campaign: Campaign
    ) -> None:
        super().__init__()
        self.packs, self.failures, self.campaign = packs, failures, campaign
        self._shown = False
        self._wanted: str | None = None  # the level to highlight when the list is next shown

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
            heading = Text(pack.file.title, style="bold")
            first = next((p for p in self.packs if p.id == pack.file.after), None)
            if first is not None and not self.campaign.pack_open(pack):
                heading.append(f"\nopens after {first.file.title}", style="dim")
            options.append(Option(heading, disabled=True))
            for number, level in enumerate(pack.levels, 1):
                unlocked = self.campaign.is_unlocked(pack, level)
                record = self.campaign.record(pack, level)
                options.append(LevelOption(pack, level, number, unlocked, record))
        return options

    def _failure_text(self) -> Text:
        text = Text()
        for failure in self.failures:
            text.append(f"Could not load the pack in {visible(failure.folder)}:\n", style="bold")
            text.append(visible(failure.message, lines=True) + "\n")
        return text

    def on_mount(self) -> None:
        self.query_one("#pack-failures").display = bool(self.failures)

    def on_screen_resume(self) -> None:
        """Back from a level: its stars, records and what it opened are shown at once."""
        levels = self.query_one("#levels", OptionList)
        current = levels.highlighted_option if self._shown else None
        self._shown = True
        keep = current.id if isinstance(current, LevelOption) else None
        keep, self._wanted = self._wanted or keep, None
        levels.set_options(self._options())
        ids = [option.id for option in levels.options]
        if keep in ids and not levels.options[ids.index(keep)].disabled:
            levels.highlighted = ids.index(keep)
        else:  # the first open level not yet passed, else the first open one
            open_levels = [i for i, o in enumerate(levels.options) if not o.disabled]
            unpassed = [i for i in open_levels if not _passed(levels.options[i])]
            levels.highlighted = (unpassed or open_levels or [None])[0]

    def highlight(self, pack: Pack, level: PackLevel) -> None:
        """Highlight this level when the list is next shown (the last one the player went to)."""
        self._wanted = f"{pack.id}/{level.id}"

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if isinstance(event.option, LevelOption):
            self.query_one(LevelPreview).option = event.option

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if isinstance(event.option, LevelOption):
            ways(self).open_briefing(event.option.pack, event.option.level)
