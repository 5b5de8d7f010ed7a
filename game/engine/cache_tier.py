"""The cache tier in a tick: the share of reads it answers, how stale they are, and its queue.

The hit ratio of a warm cache comes from key popularity (cache.py); a node that restarted empty
answers less until it has seen enough reads to refill, and a failed node's keys miss. Hit ratios
and stale shares are remembered on the rate grid (shapes.py), so a steady tick computes none.
"""

from __future__ import annotations

from game.engine import catalog, shapes
from game.engine.latency import Dist
from game.engine.tick import Tick
from game.engine.tiers import Group
from game.engine.topology import HEALTHY, Node


def hit_ratio(tick: Tick, reads: float, writes: float) -> float:
    """Share of reads the cache tier answers this tick (dead and cold nodes answer less)."""
    # Clients hash keys over the nodes that have joined: a new node takes its share only once
    # it is up; a failed or restarting one keeps its share, and those reads miss.
    ring = [n for n in tick.topology.of_kind("cache") if n.joined]
    if not ring:
        return 0.0
    items = catalog.KINDS["cache"].items
    total = sum(items[n.size] for n in ring)
    s, traffic = tick.settings, tick.traffic
    r, w = rate_grid(reads), rate_grid(writes)
    steady = shapes.hit_ratio(
        traffic.keys, traffic.zipf_alpha, total, s.eviction, r, s.ttl_s, w, s.invalidate_on_write
    )
    healthy = sum(
        items[size] * n
        for (kind, size), n in tick.topology.healthy_sizes.items()
        if kind == "cache"
    )
    answered = healthy / total
    for node in list(tick.topology.cold_caches.values()):
        if node.state == HEALTHY:
            share = items[node.size] / total
            answered -= share * (1 - _warmth(tick, node, share, total, reads))
    return steady * min(1.0, max(0.0, answered))  # rounding must not leave [0, 1]


def _warmth(tick: Tick, node: Node, share: float, total: float, reads: float) -> float:
    """How far a restarted node has refilled, on average over this tick's reads: 1 once it
    holds its share of hot keys."""
    seen, now = rate_grid(node.warm_requests / share), rate_grid(reads)
    node.warm_requests += reads * share
    factor = shapes.warm_up(tick.traffic.keys, tick.traffic.zipf_alpha, total, seen, now)
    if factor >= 0.9999:
        tick.topology.mark_warm(node)
        return 1.0
    return factor


def stale_share(tick: Tick, reads: float, writes: float) -> float:
    """Share of cache hits that return a value changed since it was cached."""
    s, traffic = tick.settings, tick.traffic
    r, w = rate_grid(reads), rate_grid(writes)
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
    tick: Tick, web_reads: float, web_dist: Dist | None, hit: float, reads: float, writes: float
) -> tuple[float, Dist | None]:
    """The web tier's reads through the cache tier: its hits are served (and some are stale);
    returns the misses, which go on to the data tier, and the cache tier's latency (None when
    no cache node took them)."""
    ring_healthy = [n for n in tick.topology.of_kind("cache") if n.state == HEALTHY]
    if not ring_healthy or web_reads <= 0:
        return web_reads, None
    mu = sum(n.spec.capacity for n in ring_healthy) / len(ring_healthy)
    tier = tick.serve("cache", [Group("cache:pool", len(ring_healthy), mu, 1.0)], web_reads)
    hits = tier.served * hit
    rtt = tick.point(tick.traffic.origin_rtt_s + catalog.HOP_S)
    tick.path(hits, rtt, web_dist, tier.dist)
    tick.stale(hits * stale_share(tick, reads, writes))
    return tier.served - hits, tier.dist


def rate_grid(x: float) -> float:
    """A rate or count on the shape grid (hit ratios and staleness move smoothly with it)."""
    return shapes.grid(x) if x > 0 else 0.0
