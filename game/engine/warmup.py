"""Cache nodes refilling after a restart, from tick to tick.

A node that starts empty answers its share of the reads only as well as it has refilled: its
warm-up factor (cache.warm_up_factor, averaged over each tick's reads) of the reads the ring has
seen since the node came back. Every warming node sees the same reads, so a node's count is the
ring's count now less the count when it came back. The factor is worked out with both counts of
the tick on the shape grid; once they fall on one grid point it holds until the count leaves
that point. So a tick works out again only the nodes whose count has reached their next point
(a heap of the counts at which each is due), however many nodes are warming.
"""

from __future__ import annotations

import heapq

from game.engine import catalog
from game.engine.shapes import grid, grid_bound, warm_up_at, warmed
from game.engine.topology import Pool, Topology


class Warming:
    """The warming cache nodes of a run: when each came back, and what it misses now."""

    __slots__ = ("_reads", "_pool", "_ring", "_nodes", "_missing", "_due", "_seq", "_total")

    def __init__(self) -> None:
        self._reads = 0.0  # reads the ring has seen since the run began
        self._pool: Pool | None = None  # the cache pool the nodes below were read from
        self._ring = 0  # keys the ring held then
        # node -> (reads when it came back, its share of the ring, its heap entry, its epoch,
        # and the last count of reads it was worked out at, since then, with that count on
        # the grid: the next tick starts where that one ended)
        self._nodes: dict[str, tuple[float, float, int, int, float, float]] = {}
        self._missing: dict[str, float] = {}  # node -> share of the ring's reads it misses
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
        if pool is not self._pool or ring != self._ring:
            self._resync(topology, pool, ring, before)
            self._total = None
        due = self._due
        if due and due[0][0] <= after:
            self._total = None
            ready = []
            while due and due[0][0] <= after:
                ready.append(heapq.heappop(due))
            tracking, missing = self._nodes, self._missing
            for _, entry, node_id in ready:
                tracked = tracking.get(node_id)
                if tracked is None or tracked[2] != entry:
                    continue  # no longer warming, or due again later
                start, share, _, epoch, counted, on_grid = tracked
                count = before - start
                if count == counted:  # the count the node reached when last worked out
                    seen = on_grid
                else:
                    seen = grid(count) if count > 0 else 0.0
                count = after - start
                now = grid(count) if count > 0 else 0.0
                # The warm-up factor over the tick (cache.warm_up_factor): the mean of h / steady
                # over its reads, a difference of the remembered integral at both counts.
                if seen == now:
                    value = warm_up_at(keys, alpha, ring, seen)
                else:
                    value = (warmed(keys, alpha, ring, now) - warmed(keys, alpha, ring, seen)) / (
                        now - seen
                    )
                    value = value if value > 0.0 else 0.0  # rounding must not leave [0, 1]
                    value = value if value < 1.0 else 1.0
                if value >= catalog.CACHE_WARM_AT:
                    topology.mark_warm(topology.nodes[node_id])
                    del tracking[node_id], missing[node_id]
                    continue
                missing[node_id] = share * (1.0 - value)
                # the value holds while both counts round to one grid point: due when it
                # leaves it
                due_at = start + grid_bound(seen) if 0 < seen == now else after
                self._seq += 1
                tracking[node_id] = (start, share, self._seq, epoch, count, now)
                heapq.heappush(due, (due_at, self._seq, node_id))
        total = self._total
        if total is None:  # the same sum, in the same order, until a share changes
            total = self._total = sum(self._missing.values())
        return total

    def _resync(self, topology: Topology, pool: Pool, ring: int, before: float) -> None:
        """The cache nodes changed: track the healthy ones refilling (one that came back this
        tick from now) and forget the rest; every factor is worked out again if the ring's size
        (and so each node's share) changed."""
        healthy = {n.id for n in pool.nodes}
        nodes = topology.nodes
        for node_id, tracked in list(self._nodes.items()):
            node = nodes.get(node_id)
            # gone, down, warm, or restarted since (a new epoch): no longer this refill
            if node_id not in healthy or not topology.warming(node_id) or node.epoch != tracked[3]:
                del self._nodes[node_id], self._missing[node_id]
        if not self._nodes:
            self._due.clear()
        items = catalog.KINDS["cache"].items
        for node in topology.cold_caches.values():
            if node.id not in healthy or (node.id in self._nodes and ring == self._ring):
                continue
            start = self._nodes[node.id][0] if node.id in self._nodes else before
            share = items[node.size] / ring
            self._missing.setdefault(node.id, share)
            self._nodes[node.id] = (start, share, 0, node.epoch, -1.0, 0.0)
            self._schedule(node.id, before)
        self._pool, self._ring = pool, ring

    def _schedule(self, node_id: str, count: float) -> None:
        """Work node_id's factor out again once the ring has seen `count` reads."""
        self._seq += 1
        start, share, _, epoch, counted, on_grid = self._nodes[node_id]
        self._nodes[node_id] = (start, share, self._seq, epoch, counted, on_grid)
        heapq.heappush(self._due, (count, self._seq, node_id))
