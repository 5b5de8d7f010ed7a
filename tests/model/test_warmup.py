"""A restarted cache's warm-up averaged over the tick, against an LRU cache filling from empty.

The case: the one-cache level's patch (500,000 keys, Zipf 1.1, a small node of 20,000 keys,
about 1,280 reads in the tick after the restart), and a colder one (100,000 keys, Zipf 0.8,
960 reads a tick into 10,000 keys) where the end-of-tick value is .190."""

from __future__ import annotations

import functools

import pytest

from game.engine import cache, catalog
from game.engine.actions import Action
from game.engine.scenario import Component, Scenario
from game.engine.simulation import Simulation
from game.engine.traffic import Mix, Traffic

from . import before
from .des import cold_lru_hits

CASES = [(500_000, 1.1, 20_000, 1280, 150), (100_000, 0.8, 10_000, 960, 150)]


@functools.cache
def _simulated(keys, alpha, capacity, per_tick, runs) -> list[float]:
    return cold_lru_hits(keys, alpha, capacity, per_tick, 3, runs, seed=5)


@pytest.mark.parametrize("keys, alpha, capacity, per_tick, runs", CASES)
def test_first_ticks_agree_with_a_cold_lru(keys, alpha, capacity, per_tick, runs):
    simulated = _simulated(keys, alpha, capacity, per_tick, runs)
    pop = cache.zipf_popularity(keys, alpha)
    steady = cache.lru_hit_ratio(pop, capacity)
    for tick in range(3):
        model = cache.warm_up_factor(pop, capacity, tick * per_tick, per_tick) * steady
        assert model == pytest.approx(simulated[tick], rel=0.03), tick
    end_of_tick = before.warm_up_at_tick_end(pop, capacity, 0, per_tick) * steady
    assert end_of_tick > 1.1 * simulated[0]  # what the engine used to count


def test_the_engine_s_first_ticks_after_a_cold_start():
    """A small cache node (20,000 keys) added to a site reading 1,280 keys a second: once it
    is up, empty, the engine's hit ratio of its first three ticks is the cold LRU's within 3%
    (the one-cache case)."""
    keys, alpha, capacity, per_tick, runs = CASES[0]
    assert capacity == catalog.KINDS["cache"].items["S"]
    simulated = _simulated(keys, alpha, capacity, per_tick, runs)
    traffic = Traffic(
        points=((0, float(per_tick)),),
        mix=Mix(static=0.0, read=1.0, write=0.0, join=0.0),
        keys=keys,
        zipf_alpha=alpha,
    )
    start = (Component("balancer"),) + tuple(
        Component(kind, "XL") for kind in ("web", "web", "web", "primary", "replica")
    )
    sim = Simulation(Scenario("cold", "Cold start", 30, start=start, traffic=traffic))
    assert sim.apply(Action(0, "add", kind="cache", size="S")).accepted
    reports = [sim.step() for _ in range(30)]
    up = next(r.tick for r in reports if r.cache_hit_ratio)
    for i in range(3):
        assert reports[up + i].cache_hit_ratio == pytest.approx(simulated[i], rel=0.03), i
    pop = cache.zipf_popularity(keys, alpha)
    steady = cache.lru_hit_ratio(pop, capacity)
    assert before.warm_up_at_tick_end(pop, capacity, 0, per_tick) * steady > 1.1 * simulated[0]


def test_factor_is_the_mean_of_the_end_values_and_reaches_one():
    pop = cache.zipf_popularity(100_000, 0.9)
    factor = cache.warm_up_factor(pop, 5000, 0, 1000)
    points = [cache.warm_up_factor(pop, 5000, 1000 * (i + 0.5) / 200) for i in range(200)]
    assert factor == pytest.approx(sum(points) / 200, rel=1e-3)
    t_c = cache.characteristic_time(pop, 5000, "lru")
    assert cache.warm_up_factor(pop, 5000, t_c, 10) == 1.0
    assert 0 < cache.warm_up_factor(pop, 5000, t_c - 5, 10) <= 1.0
    with pytest.raises(ValueError):
        cache.warm_up_factor(pop, 5000, -1, 10)
