"""The cache tier in a tick: the share of reads it answers, how stale they are, and its queue.

The hit ratio of a warm cache comes from key popularity (cache.py); a node that restarted empty
answers less until it has seen enough reads to refill (warmup.py), and a failed node's keys
miss. Hit ratios and stale shares are remembered on the rate grid (shapes.py), so a steady tick
computes none.
"""

from __future__ import annotations

from game.engine import catalog, shapes
from game.engine.latency import Dist
from game.engine.tick import Tick
from game.engine.tiers import Group


def hit_ratio(tick: Tick, reads: float, r: float, w: float) -> float:
    """Share of reads the cache tier answers this tick (dead and cold nodes answer less);
    `r` and `w`: the tick's read and write rates on the grid (rate_grid)."""
    # Clients hash keys over the nodes that have joined: a new node takes its share only once
    # it is up; a failed or restarting one keeps its share, and those reads miss.
    pool = tick.topology.pool("cache")
    total = pool.ring_items
    if not total:
        return 0.0
    s, traffic = tick.settings, tick.traffic
    steady = shapes.hit_ratio(
        traffic.keys, traffic.zipf_alpha, total, s.eviction, r, s.ttl_s, w, s.invalidate_on_write
    )
    answered = pool.items / total
    topology = tick.topology
    if topology.cold_caches:
        warming = tick.state.warming
        answered -= warming.missing(topology, total, reads, traffic.keys, traffic.zipf_alpha)
    return steady * min(1.0, max(0.0, answered))  # rounding must not leave [0, 1]


def stale_share(tick: Tick, r: float, w: float) -> float:
    """Share of cache hits that return a value changed since it was cached (`r`, `w`: the read
    and write rates on the grid)."""
    s, traffic = tick.settings, tick.traffic
    return shapes.stale_share(
        traffic.keys,
        traffic.zipf_alpha,
        r,
        s.ttl_s,
        w,
        s.invalidate_on_write,
        catalog.INVALIDATION_RACE_S,
    )


def serve_reads(
    tick: Tick, web_reads: float, web_dist: Dist | None, hit: float, r: float, w: float
) -> tuple[float, Dist | None]:
    """The web tier's reads through the cache tier: its hits are served (and some are stale);
    returns the misses, which go on to the data tier, and the cache tier's latency (None when
    no cache node took them)."""
    pool = tick.topology.pool("cache")
    servers = len(pool.nodes)
    if not servers or web_reads <= 0:
        return web_reads, None
    tier = tick.serve(
        "cache", [Group("cache:pool", servers, pool.capacity / servers, 1.0)], web_reads
    )
    hits = tier.served * hit
    rtt = shapes.point(tick.traffic.origin_rtt_s + catalog.HOP_S)
    tick.path("cache_hit", hits, rtt, web_dist, tier.dist)
    tick.stale(hits * stale_share(tick, r, w))
    return tier.served - hits, tier.dist


def rate_grid(x: float) -> float:
    """A rate or count on the shape grid (hit ratios and staleness move smoothly with it)."""
    return shapes.grid(x) if x > 0 else 0.0
