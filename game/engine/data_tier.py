"""The data tier in a tick: the reads the cache missed, joins and writes, served by the store.

A relational store sends writes (and, without replicas, everything) to its primary and reads
and joins to its replicas; the replicas' lag makes some of their reads stale (replication.py).
Without a healthy primary, or during a promotion, writes fail. A key-value store spreads reads
and writes over every data node but cannot answer a join. Capacities are in query units, and
each kind of request costs its own number of them.
"""

from __future__ import annotations

import dataclasses

from game.engine import catalog, shapes, sharding
from game.engine.latency import Dist
from game.engine.replication import apply_rate
from game.engine.tick import Tick
from game.engine.tiers import Group, TierOutcome
from game.engine.topology import HEALTHY, Pool


def speedup(store: str) -> float:
    """How many times the lookups of a relational node of its size a data node of `store`
    serves: KEYVALUE_SPEEDUP for a key-value store."""
    return catalog.KEYVALUE_SPEEDUP if store == "keyvalue" else 1.0


def capacity(kind: str, size: str, store: str) -> float:
    """Query units per second one data node (primary or replica) completes when up."""
    return catalog.KINDS[kind].sizes[size].capacity * speedup(store)


def serve(
    tick: Tick,
    web_dist: Dist | None,
    cache_dist: Dist | None,
    reads: float,
    joins: float,
    writes: float,
    write_grid: float,
) -> None:
    """Serve what reached the store: `reads` (the cache's misses), `joins` and `writes` from
    the web tier; `write_grid` is the tick's write rate on the grid (cache_tier.rate_grid),
    which keys go stale at."""
    hop = catalog.HOP_S
    paths = _Paths(
        web_dist,
        cache_dist,
        shapes.point(tick.traffic.origin_rtt_s + hop * (2 if cache_dist else 1)),
        shapes.point(tick.traffic.origin_rtt_s + hop),
    )
    topology = tick.topology
    replication = tick.state.replication
    primaries, replicas = topology.pool("primary"), topology.pool("replica")
    if tick.settings.store == "keyvalue":
        tick.fail("store_cannot_join", joins)
        _keyvalue(tick, primaries, replicas, reads, writes, paths)
        return
    primary_nodes = topology.of_kind("primary")
    primary_ok = (
        bool(primary_nodes) and primary_nodes[0].state == HEALTHY and replication.promotion is None
    )
    if topology.of_kind("replica"):
        tick.replica_lag_s = 0.0
    if replicas.nodes:
        reads_tier = _store_tier(tick, "replicas", replicas, reads, joins, 0.0)
        paths.add(tick, reads_tier, reads, joins, 0.0)
        _replicate(tick, replicas, reads_tier, reads, joins, write_grid)
        if primary_ok:
            tier = _primary(tick, primaries, 0.0, 0.0, writes, paths)
            replication.wrote(tier.served)
        else:
            tick.fail("primary_down", writes)
            tick.serve("primary", [], 0.0)
            replication.wrote(0.0)
        return
    if not primary_ok:
        tick.fail("primary_down", reads + joins + writes)
        tick.serve("primary", [], 0.0)
        replication.wrote(0.0)
        return
    tier = _primary(tick, primaries, reads, joins, writes, paths)
    replication.wrote(tier.served * _part(writes, reads + joins + writes))


class _Paths:
    """The latencies a request crosses on its way to the store and back, by kind."""

    __slots__ = ("web", "cache", "read_rtt", "one_hop")

    def __init__(self, web: Dist | None, cache: Dist | None, read_rtt: Dist, one_hop: Dist):
        self.web = web
        self.cache = cache  # the cache tier a read missed in, or None
        self.read_rtt = read_rtt  # the round trip of a read: one hop more past a cache
        self.one_hop = one_hop

    def add(
        self,
        tick: Tick,
        tier: TierOutcome,
        reads: float,
        joins: float,
        writes: float,
        through_cache: bool = True,
    ) -> None:
        """Split what a store tier served over the paths of the kinds that arrived at it.
        Reads are charged the cache tier's latency only `through_cache` (the model charges a
        key-value store's reads the round trip past the cache, not its queue)."""
        lam = reads + joins + writes
        if lam <= 0:  # only queued requests were served: count them as reads
            reads = lam = 1.0
        cache = self.cache if through_cache else None
        tick.path("read", tier.served * reads / lam, self.read_rtt, self.web, cache, tier.dist)
        tick.path("join", tier.served * joins / lam, self.one_hop, self.web, tier.dist)
        tick.path("write", tier.served * writes / lam, self.one_hop, self.web, tier.dist)


