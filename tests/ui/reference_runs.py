"""A shipped level played up to a tick with its reference solution's moves (or with none), for
the screens' tests to draw."""

from __future__ import annotations

from game.content.packs import PackLevel
from game.engine.replay import play
from game.engine.simulation import Simulation


def played_to(level: PackLevel, ticks: int, reference: bool = True) -> Simulation:
    """`level` simulated up to tick `ticks`: the reference's moves before it made (none with
    `reference` False), its moves at `ticks` not yet."""
    sim = Simulation(level.scenario)
    moves = next(s for s in level.solutions if s.name == "reference").actions if reference else ()
    play(sim, [a for a in moves if a.tick < ticks], until=ticks)
    return sim
