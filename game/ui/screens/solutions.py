"""A level's saved solutions, like drafts: replay, copy, rename, delete and export each one.

A solution is kept from the results screen (v). Exported files are solution files in the pack
format, with the scores they claim, so another player can import and verify them
(`millions import FILE`, `millions replay FILE`).
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from game.content.errors import LevelError
from game.content.packs import Pack, PackLevel
from game.engine.metrics import METRICS
from game.store.campaign import level_key
from game.store.exports import ClaimsDoNotHold, export_solution, saved_plan
from game.store.progress import SavedSolution
from game.ui.dialogs import ConfirmScreen, NamePrompt
from game.ui.level_text import stars_text
from game.ui.ways import ways

EXPORTS = "exports"  # the folder in the saves folder that exported solutions go to


class SolutionOption(Option):
    def __init__(self, solution: SavedSolution) -> None:
        prompt = Text()
        prompt.append_text(
            stars_text(solution.stars or 0) if solution.stars is not None else Text("   ")
        )
        prompt.append(f" {solution.name}")
        super().__init__(prompt, id=solution.name)
        self.solution = solution


class SolutionsScreen(Screen[None]):
    CSS_PATH = "solutions.tcss"
    SUB_TITLE = "Your solutions"
    BINDINGS = [
        Binding("enter,p", "replay", "Replay"),
        Binding("c", "copy", "Copy"),
        Binding("r", "rename", "Rename"),
        Binding("d,delete", "delete", "Delete"),
        Binding("e", "export", "Export"),
        Binding("escape,q", "app.pop_screen", "Back"),
    ]

    def __init__(self, pack: Pack, level: PackLevel) -> None:
        super().__init__()
        self.pack, self.level = pack, level
        self.key = level_key(pack, level)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="solutions-box"):
            yield Static(Text(f"{self.level.file.title}: your solutions", style="bold"))
            with Horizontal(id="solutions"):
                yield OptionList(id="solution-list")
                yield Static(id="solution-detail")
        yield Footer()

    def on_mount(self) -> None:
        self._refresh()

    def _refresh(self, keep: str | None = None) -> None:
        listing = self.query_one("#solution-list", OptionList)
        solutions = self.app.store.solutions(self.key)
        listing.set_options([SolutionOption(s) for s in solutions])
        names = [s.name for s in solutions]
        listing.highlighted = names.index(keep) if keep in names else (0 if names else None)
        listing.focus()
        self._show(self.selected)

    @property
    def selected(self) -> SavedSolution | None:
        option = self.query_one("#solution-list", OptionList).highlighted_option
        return option.solution if isinstance(option, SolutionOption) else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(self.selected)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_replay()

    def _show(self, solution: SavedSolution | None) -> None:
        detail = self.query_one("#solution-detail", Static)
        if solution is None:
            detail.update(
                Text(
                    "No saved solutions for this level yet.\n\n"
                    "Finish a run and press v on the results screen to keep its moves here; "
                    "then replay it, copy it, rename it or export it to share."
                )
            )
            return
        detail.update(_details(self.level, solution))

    # -- moves --------------------------------------------------------------------------------

    def action_replay(self) -> None:
        solution = self.selected
        if solution is not None:
            ways(self).start_level(self.level, replay=solution)

    def action_copy(self) -> None:
        solution = self.selected
        if solution is None:
            return
        name = self.app.store.free_name(self.key, f"{solution.name}-copy")
        if self.app.save(lambda: self.app.store.copy_solution(self.key, solution.name, name)):
            self._refresh(keep=name)

    def action_rename(self) -> None:
        solution = self.selected
        if solution is None:
            return

        def rename(name: str | None) -> None:
            if not name:
                return
            if self.app.save(lambda: self.app.store.rename_solution(self.key, solution.name, name)):
                self._refresh(keep=name)

        self.app.push_screen(NamePrompt(f"Rename {solution.name!r} to", solution.name), rename)

    def action_delete(self) -> None:
        solution = self.selected
        if solution is None:
            return

        def delete(sure: bool | None) -> None:
            if sure and self.app.save(
                lambda: self.app.store.delete_solution(self.key, solution.name)
            ):
                self._refresh()

        question = f"Delete the solution {solution.name!r}? This cannot be undone."
        self.app.push_screen(ConfirmScreen("Delete", question), delete)

    def action_export(self) -> None:
        """Write the solution to the exports folder, re-simulated first: one whose recorded
        scores do not hold is refused, and the file claims the scores the re-simulation gave."""
        solution = self.selected
        if solution is None:
            return
        folder = self.app.store.folder
        if folder is None:
            self.notify("This session keeps no saves, so there is nowhere to export to.")
            return
        path = folder / EXPORTS / f"{self.pack.id}.{self.level.id}.{solution.name}.toml"
        try:
            path.parent.mkdir(exist_ok=True)
            plan = saved_plan(self.pack, self.level, solution)
            export_solution(self.pack, self.level, plan, path, replace=True)
        except (ClaimsDoNotHold, OSError, LevelError) as error:
            self.notify(
                str(error), title="Not exported", severity="error", timeout=10, markup=False
            )
            return
        self.notify(f"Written to {path}", title="Exported", timeout=10, markup=False)


def _details(level: PackLevel, solution: SavedSolution) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column()
    table.add_column(justify="right")
    table.add_row("moves", str(len(solution.actions)))
    seed = solution.seed if solution.seed is not None else level.scenario.seed
    table.add_row("seed", str(seed))
    if solution.scores:
        objectives = level.scenario.objectives
        for goal in objectives.goals:
            if goal.metric in solution.scores:
                metric = METRICS[goal.metric]
                name = metric.label(objectives.latency_percentile)
                table.add_row(name, metric.format(solution.scores[goal.metric]))
    else:
        table.add_row("scores", "not recorded")
    first = ", ".join(f"{a.tick}: {a.describe()}" for a in solution.actions[:6])
    more = f" (+{len(solution.actions) - 6} more)" if len(solution.actions) > 6 else ""
    table.add_row("first moves", Text(first + more or "none"))
    return table
