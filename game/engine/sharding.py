"""A sharded primary: the relational store's keys split by a hash of the key over N shards.

What is modelled (and said in the codex):

- Each shard is a primary of the primary's size with its own queue (one server each), and the
  site pays for N of them. A key lives on the shard its hash picks, so a request goes to the
  shard of its key.
- Load by key popularity (Zipf over the level's keys, the popularity the caches use): the
  hottest key's share p1 is all on one shard, and over a hash the other keys spread evenly in
  expectation, so that shard gets p1 + (1 - p1) / N of the keyed requests and every other shard
  (1 - p1) / N. Writes and the reads that reach the store without a cache are keyed that way.
  Reads that missed a cache are spread evenly (1 / N each): the hottest key is the first one a
  cache holds, so its reads seldom reach the store.
- A join needs rows of every shard: it sends a sub-query to each (scatter-gather), each doing
  1 / N of the join's work, and it answers when the slowest shard has (the maximum of the
  shards' response times, independent queues: its CDF is the product of theirs).
- The data tier's latency and drops are the shards' own, mixed by their share of the requests:
  the hot shard can melt while the others idle. The tier reports its hottest shard's load.
- Changing N moves keys between shards: for catalog.RESHARD_TICKS every shard serves at
  catalog.RESHARD_CAPACITY_SHARE of its capacity, and the database takes no other change.

Replicas keep serving reads as one pool in front of every shard (their copies are not split
by key here); a key-value store already spreads its keys over its nodes and is not sharded.
"""

from __future__ import annotations

from functools import lru_cache

from game.engine import catalog, shapes
from game.engine.actions import Action
from game.engine.latency import Dist
from game.engine.scenario import Scenario, Settings
from game.engine.tiers import Group, TierOutcome
from game.engine.topology import Topology

NAME = "primary"  # the sharded primary reports as the primary tier, its queues one per shard
SLOWED = "shards slowed"  # what a resharding takes out of service: a share of every shard


def moves(kind: str, settings: Settings, scenario: Scenario, more: bool = False) -> list[Action]:
    """The shard counts a primary is offered (catalog.SHARD_CHOICES), where the level unlocks
    sharding and the store is relational: split into N, or merge back into one (`more`: only
    the counts above the current one, the fewest first)."""
    if kind != "primary" or settings.store != "relational" or not scenario.allows("shards"):
        return []
    return [
        Action(0, "configure", target="database", setting="shards", value=n)
        for n in catalog.SHARD_CHOICES
        if n > settings.shards or (n != settings.shards and not more)
    ]


def priced(topology: Topology, shards: int, value: object) -> tuple[float, int, str]:
    """A resharding's price: the change in cost per tick (a primary's for each shard added or
    taken away), how long the keys move, and what it slows meanwhile."""
    primary = topology.of_kind("primary")
    each = primary[0].spec.cost if primary else 0.0
    count = int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 1
    return (count - shards) * each, catalog.RESHARD_TICKS, SLOWED


def hot_share(keys: int, alpha: float, shards: int) -> float:
    """The share of the keyed requests the shard holding the hottest key gets, in expectation
    over the hash: p1 + (1 - p1) / N."""
    if shards <= 1:
        return 1.0
    p1 = shapes.popularity(keys, alpha).buckets[0][1]
    return p1 + (1.0 - p1) / shards


def shares(keys: int, alpha: float, shards: int) -> tuple[float, ...]:
    """Every shard's share of the keyed requests, the hot shard first."""
    hot = hot_share(keys, alpha, shards)
    cold = (1.0 - hot) / (shards - 1) if shards > 1 else 0.0
    return (hot,) + (cold,) * (shards - 1)


def shard_capacity(size: str, resharding: bool) -> float:
    """Query units per second one shard completes (less while keys move)."""
    capacity = catalog.KINDS["primary"].sizes[size].capacity
    return capacity * (catalog.RESHARD_CAPACITY_SHARE if resharding else 1.0)


