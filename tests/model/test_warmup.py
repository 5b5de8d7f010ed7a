"""A restarted cache's warm-up averaged over the tick, against an LRU cache filling from empty.

The case: the one-cache level's patch (500,000 keys, Zipf 1.1, a small node of 20,000 keys,
about 1,280 reads in the tick after the restart), and a colder one (100,000 keys, Zipf 0.8,
960 reads a tick into 10,000 keys) where the end-of-tick value is .190."""

from __future__ import annotations

import pytest

from game.engine import cache
from game.engine.warmup import tick_warm_up_factor

from .des import cold_lru_hits


@pytest.mark.parametrize(
    "keys, alpha, capacity, per_tick, runs",
    [(500_000, 1.1, 20_000, 1280, 150), (100_000, 0.8, 10_000, 960, 150)],
)
def test_first_ticks_agree_with_a_cold_lru(keys, alpha, capacity, per_tick, runs):
    simulated = cold_lru_hits(keys, alpha, capacity, per_tick, 3, runs, seed=5)
    pop = cache.zipf_popularity(keys, alpha)
    steady = cache.lru_hit_ratio(pop, capacity)
    for tick in range(3):
        model = tick_warm_up_factor(pop, capacity, tick * per_tick, per_tick) * steady
        assert model == pytest.approx(simulated[tick], rel=0.03), tick
    end_of_tick = cache.warm_up_factor(pop, capacity, per_tick) * steady
    assert end_of_tick > 1.1 * simulated[0]  # what the engine uses today


def test_factor_is_the_mean_of_the_end_values_and_reaches_one():
    pop = cache.zipf_popularity(100_000, 0.9)
    factor = tick_warm_up_factor(pop, 5000, 0, 1000)
    points = [cache.warm_up_factor(pop, 5000, 1000 * (i + 0.5) / 200) for i in range(200)]
    assert factor == pytest.approx(sum(points) / 200, rel=1e-3)
    t_c = cache.characteristic_time(pop, 5000, "lru")
    assert tick_warm_up_factor(pop, 5000, t_c, 10) == 1.0
    assert 0 < tick_warm_up_factor(pop, 5000, t_c - 5, 10) <= 1.0
    with pytest.raises(ValueError):
        tick_warm_up_factor(pop, 5000, -1, 10)
