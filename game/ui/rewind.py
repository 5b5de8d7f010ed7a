"""Going back in time on the play screen. The engine is a function of (level, seed, moves), so
the run as it stood N seconds ago is exactly its moves before that tick re-simulated
(`game.engine.simulation.resimulate`); nothing is stored but the moves.

    rewound to 3:20 · 2 moves to redo: y redo, x drop, a new move drops them

A rewind keeps the moves it took back as a `Redo`: while the player lets time run they are made
again at their ticks, the redo key plays on to where the rewind started, and a move of the
player's own (or the drop key) drops them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rich.style import Style
from rich.text import Text

from game.engine.actions import Action
from game.store.unfinished import SavedRedo
from game.ui.numbers import clock, counted

NOTE_STYLE = Style(color="black", bgcolor="#6cb6ff", bold=True)


@dataclass(frozen=True, slots=True)
class Redo:
    """The moves a rewind took back, still to be made again."""

    to_tick: int  # the tick the run was taken back to
    from_tick: int  # the furthest tick the run had reached before it was rewound
    moves: tuple[Action, ...]  # in the order they were made; each stamped with its tick

    def due(self, tick: int) -> tuple[Action, ...]:
        """The moves to make again at `tick`."""
        return tuple(move for move in self.moves if move.tick == tick)

    def after(self, tick: int) -> Redo | None:
        """What is left once the moves due at `tick` are made; None when nothing is left to
        redo and the run is back where it was rewound from."""
        left = tuple(move for move in self.moves if move.tick > tick)
        if not left and tick >= self.from_tick:
            return None
        return replace(self, moves=left)


def saved(redo: Redo | None) -> SavedRedo | None:
    """A pending redo as the run in progress keeps it."""
    return None if redo is None else SavedRedo(redo.to_tick, redo.from_tick, redo.moves)


def restored(saved: SavedRedo | None) -> Redo | None:
    """A kept redo, pending again."""
    return None if saved is None else Redo(saved.to_tick, saved.from_tick, saved.moves)


def rewind(
    made: Sequence[Action], tick: int, seconds: int, redo: Redo | None
) -> tuple[list[Action], Redo]:
    """Take the run at `tick` back `seconds` (not before its start): the moves made before the
    tick it goes back to, and the redo of the rest (ahead of any redo still pending)."""
    target = max(0, tick - seconds)
    kept = [move for move in made if move.tick < target]
    taken = tuple(move for move in made if move.tick >= target)
    pending = redo.moves if redo is not None else ()
    furthest = max(tick, redo.from_tick if redo is not None else tick)
    return kept, Redo(target, furthest, taken + pending)


def note(redo: Redo, redo_key: str, drop_key: str) -> Text:
    """The line that says a rewind happened and what is pending."""
    text = Text(f" rewound to {clock(redo.to_tick)} ", style=NOTE_STYLE)
    count = len(redo.moves)
    if count:
        moves = counted(count, "move")
        text.append(f" {moves} to redo: {redo_key} redo, {drop_key} drop, a new move drops them")
    else:
        text.append(f" {redo_key} plays on to {clock(redo.from_tick)}")
    return text
