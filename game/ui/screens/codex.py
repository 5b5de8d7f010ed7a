"""The codex: the ideas the levels teach, each marked with the level that teaches it.

An entry opens when the player passes a level that teaches it; until then the list shows its
title with a lock, and which level to pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from game.content.packs import CodexEntry, Pack
from game.store.campaign import Campaign

LOCK = "🔒"


class EntryOption(Option):
    """A codex entry in the list, marked with the number of the level that teaches it."""

    def __init__(self, entry: CodexEntry, teacher: tuple[int, str] | None, unlocked: bool) -> None:
        prompt = Text(f"{teacher[0]:>2}  " if teacher else " -  ", style="dim")
        prompt.append(entry.title if unlocked else f"{LOCK} {entry.title}")
        if not unlocked:
            prompt.stylize("dim")
        super().__init__(prompt)
        self.entry = entry
        self.unlocked = unlocked
        self.taught_in = f"level {teacher[0]}: {teacher[1]}" if teacher else None


def entries(pack: Pack, campaign: Campaign) -> Iterator[EntryOption]:
    """A pack's codex in campaign order: entries as their levels teach them, then the rest."""
    teachers = {
        concept: (number, level.file.title)
        for concept, (number, level) in campaign.teachers(pack).items()
    }
    taught = [c for c in teachers if c in pack.codex]
    rest = sorted((c for c in pack.codex if c not in teachers), key=lambda c: pack.codex[c].title)
    for concept in taught + rest:
        unlocked = campaign.concept_unlocked(pack, concept)
        yield EntryOption(pack.codex[concept], teachers.get(concept), unlocked)


class EntryView(VerticalScroll):
    """The highlighted entry: its title, the level that teaches it, and its text."""

    option: reactive[EntryOption | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        if self.option is None:
            yield Static("No level pack has a codex.")
            return
        title = Text(self.option.entry.title, style="bold")
        taught = self.option.taught_in
        if not self.option.unlocked:
            title.append(f"\nPass {taught} to open this entry.", "dim")
            yield Static(title)
            return
        title.append(f"\nTaught in {taught}" if taught else "\nNo level teaches it yet", "dim")
        yield Static(title)
        yield Markdown(self.option.entry.text, open_links=False)


class CodexScreen(Screen[None]):
    CSS_PATH = "codex.tcss"
    SUB_TITLE = "Codex"
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, packs: Sequence[Pack], campaign: Campaign) -> None:
        super().__init__()
        self.packs, self.campaign = packs, campaign

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="codex"):
            yield OptionList(*self._options(), id="entries")
            yield EntryView(id="entry")
        yield Footer()

    def _options(self) -> list[Option]:
        options: list[Option] = []
        for pack in self.packs:
            options.append(Option(Text(pack.file.title, style="bold"), disabled=True))
            options.extend(entries(pack, self.campaign))
        return options

    def on_mount(self) -> None:
        listing = self.query_one("#entries", OptionList)
        listing.highlighted = next(
            (i for i, o in enumerate(listing.options) if not o.disabled), None
        )

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if isinstance(event.option, EntryOption):
            self.query_one(EntryView).option = event.option
