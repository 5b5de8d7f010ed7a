"""The forecast: the traffic a level has in store, and only the incidents it announces."""

from __future__ import annotations

import dataclasses

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.forecast import forecast
from game.engine.scenario import Incident
from game.engine.simulation import Simulation

CORE = load_pack(BUILTIN_PACKS / "core")


def test_forecast_rates_are_the_offered_load_of_every_tick():
    for level_id in ("launch-day", "servers-die", "far-away-users"):
        scenario = CORE.level(level_id).scenario
        ahead = forecast(scenario)
        sim = Simulation(scenario)
        offered = [sim.step().rps for _ in range(scenario.duration)]
        assert list(ahead.rates) == offered, level_id


def test_a_column_is_the_busiest_tick_it_covers():
    scenario = CORE.level("launch-day").scenario
    ahead = forecast(scenario)
    columns = ahead.columns(10)
    n = scenario.duration
    assert columns == tuple(max(ahead.rates[c * n // 10 : (c + 1) * n // 10]) for c in range(10))
    assert len(ahead.columns(n * 3)) == n * 3  # wider than the level: each tick repeats


def test_announced_incidents_are_in_the_forecast_and_secret_ones_are_not():
    scenario = CORE.level("servers-die").scenario
    assert scenario.incidents and not any(i.announced for i in scenario.incidents)
    assert forecast(scenario).incidents == ()
    first, *rest = scenario.incidents
    told = dataclasses.replace(first, announced=True)
    announced = dataclasses.replace(scenario, incidents=(told, *rest))
    assert forecast(announced).incidents == (told,)
    assert Incident(1, "x").announced is False  # secret is the default