def _primary(
    tick: Tick, pool: Pool, reads: float, joins: float, writes: float, paths: _Paths
) -> TierOutcome:
    """The primary serves what reaches it, and its paths are recorded: one queue, or one per
    shard where the primary is sharded (sharding.py)."""
    shards = tick.settings.shards
    if shards <= 1:
        tier = _store_tier(tick, "primary", pool, reads, joins, writes)
        paths.add(tick, tier, reads, joins, writes)
        return tier
    traffic = tick.traffic
    capacity = sharding.shard_capacity(pool.nodes[0].size, tick.state.resharding_until is not None)
    even = paths.cache is not None  # reads that missed a cache: the hot key is seldom among them
    groups, lam = sharding.groups(
        traffic.keys, traffic.zipf_alpha, shards, capacity, reads, joins, writes, even
    )
    tier = tick.serve(sharding.NAME, groups, lam, "primary")
    loads = sharding.utilizations(groups, lam)
    report = tick.tiers[-1]
    tick.tiers[-1] = dataclasses.replace(report, utilization=max(loads), shards=loads)
    if lam <= 0:
        paths.add(tick, tier, reads, joins, writes)
        return tier
    served, dist, hop = tier.served, tier.dist, paths.one_hop
    tick.path("read", served * reads / lam, paths.read_rtt, paths.web, paths.cache, dist)
    tick.path("write", served * writes / lam, hop, paths.web, dist)
    if joins > 0:  # a join asks every shard and waits for the slowest
        tick.path("join", served * joins / lam, hop, paths.web, sharding.slowest_of(tier, shards))
    return tier


def _store_tier(
    tick: Tick, name: str, pool: Pool, reads: float, joins: float, writes: float
) -> TierOutcome:
    """A relational tier: its capacity in query units shared by the request kinds it gets."""
    lam = reads + joins + writes
    servers = len(pool.nodes)
    units = reads * catalog.READ_UNITS + joins * catalog.JOIN_UNITS + writes * catalog.WRITE_UNITS
    per_request = units / lam if lam > 0 else catalog.READ_UNITS
    mu = pool.capacity / servers / per_request
    kind = "replica" if name == "replicas" else "primary"
    return tick.serve(name, [Group(f"{name}:pool", servers, mu, 1.0)], lam, kind)


def _keyvalue(
    tick: Tick, primaries: Pool, replicas: Pool, reads: float, writes: float, paths: _Paths
) -> None:
    lam = reads + writes
    servers = len(primaries.nodes) + len(replicas.nodes)
    if not servers:
        tick.fail("store_down", lam)
        tick.serve("keyvalue", [], 0.0)
        return
    per_request = (reads * catalog.READ_UNITS + writes * catalog.WRITE_UNITS) / lam if lam else 1.0
    mean = (primaries.capacity + replicas.capacity) / servers * speedup("keyvalue")
    group = Group("keyvalue:pool", servers, mean / per_request, 1.0)
    tier = tick.serve("keyvalue", [group], lam, "primary")
    paths.add(tick, tier, reads, 0.0, writes, through_cache=False)
    tick.state.replication.wrote(tier.served * _part(writes, lam))


def _replicate(
    tick: Tick,
    replicas: Pool,
    tier: TierOutcome,
    reads: float,
    joins: float,
    write_grid: float,
) -> None:
    """Replica lag as a backlog of unapplied writes; reads inside the lag window are stale."""
    lag = tick.replica_lag_s = tick.state.replication.lag_s(apply_rate(replicas.slowest))
    served_reads = tier.served * _part(reads + joins, reads + joins)
    stale = shapes.replica_stale(
        tick.traffic.keys, tick.traffic.zipf_alpha, write_grid, shapes.grid(lag)
    )
    tick.stale(served_reads * stale)


def _part(x: float, whole: float) -> float:
    return x / whole if whole > 0 else 0.0
