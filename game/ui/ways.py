"""The ways between screens: a screen says where the player wants to go, and the app
(`game.ui.app.MillionsApp`), which knows the ways, takes them there. So no screen imports
another; a screen reaches the app's ways with `ways(self)`.

    title -> levels -> briefing -> play -> results -> next briefing, or back to the levels

    open_briefing(pack, level)     a level's briefing, over the level list
    open_solutions(pack, level)    the player's solutions of a level, over its briefing
    start_level(level, ...)        play it (afresh, resumed, or replaying a solution)
    level_over(level, result, ...) play is over: the results take its place
    next_level(pack, level)        from results: that level's briefing, over the level list
    retry_level(level, speed)      from results: play it again at the speed it was played at,
                                   in the results' place
    back_to_levels()               from results: the level list

The stack never holds more than the player can see: results replace play, and Next, Retry and
Levels never leave an old briefing behind. Each way changes the stack at once, so a key
pressed right after lands on the screen it leads to. Going back one screen is a pop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, cast

from textual.screen import Screen

from game.content.packs import Pack, PackLevel
from game.engine.actions import Action
from game.engine.report import TickReport
from game.engine.simulation import RunResult
from game.store.progress import SavedRun, SavedSolution


@dataclass(frozen=True, slots=True)
class Pace:
    """How a level was being played when it was left: its speed and whether it was paused."""

    speed: int
    paused: bool


class Ways(Protocol):
    """The ways the app offers the screens."""

    def open_briefing(self, pack: Pack, level: PackLevel) -> None: ...

    def open_solutions(self, pack: Pack, level: PackLevel) -> None: ...

    def start_level(
        self,
        level: PackLevel,
        *,
        resume: SavedRun | None = None,
        replay: SavedSolution | None = None,
        pace: Pace | None = None,
    ) -> None: ...

    def level_over(
        self,
        level: PackLevel,
        result: RunResult,
        history: list[TickReport],
        actions: tuple[Action, ...],
        replay: SavedSolution | None,
        speed: int,
    ) -> None: ...

    def next_level(self, pack: Pack, level: PackLevel) -> None: ...

    def retry_level(self, level: PackLevel, speed: int | None = None) -> None: ...

    def back_to_levels(self) -> Screen: ...


def ways(screen: Screen) -> Ways:
    """The ways of the app `screen` runs in."""
    return cast(Ways, screen.app)
