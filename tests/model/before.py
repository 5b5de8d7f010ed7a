"""What the engine computed before the model work (test-only), so that a test can show the
simulation tells the two apart: each figure here is one the engine no longer uses.

- overload: one number carried per queue, capped at c*mu*timeout, the excess dropped on
  arrival (the plain fluid model);
- least connections: one shared M/M/c queue (queueing.mmc_response);
- lost writes: w * (d + B / a), and the lag d + B / a;
- the invalidation race: a hit's age uniform over the race window, 1 - (1 - e^-x) / x with
  x = omega * window (about half of omega * window);
- cold start: the warm-up at the tick's end, not averaged over its reads.
"""

from __future__ import annotations

import math

from game.engine import cache
from game.engine.cache import Popularity


def fluid_queue(backlog: float, lam: float, c: int, mu: float, timeout_s: float):
    """One tick of the plain fluid model: (served, dropped, backlog)."""
    rate = c * mu
    offered = backlog + lam
    served = min(rate, offered)
    queued = offered - served
    dropped = max(0.0, queued - rate * timeout_s)
    return served, dropped, queued - dropped


def lost_writes(backlog: float, write_rps: float, apply_rps: float, delay_s: float) -> float:
    return write_rps * (delay_s + backlog / apply_rps)


def lag_s(backlog: float, apply_rps: float, delay_s: float) -> float:
    return delay_s + backlog / apply_rps


def race_stale_share(
    pop: Popularity, read_rps: float, ttl_s: float, write_rps: float, window_s: float
) -> float:
    """The share of hits stale through the race, with invalidation on write."""
    hits = [
        cache.ttl_hit_ratio(cache.zipf_popularity(1, 0.0), q * read_rps, ttl_s, q * write_rps)
        for _, q in pop.buckets
    ]
    hit_total = stale_total = 0.0
    for (n, q), hit in zip(pop.buckets, hits):
        x = q * write_rps * min(ttl_s, window_s)
        hit_total += n * q * hit
        stale_total += n * q * hit * (1 - (-math.expm1(-x) / x if x > 0 else 1.0))
    return stale_total / hit_total if hit_total > 0 else 0.0


def warm_up_at_tick_end(pop: Popularity, capacity: float, before: float, in_tick: float) -> float:
    """The warm-up factor read once the tick's reads are counted."""
    return cache.warm_up_factor(pop, capacity, before + in_tick)
