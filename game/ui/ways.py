"""The ways between screens, as messages: a screen posts where the player wants to go, and the
app (`game.ui.app`), which knows the ways, takes them there. So no screen imports another.

    title -> levels -> briefing -> play -> results -> next briefing, or back to the levels

    OpenBriefing(pack, level)     a level's briefing, over the level list
    OpenSolutions(pack, level)    the player's solutions of a level, over its briefing
    StartLevel(level, ...)        play it (afresh, resumed or replaying a solution)
    LevelOver(level, result, ...) play is over: the results take its place
    NextLevel(pack, level)        from results: the next level's briefing, over the level list
    RetryLevel(level)             from results: play it again, in the results' place
    BackToLevels()                from results: the level list

The stack never holds more than the player can see: results replace play, and Next, Retry and
Levels never leave an old briefing behind. Going back one screen is a pop (`app.pop_screen`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from game.content.packs import Pack, PackLevel
from game.engine.actions import Action
from game.engine.report import TickReport
from game.engine.simulation import RunResult
from game.store.progress import SavedRun, SavedSolution


@dataclass
class OpenBriefing(Message):
    pack: Pack
    level: PackLevel


@dataclass
class OpenSolutions(Message):
    pack: Pack
    level: PackLevel


@dataclass
class StartLevel(Message):
    level: PackLevel
    resume: SavedRun | None = None  # the run left unfinished, to go on from
    replay: SavedSolution | None = None  # a solution to watch, played by its own moves


@dataclass
class LevelOver(Message):
    level: PackLevel
    result: RunResult
    history: list[TickReport]
    actions: tuple[Action, ...] = ()
    replay: SavedSolution | None = None


@dataclass
class NextLevel(Message):
    pack: Pack
    level: PackLevel  # the level to brief


@dataclass
class RetryLevel(Message):
    level: PackLevel


@dataclass
class BackToLevels(Message):
    pass
