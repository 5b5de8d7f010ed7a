"""A restarted cache's hit ratio averaged over a tick, not read at the tick's end (model.md 3).

An empty cache evicts nothing until it fills, at T_C requests (cache.characteristic_time), so
after x requests a key of share q is cached with probability 1 - exp(-q * min(x, T_C)) and the
hit ratio is h(x) = sum_i p_i * (1 - exp(-p_i * min(x, T_C))). A tick whose reads take the count
from x0 to x1 = x0 + r hits, on average over its reads,

    hbar = (1 / r) * integral_{x0}^{x1} h(x) dx,

and for the part of [x0, x1] below T_C, per key,

    integral (1 - exp(-q x)) dx = (x1 - x0) - (exp(-q x0) - exp(-q x1)) / q.

Above T_C the cache is warm (h = its steady LRU value). The factor returned is hbar divided by
the steady hit ratio, in [0, 1], the same scale as cache.warm_up_factor (which gives h(x1) /
steady: the tick's end, an overstatement in the first ticks, exactly when the herd hits the
database).
"""

from __future__ import annotations

import math

from game.engine import cache
from game.engine.cache import Popularity


def tick_warm_up_factor(
    pop: Popularity, capacity: float, requests_before: float, requests_in_tick: float
) -> float:
    """Warm-up of a restarted cache averaged over the reads of one tick, as a share of its
    steady hit ratio. requests_before: reads the cache has seen since it started empty, before
    this tick; requests_in_tick: reads in this tick (0 gives the value at requests_before)."""
    if not (requests_before >= 0 and math.isfinite(requests_in_tick) and requests_in_tick >= 0):
        raise ValueError("request counts must be >= 0 (and finite for the tick)")
    if requests_in_tick == 0:
        return cache.warm_up_factor(pop, capacity, requests_before)
    t_c = cache.characteristic_time(pop, capacity, "lru")
    steady = cache.lru_hit_ratio(pop, capacity)
    if steady <= 0:
        return 1.0
    x0, x1 = requests_before, requests_before + requests_in_tick
    if x0 >= t_c:
        return 1.0
    cold_end = min(x1, t_c)
    total = 0.0
    for n, q in pop.buckets:
        if q <= 0:
            continue
        # exp(-q x0) - exp(-q x1) without losing digits when q (x1 - x0) is tiny
        drop = math.exp(-q * x0) * -math.expm1(-q * (cold_end - x0))
        total += n * q * ((cold_end - x0) - drop / q)
    total += steady * (x1 - cold_end)  # the part of the tick after the cache filled
    return min(1.0, max(0.0, total / requests_in_tick / steady))
