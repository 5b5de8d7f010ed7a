"""What each move of a run did, measured by running the level again without it.

The engine is deterministic, so a move's effect is exact: the run as played against the same
level, seed and moves with that one left out. For each measured move:

    failed, failed_without   requests failed while the move had something out of service
                             (a restart on resize, a store migration, a promotion), with the
                             move and without it; both 0 for a move that takes nothing down
    scores_without           the run's scores without the move (the played run's are the
                             result's own)
    refused_without          later moves the engine would have refused without it (one that
                             resizes a server the move added, say)

`postmortem(scenario, seed, actions)` measures at most `limit` moves, the first ones played;
each costs one run of the level. It reads no clock and touches nothing outside its arguments,
so a screen may run it on a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from game.engine import replay
from game.engine.actions import Action
from game.engine.report import TickReport
from game.engine.scenario import Scenario
from game.engine.simulation import Simulation
from game.engine.view import preview

MOVES_MEASURED = 12  # at most this many moves are run again without them (one run each)


@dataclass(frozen=True, slots=True)
class MoveEffect:
    index: int  # its place among the run's moves
    action: Action
    outage: int  # ticks the move had something out of service
    out_of_service: str  # what: a component id, "the data tier", "writes", sharding.SLOWED; or ""
    failed: float  # requests failed from the move's tick through its outage, as played
    failed_without: float  # the same ticks, without the move
    scores_without: dict[str, float]
    refused_without: int


@dataclass(frozen=True, slots=True)
class Postmortem:
    scores: dict[str, float]  # the run as played
    failed_by_tick: tuple[float, ...]  # requests failed at each tick, as played
    effects: tuple[MoveEffect, ...]
    unmeasured: int  # moves left out by the limit


def postmortem(
    scenario: Scenario, seed: int, actions: Iterable[Action], limit: int = MOVES_MEASURED
) -> Postmortem:
    """Measure the first `limit` moves of the run (`actions`, in their order) by re-running
    `scenario` on `seed` without each of them."""
    moves = tuple(actions)
    played = _Run(scenario, seed, moves, priced=True)
    effects = []
    for index, action in enumerate(moves[:limit]):
        without = _Run(scenario, seed, moves[:index] + moves[index + 1 :])
        outage, what = played.prices.get(index, (0, ""))
        window = slice(action.tick, action.tick + outage) if outage else slice(0)
        lost = sum(
            1
            for other in moves
            if other is not action and played.accepted(other) and not without.accepted(other)
        )
        effects.append(
            MoveEffect(
                index=index,
                action=action,
                outage=outage,
                out_of_service=what,
                failed=sum(played.failed[window]),
                failed_without=sum(without.failed[window]),
                scores_without=without.scores,
                refused_without=lost,
            )
        )
    return Postmortem(
        scores=played.scores,
        failed_by_tick=tuple(played.failed),
        effects=tuple(effects),
        unmeasured=max(0, len(moves) - limit),
    )


class _Run:
    """One run of the level with `moves`: its scores, the requests failed at each tick, which
    moves the engine accepted, and (`priced`) what each move took out of service for how long,
    asked of the engine just before the move, as the screen asks."""

    def __init__(
        self, scenario: Scenario, seed: int, moves: tuple[Action, ...], priced: bool = False
    ) -> None:
        sim = Simulation(scenario, seed)
        self.failed: list[float] = []
        self.prices: dict[int, tuple[int, str]] = {}
        at_tick: dict[int, list[int]] = {}
        for i, move in enumerate(moves):
            at_tick.setdefault(move.tick, []).append(i)

        def price(at: Simulation) -> None:
            for i in at_tick.get(at.tick, ()) if priced else ():
                moved = preview(at, moves[i])
                self.prices[i] = (moved.outage, moved.out_of_service)

        def seen(at: Simulation, report: TickReport) -> None:
            self.failed.append(report.failed_total)
            price(at)

        price(sim)
        outcomes = replay.play(sim, moves, on_report=seen)
        self._accepted = {id(o.action) for o in outcomes if o.accepted}
        self.scores = sim.scores()

    def accepted(self, move: Action) -> bool:
        return id(move) in self._accepted
