"""Cache nodes refilling after a restart, from tick to tick.

A node that starts empty answers its share of the reads only as well as it has refilled: its
warm-up factor (cache.warm_up_factor, averaged over each tick's reads) of the reads the ring has
seen since the node came back. Every warming node sees the same reads, so a node's count is the
ring's count now less the count when it came back. The factor is worked out with both counts of
the tick on the shape grid; once they fall on one grid point it holds until the count leaves
that point. So a tick works out again only the nodes whose count has moved to another point:
those whose count crossed one last tick (most, while a node is nearly empty and a tick's reads
span several points) and those whose count reaches the next point now (a heap of the counts at
which each is due), however many nodes are warming.
"""

from __future__ import annotations

import heapq
from math import exp, log

from game.engine import catalog
from game.engine.shapes import SHAPE_STEP, grid_bound, warm_up_at, warmed
from game.engine.topology import Pool, Topology

# A count's point on the shape grid and the integral `warmed` up to it, one object per point
# (a run's counts on one point share it: `is` tells whether two counts fall on one point).
_Point = tuple[float, float]
_NONE: _Point = (0.0, 0.0)  # no reads yet


class Warming:
    """The warming cache nodes of a run: when each came back, and what it misses now."""

    __slots__ = (
        "_reads",
        "_pool",
        "_factors",
        "_points",
        "_nodes",
        "_missing",
        "_next",
        "_due",
        "_seq",
        "_total",
    )

    def __init__(self) -> None:
        self._reads = 0.0  # reads the ring has seen since the run began
        self._pool: Pool | None = None  # the cache pool the nodes below were read from
        self._factors: tuple[int, int, float] = (0, 0, 0.0)  # (ring, keys, alpha) they were for
        self._points: dict[int, _Point] = {}  # grid index -> its point, for those factors
        # node -> (reads when it came back, its share of the ring, its entry (the one it is
        # due on), its epoch, the last count of reads it was worked out at, and that count's
        # point: the next tick starts where that one ended)
        self._nodes: dict[str, tuple[float, float, int, int, float, _Point]] = {}
        self._missing: dict[str, float] = {}  # node -> share of the ring's reads it misses
        self._next: list[tuple[int, str]] = []  # (entry, node) due at the next tick
        self._due: list[tuple[float, int, str]] = []  # (count it is due at, entry, node)
        self._seq = 0
        self._total: float | None = None  # the sum of _missing, while no share has changed

    def missing(
        self, topology: Topology, ring: int, reads: float, keys: int, alpha: float
    ) -> float:
        """Count this tick's `reads` and return the share of the ring's reads its warming nodes
        miss this tick (popularity: `keys` keys, Zipf `alpha`); a node that is warm again stops
        warming."""
        before = self._reads
        after = self._reads = before + reads
        pool = topology.pool("cache")
        factors = (ring, keys, alpha)
        if pool is not self._pool or factors != self._factors:
            self._resync(topology, pool, factors, before)
            self._total = None
        ready, due = self._next, self._due
        while due and due[0][0] <= after:
            ready.append(heapq.heappop(due)[1:])
        if ready:
            self._next = []
            self._total = None
            self._work_out(topology, ready, before, after)
        total = self._total
        if total is None:  # the same sum, in the same order, until a share changes
            total = self._total = sum(self._missing.values())
        return total

    def _work_out(
        self, topology: Topology, ready: list[tuple[int, str]], before: float, after: float
    ) -> None:
        """The factors of the nodes in `ready` over the tick that took the ring's count of
        reads from `before` to `after` (the order of `ready` does not matter: each node's
        factor is its own)."""
        tracking, missing, later, due = self._nodes, self._missing, self._next, self._due
        point_of = self._point
        ring, keys, alpha = self._factors
        warm_at = catalog.CACHE_WARM_AT
        for entry, node_id in ready:
            tracked = tracking.get(node_id)
            if tracked is None or tracked[2] != entry:
                continue  # no longer warming, or due again later
            start, share, _, epoch, counted, seen = tracked
            count = before - start
            if count != counted:  # not the count the node reached when last worked out
                seen = point_of(count)
            count = after - start
            now = point_of(count)
            # The warm-up factor over the tick (cache.warm_up_factor): the mean of h / steady
            # over its reads, a difference of the remembered integral at both counts.
            if seen is now:
                value = warm_up_at(keys, alpha, ring, now[0])
            else:
                value = (now[1] - seen[1]) / (now[0] - seen[0])
                value = value if value > 0.0 else 0.0  # rounding must not leave [0, 1]
                value = value if value < 1.0 else 1.0
            if value >= warm_at:
                topology.mark_warm(topology.nodes[node_id])
                del tracking[node_id], missing[node_id]
                continue
            missing[node_id] = share * (1.0 - value)
            self._seq = entry = self._seq + 1
            tracking[node_id] = (start, share, entry, epoch, count, now)
            # the value holds while both counts fall on one grid point: due when it leaves it
            if seen is now and now is not _NONE:
                heapq.heappush(due, (start + grid_bound(now[0]), entry, node_id))
            else:
                later.append((entry, node_id))

    def _point(self, count: float) -> _Point:
        """`count`'s point on the shape grid (as shapes.grid rounds it), with the integral up to
        it."""
        if count <= 0:
            return _NONE
        index = round(log(count) / SHAPE_STEP)
        found = self._points.get(index)
        if found is None:
            ring, keys, alpha = self._factors
            point = exp(index * SHAPE_STEP)
            found = self._points[index] = (point, warmed(keys, alpha, ring, point))
        return found

    def _resync(
        self, topology: Topology, pool: Pool, factors: tuple[int, int, float], before: float
    ) -> None:
        """The cache nodes changed: track the healthy ones refilling (one that came back this
        tick from now) and forget the rest; every factor is worked out again if the ring's size
        (and so each node's share) or the popularity changed."""
        healthy = {n.id for n in pool.nodes}
        nodes = topology.nodes
        for node_id, tracked in list(self._nodes.items()):
            node = nodes.get(node_id)
            # gone, down, warm, or restarted since (a new epoch): no longer this refill
            if node_id not in healthy or not topology.warming(node_id) or node.epoch != tracked[3]:
                del self._nodes[node_id], self._missing[node_id]
        if not self._nodes:
            self._due.clear()
            self._next.clear()
        same = factors == self._factors
        if not same:
            self._points.clear()
        items = catalog.KINDS["cache"].items
        for node in topology.cold_caches.values():
            if node.id not in healthy or (node.id in self._nodes and same):
                continue
            start = self._nodes[node.id][0] if node.id in self._nodes else before
            share = items[node.size] / factors[0]
            self._missing.setdefault(node.id, share)
            self._seq += 1
            self._nodes[node.id] = (start, share, self._seq, node.epoch, -1.0, _NONE)
            self._next.append((self._seq, node.id))
        self._pool, self._factors = pool, factors
