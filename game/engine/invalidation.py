"""Stale cache hits when writes invalidate: the race between a miss's fill and a write.

With invalidate_on_write, a write deletes its key from the cache, so a cached value can only be
stale through a race: a read misses, reads the row from the database, and sets the cache
`race_window_s` later; a write that lands inside that window deletes nothing (the entry is not
there yet) and the set then installs the old value. That entry stays until the key's next write
deletes it or the TTL expires it, so it is stale for its whole life.

Writes to a key are Poisson at omega = q * write_rps, so a fill is poisoned with probability

    p = 1 - exp(-omega * race_window_s)      (about omega * window)

and a poisoned entry lives as long as a clean one: the next write after the set is Exp(omega)
away (memoryless) and the TTL is the same. Hits are spread over entries in proportion to their
lives, so p is also the share of that key's hits that are stale. The older count (cache.stale_share)
took a hit's age as uniform over the window and got about half of that.

Without invalidation nothing changes from cache.stale_share: a hit is stale when its key was
written since the fill, over the TTL.
"""

from __future__ import annotations

import math

from game.engine import cache
from game.engine.cache import Popularity


def race_stale_share(
    pop: Popularity,
    read_rps: float,
    ttl_s: float,
    write_rps: float,
    invalidate_on_write: bool,
    race_window_s: float,
) -> float:
    """Share of cache hits that return a value changed since it was cached.

    Same inputs as cache.stale_share. With invalidation each key's hits are stale with
    probability 1 - exp(-q * write_rps * race_window_s), weighted by the key's hits; without
    it this is cache.stale_share.
    """
    if not invalidate_on_write:
        return cache.stale_share(
            pop, read_rps, ttl_s, write_rps, invalidate_on_write, race_window_s
        )
    if not race_window_s >= 0:
        raise ValueError(f"race_window_s must be >= 0 seconds, got {race_window_s!r}")
    hit_total = stale_total = 0.0
    for (n, q), hit in zip(pop.buckets, cache._ttl_hits(pop, read_rps, ttl_s, write_rps, True)):
        weight = n * q * hit
        hit_total += weight
        stale_total += weight * poisoned_fill_probability(q * write_rps, race_window_s)
    return min(1.0, max(0.0, stale_total / hit_total)) if hit_total > 0 else 0.0


def poisoned_fill_probability(key_write_rps: float, race_window_s: float) -> float:
    """1 - exp(-omega * window): a write lands between a miss's database read and its set."""
    if not (key_write_rps >= 0 and race_window_s >= 0):
        raise ValueError("write rate and race window must be >= 0")
    if key_write_rps == 0 or race_window_s == 0:
        return 0.0
    return -math.expm1(-key_write_rps * race_window_s)