def groups(
    tick_keys: int,
    alpha: float,
    shards: int,
    capacity: float,
    reads: float,
    joins: float,
    writes: float,
    reads_even: bool,
) -> tuple[list[Group], float]:
    """The shards as queue groups, and the requests that arrive at them in all.

    A shard's arrivals count a join as 1 / N of a request doing 1 / N of its work, so the
    arrivals sum to the requests and each shard's service rate is its capacity over its own
    mix of work."""
    keyed = shares(tick_keys, alpha, shards)
    even = 1.0 / shards
    lam = reads + joins + writes
    out = []
    for i, share in enumerate(keyed):
        r = reads * (even if reads_even else share)
        w = writes * share
        j = joins / shards
        arrivals = r + w + j
        units = r * catalog.READ_UNITS + w * catalog.WRITE_UNITS + j * catalog.JOIN_UNITS
        per_request = units / arrivals if arrivals > 0 else catalog.READ_UNITS
        part = arrivals / lam if lam > 0 else 1.0 / shards
        out.append(Group(f"{NAME}:shard{i + 1}", 1, capacity / per_request, part))
    return out, lam


def utilizations(group_list: list[Group], lam: float) -> tuple[float, ...]:
    """Each shard's load: its arrivals over what it completes."""
    return tuple(lam * g.share / g.mu if g.mu > 0 else 0.0 for g in group_list)


def slowest_of(outcome: TierOutcome, shards: int) -> Dist | None:
    """A scatter-gather join's latency at the shards: the slowest of the shards' answers."""
    dists = outcome.dists
    if not dists or any(d is None for d in dists):
        return outcome.dist
    counts: dict[Dist, int] = {}
    for d in dists:
        if d is not None:
            counts[d] = counts.get(d, 0) + 1
    return slowest(tuple(sorted(counts.items(), key=lambda p: (-p[1], p[0].mean()))))


# The max is kept as point masses on its quantiles: an atom at each of these, carrying the
# probability from the midpoint below it to the midpoint above. Every percentile a level may
# grade (catalog.LATENCY_PERCENTILES) is an atom, so the max's own percentiles there are exact;
# between atoms a percentile is that of the nearest quantile here.
QUANTILES: tuple[float, ...] = tuple(k / 20 for k in range(1, 18)) + (
    0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.985, 0.99, 0.993, 0.995, 0.997, 0.998, 0.999,
    0.9995, 0.9999,
)  # fmt: skip
_EDGES: tuple[float, ...] = (
    (0.0,) + tuple((a + b) / 2 for a, b in zip(QUANTILES, QUANTILES[1:])) + (1.0,)
)


@lru_cache(maxsize=256)
def slowest(parts: tuple[tuple[Dist, int], ...]) -> Dist:
    """The maximum of independent latencies, `n` copies of each (dist, n): its CDF is the
    product of theirs, F1(t)^n1 * F2(t)^n2 ..., discretised on its quantiles (_EDGES)."""
    total = sum(n for _, n in parts)
    if total == 1:
        return parts[0][0]

    def cdf(t: float) -> float:
        out = 1.0
        for d, n in parts:
            out *= d.cdf(t) ** n
        return out

    def quantile(q: float) -> float:
        # max >= each part's own quantile; and F_max(t) >= q once every F_i(t) >= 1-(1-q)/total
        lo = max(d.percentile(q) for d, _ in parts)
        hi = max(d.percentile(1.0 - (1.0 - q) / total) for d, _ in parts)
        while hi - lo > 1e-12 + 1e-9 * hi:
            mid = 0.5 * (lo + hi)
            if cdf(mid) < q:
                lo = mid
            else:
                hi = mid
        return hi

    weights = [b - a for a, b in zip(_EDGES, _EDGES[1:])]
    return Dist(tuple((w, quantile(q), ()) for w, q in zip(weights, QUANTILES)))
