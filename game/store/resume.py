"""A run is its actions: re-simulating them gives back the same state at any tick.

Used to continue a level left unfinished and to play a saved solution back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from game.engine.actions import Action
from game.engine.report import TickReport
from game.engine.scenario import Scenario
from game.engine.simulation import Simulation


def by_tick(actions: Iterable[Action]) -> dict[int, list[Action]]:
    """Actions grouped by the tick they are applied at, in their recorded order."""
    plan: dict[int, list[Action]] = {}
    for action in actions:
        plan.setdefault(action.tick, []).append(action)
    return plan


def resimulate(
    scenario: Scenario,
    seed: int,
    actions: Iterable[Action],
    tick: int,
    on_report: Callable[[Simulation, TickReport], None] | None = None,
) -> Simulation:
    """The simulation as it stood at `tick`, with that tick's actions already applied.

    Actions are applied before their tick is simulated, as the play screen and `run` apply
    them; `on_report` sees every re-simulated tick's report.
    """
    sim = Simulation(scenario, seed)
    plan = by_tick(actions)
    tick = min(tick, scenario.duration)
    while sim.tick < tick:
        for action in plan.get(sim.tick, ()):
            sim.apply(action)
        report = sim.step()
        if on_report is not None:
            on_report(sim, report)
    for action in plan.get(sim.tick, ()):
        sim.apply(action)
    return sim
