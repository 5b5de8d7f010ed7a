"""A run is its actions: played back to any tick, it is the run that was never interrupted.

`replay.play` is the engine's one replay loop; `run` and `resimulate` are built on it.
"""

from __future__ import annotations

import pytest

from game.engine import replay
from game.engine.actions import Action
from game.engine.simulation import Simulation, resimulate, run
from game.engine.summary import summarize
from tests.engine.test_determinism import PLAN, rich_scenario, stepped, tick_fields


@pytest.fixture(scope="module")
def uninterrupted():
    """The rich run, stepped by hand: (result, every tick's report)."""
    return stepped(rich_scenario(), PLAN)


def test_by_tick_groups_actions_in_their_recorded_order():
    a, b, c = Action(3, "add", kind="web"), Action(1, "add", kind="cache"), Action(3, "add")
    assert replay.by_tick([a, b, c]) == {3: [a, c], 1: [b]}


def test_run_plays_the_plan_as_a_hand_stepped_run_does(uninterrupted):
    result, _ = uninterrupted
    assert summarize(run(rich_scenario(), PLAN)) == summarize(result)
    assert run(rich_scenario(), PLAN).outcomes == result.outcomes


def test_an_action_outside_the_level_is_refused_and_never_applied():
    scenario = rich_scenario()
    late, early = Action(scenario.duration, "add", kind="web"), Action(-1, "add", kind="web")
    sim = Simulation(scenario)
    outcomes = replay.play(sim, [late, early], until=0)
    assert [(o.action, o.accepted, o.reason) for o in outcomes] == [
        (late, False, f"tick {scenario.duration} is outside the level"),
        (early, False, "tick -1 is outside the level"),
    ]
    assert sim.take_events() == [] and len(sim.nodes()) == len(scenario.start)


@pytest.mark.parametrize("tick", [0, 1, 137, 400])
def test_resimulating_to_a_tick_then_playing_on_is_the_uninterrupted_run(tick, uninterrupted):
    _, reports = uninterrupted
    scenario = rich_scenario()
    seen = []
    sim = resimulate(scenario, scenario.seed, PLAN, tick, lambda s, r: seen.append(tick_fields(r)))
    assert sim.tick == tick and seen == [tick_fields(r) for r in reports[:tick]]
    # That tick's moves are made already: play on with the later ones, as the play screen does.
    later = replay.by_tick(a for a in PLAN if a.tick > tick)
    while not sim.done:
        for action in later.get(sim.tick, ()):
            sim.apply(action)
        seen.append(tick_fields(sim.step()))
    assert seen == [tick_fields(r) for r in reports]


def test_resimulating_past_the_end_stops_at_the_end(uninterrupted):
    _, reports = uninterrupted
    scenario = rich_scenario()
    sim = resimulate(scenario, scenario.seed, PLAN, scenario.duration + 50)
    assert sim.done and tick_fields(sim.last) == tick_fields(reports[-1])
