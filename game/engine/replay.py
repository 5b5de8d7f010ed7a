"""A run is its actions: playing them back tick by tick gives back the same run at any tick.

`play` is the one loop that does it. A whole run (`simulation.run`), a level continued where it
was left (`simulation.resimulate`) and a saved solution played back all go through it: each
tick's actions are applied, in their recorded order, before that tick is simulated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from game.engine.actions import Action, Outcome
from game.engine.report import TickReport
from game.engine.scenario import Scenario

# typing is imported for type checkers only: at run time it would add ~5 ms to the engine's import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol, TypeVar

    class Run(Protocol):
        """What playing back needs of a run (a Simulation is one)."""

        scenario: Scenario
        tick: int
        done: bool

        def apply(self, action: Action) -> Outcome: ...

        def step(self) -> TickReport: ...

    R = TypeVar("R", bound=Run)


def by_tick(actions: Iterable[Action]) -> dict[int, list[Action]]:
    """Actions grouped by the tick they are applied at, in their recorded order."""
    plan: dict[int, list[Action]] = {}
    for action in actions:
        plan.setdefault(action.tick, []).append(action)
    return plan


def play(
    sim: R,
    actions: Iterable[Action],
    until: int | None = None,
    on_report: Callable[[R, TickReport], None] | None = None,
) -> list[Outcome]:
    """Play `actions` into `sim` from its start: simulate up to tick `until` (the level's end
    when None) and apply that tick's actions too. `on_report` sees every tick's report.

    Returns the outcomes: first a refusal for each action outside the level's ticks (those are
    never applied), then the engine's answer to each action in the order applied. An endless
    run that spends its error budget ends there: the actions after it are refused."""
    duration = sim.scenario.duration
    outcomes: list[Outcome] = []
    inside: list[Action] = []
    for a in actions:
        if 0 <= a.tick < duration:
            inside.append(a)
        else:
            outcomes.append(Outcome(a, False, f"tick {a.tick} is outside the level"))
    plan = by_tick(inside)
    stop = duration if until is None else min(until, duration)
    while sim.tick < stop and not sim.done:
        outcomes.extend(sim.apply(a) for a in plan.get(sim.tick, ()))
        report = sim.step()
        if on_report is not None:
            on_report(sim, report)
    if sim.done and sim.tick < duration:
        ended = f"the run ended at tick {sim.tick}, when its error budget was spent"
        outcomes.extend(
            Outcome(a, False, f"tick {a.tick} is after the end: {ended}")
            for t in sorted(plan)
            if t >= sim.tick
            for a in plan[t]
        )
    else:
        outcomes.extend(sim.apply(a) for a in plan.get(sim.tick, ()))
    return outcomes
