"""The components of a site and their lives: booting, healthy, failed, repaired.

Every component of a kind that fails at random draws its failures from its own seeded stream
(seed, component id), so adding a server never changes when another one fails. Lifetimes are
drawn by inversion when a component becomes healthy, and kept in an event queue, so a tick costs
nothing for the components that did not change.

The site's address is held by one balancer; a second one is a standby. When the holder dies the
standby takes the address over after BALANCER_FAILOVER_TICKS, and every request fails until
then (`front_door`).
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from game.engine import catalog

BOOTING, HEALTHY, FAILED = "booting", "healthy", "failed"
STREAMS = 2048  # failure streams remembered (a site has up to ~1,000 nodes; ~3 KB each)
WEB_KINDS = ("box", "web")
DATA_KINDS = ("primary", "replica")
MIRROR = "datacenter"  # a second data centre: the whole site again, in another region
ID_PREFIX: Mapping[str, str] = MappingProxyType(
    {
        "box": "box",
        "web": "web",
        "balancer": "lb",
        "primary": "db",
        "replica": "replica",
        "cache": "cache",
        "cdn": "cdn",
        "queue": "mq",
        "worker": "worker",
        "sessions": "sessions",
        "datacenter": "dc",
    }
)


class Namer:
    """Gives components their ids: `<prefix>-<n>`, n counting on from the last number given to
    the prefix and skipping ids already taken (an explicit id in a starting build)."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def next_id(self, kind: str, taken: Container[str]) -> str:
        prefix = ID_PREFIX[kind]
        number = self._last.get(prefix, 0) + 1
        while f"{prefix}-{number}" in taken:
            number += 1
        self._last[prefix] = number
        return f"{prefix}-{number}"


def start_ids(parts: Iterable[tuple[str, str]]) -> list[str]:
    """The ids a starting build of (kind, explicit id or "") gets, in order, as a Simulation
    builds it. An explicit id that repeats a taken one appears twice (the engine refuses that
    build; the level file's checks report it)."""
    namer = Namer()
    ids: list[str] = []
    taken: set[str] = set()
    for kind, explicit in parts:
        node_id = explicit or namer.next_id(kind, taken)
        ids.append(node_id)
        taken.add(node_id)
    return ids


@dataclass(slots=True)
class Node:
    id: str
    kind: str
    size: str
    order: int  # creation order: DNS without a balancer points at the oldest web server
    stream: Stream | None = None  # its failure stream, once it has drawn
    draws: int = 0  # numbers taken from that stream
    state: str = BOOTING
    since: int = 0  # tick the current state began
    until: int = 0  # tick a boot or repair ends
    epoch: int = 0  # bumped on every change; scheduled events of an older epoch are void
    joined: bool = False  # has been up once: a cache node owns keys only from then on

    @property
    def spec(self) -> catalog.Size:
        return catalog.KINDS[self.kind].sizes[self.size]


@dataclass(frozen=True, slots=True)
class Pool:
    """The healthy components of one kind, as the tiers read them every tick."""

    nodes: tuple[Node, ...]  # oldest first
    capacity: float  # sum of what they complete per second
    slowest: float  # the smallest capacity among them (0.0 when there is none)
    items: int  # cache nodes: the keys they hold
    ring_items: int  # cache nodes: the keys of every node that has joined the ring (up once)


_Due = tuple[int, int, str, int]
"""(tick, seq, node id, epoch): a scheduled change, ordered by its tick then its scheduling
order (seq is unique, so the id and epoch never take part in the order)."""


class Topology:
    """The site's components, their states and the timetable of their next changes."""

    def __init__(
        self,
        seed: int,
        mtbf_scale: float | None,
        failing: Container[str] = catalog.RANDOM_FAILURE_KINDS,
    ) -> None:
        self.seed = seed
        self.mtbf_scale = mtbf_scale  # None: no random failures
        self.failing = failing  # the kinds random failures strike
        self.nodes: dict[str, Node] = {}
        self._ready: list[_Due] = []  # boots and repairs, by the tick they end
        self._failing: list[_Due] = []  # random failures, by the tick they come
        self._seq = 0
        self._namer = Namer()
        self._order = 0
        self._layout: dict[tuple[str, ...], tuple[Node, ...]] = {}  # of_kind answers until a change
        self.healthy_sizes: dict[tuple[str, str], int] = {}  # (kind, size) -> healthy count
        self._web_sizes: dict[tuple[str, str], int] = {}  # the web kinds' part of healthy_sizes
        self._healthy_web: tuple[tuple[tuple[str, str], int], ...] | None = None
        self._holder: tuple[Pool, Node | None] | None = None  # the address holder of a pool
        self._pools: dict[str, Pool] = {}  # per kind, until one of that kind changes
        self._web_failures: list[Node] = []  # web servers that failed recently, for health checks
        self._cost: float | None = None
        self.shards = 1  # the primary is this many shards, each paid for (sharding.py)
        self.cold_caches: dict[str, Node] = {}  # cache nodes refilling after a (re)start
        self.address_lost: int | None = None  # tick the balancer holding the address died

    # -- building -------------------------------------------------------------------------

    def add(self, kind: str, size: str, tick: int, node_id: str = "", ready: bool = False) -> Node:
        node_id = node_id or self._namer.next_id(kind, self.nodes)
        node = Node(node_id, kind, size, self._order)
        self._order += 1
        self.nodes[node_id] = node
        self._layout.clear()
        self._pools.pop(kind, None)
        self._cost = None
        if ready:  # part of the starting build: it has been running (a cache is warm)
            self.mark_ready(node, tick)
        else:
            self.restart(node, tick, catalog.KINDS[kind].boot_ticks)
        return node

    def remove(self, node: Node) -> None:
        self._set_state(node, FAILED, node.since, node.until)
        node.epoch += 1
        del self.nodes[node.id]
        self.cold_caches.pop(node.id, None)
        self._layout.clear()
        self._pools.pop(node.kind, None)
        self._cost = None

    def resize(self, node: Node, size: str, tick: int) -> None:
        """A new size means a restart: the server is down while it boots again."""
        self._set_state(node, BOOTING, tick, tick)
        node.size = size
        self._cost = None
        self.restart(node, tick, catalog.KINDS[node.kind].boot_ticks)

    def change_kind(self, node: Node, kind: str) -> None:
        """A promotion: a replica becomes the primary (and the old primary a replica)."""
        state = node.state
        self._set_state(node, BOOTING, node.since, node.until)
        node.kind = kind
        self._set_state(node, state, node.since, node.until)
        self._layout.clear()
        self._pools.clear()

    def restart(self, node: Node, tick: int, ticks: int) -> None:
        """Take a node down for `ticks` (a boot, a resize, a migration); it comes back healthy."""
        self._set_state(node, BOOTING, tick, tick + max(ticks, 0))
        self._empty(node)
        node.epoch += 1
        self._schedule(node.until, "ready", node)

    def fail(self, node: Node, tick: int, repair_ticks: int) -> None:
        if node.kind == "balancer" and node is self._address_holder():
            self.address_lost = tick
        self._set_state(node, FAILED, tick, tick + repair_ticks)
        self._empty(node)
        node.epoch += 1
        if node.kind in WEB_KINDS:
            self._web_failures.append(node)
        self._schedule(node.until, "ready", node)

    def _empty(self, node: Node) -> None:
        """A restarted node has lost its memory: a cache starts cold."""
        if node.kind == "cache":
            self.cold_caches[node.id] = node

    def mark_warm(self, node: Node) -> None:
        self.cold_caches.pop(node.id, None)

    def _set_state(self, node: Node, state: str, since: int, until: int) -> None:
        key = (node.kind, node.size)
        sizes = self.healthy_sizes
        web = node.kind in WEB_KINDS
        if node.state == HEALTHY and node.id in self.nodes:
            sizes[key] -= 1
            if web:
                self._web_sizes[key] -= 1
        node.state, node.since, node.until = state, since, until
        self._pools.pop(node.kind, None)
        if web:
            self._healthy_web = None
        if state == HEALTHY:
            sizes[key] = sizes.get(key, 0) + 1
            if web:
                self._web_sizes[key] = self._web_sizes.get(key, 0) + 1

    # -- time -------------------------------------------------------------------------------

    def ready_due(self, tick: int) -> list[Node]:
        """The nodes whose boot or repair ends by `tick`, in a fixed order."""
        return self._pop(self._ready, tick)

    def failures_due(self, tick: int) -> list[Node]:
        """The nodes whose random failure falls due by `tick`, in a fixed order. A node whose
        kind stopped failing at random since its failure was drawn (a replica promoted to
        primary) is spared; one whose kind started (the old primary, now a replica) has its
        failure drawn the next time it comes up."""
        return [n for n in self._pop(self._failing, tick) if n.kind in self.failing]

    def _pop(self, heap: list[_Due], tick: int) -> list[Node]:
        if not heap or heap[0][0] > tick:
            return []
        out = []
        nodes = self.nodes
        while heap and heap[0][0] <= tick:
            _, _, node_id, epoch = heapq.heappop(heap)
            node = nodes.get(node_id)
            if node is not None and node.epoch == epoch:
                out.append(node)
        return out

    def mark_ready(self, node: Node, tick: int) -> None:
        """The node is up: healthy from `tick`, with its next random failure drawn."""
        node.joined = True
        self._set_state(node, HEALTHY, tick, tick)
        node.epoch += 1
        if self.mtbf_scale is not None and node.kind in self.failing:
            mtbf = catalog.KINDS[node.kind].mtbf_ticks * self.mtbf_scale
            # Geometric lifetime by inversion: P(fail in a tick) = 1 - exp(-1/MTBF).
            u = self._draw(node)
            lifetime = max(1, math.ceil(-mtbf * math.log1p(-u)))
            self._schedule(tick + lifetime, "fail", node)

    def _draw(self, node: Node) -> float:
        """The next number of the node's own stream, Random("<seed>/<id>/failures"), taken from
        the numbers of that stream remembered (_stream): seeding a generator for each of the
        largest site's nodes took about a tenth of its 900-tick run, and the same seed and ids
        come back in replays, post-mortems, rewinds and the level checks."""
        stream = node.stream
        if stream is None:
            stream = node.stream = _stream(self.seed, node.id)
        n = node.draws
        node.draws = n + 1
        return stream.number(n)

    def _schedule(self, tick: int, what: str, node: Node) -> None:
        self._seq += 1
        heap = self._ready if what == "ready" else self._failing
        heapq.heappush(heap, (tick, self._seq, node.id, node.epoch))

    # -- views ------------------------------------------------------------------------------

    def of_kind(self, *kinds: str) -> tuple[Node, ...]:
        """Nodes of these kinds, oldest first (remembered until a node is added or removed)."""
        found = self._layout.get(kinds)
        if found is None:
            chosen = (n for n in self.nodes.values() if n.kind in kinds)
            found = self._layout[kinds] = tuple(sorted(chosen, key=lambda n: n.order))
        return found

    def pool(self, kind: str) -> Pool:
        """The healthy nodes of `kind` and their capacity (remembered until one changes)."""
        found = self._pools.get(kind)
        if found is None:
            every = self.of_kind(kind)
            healthy = tuple(n for n in every if n.state == HEALTHY)
            capacities = [n.spec.capacity for n in healthy]
            items = catalog.KINDS[kind].items
            found = self._pools[kind] = Pool(
                healthy,
                sum(capacities),
                min(capacities, default=0.0),
                sum(items.get(n.size, 0) for n in healthy),
                sum(items.get(n.size, 0) for n in every if n.joined),
            )
        return found

    def healthy_web(self) -> tuple[tuple[tuple[str, str], int], ...]:
        """((kind, size), healthy count) of the web kinds with a healthy server, in the order
        of healthy_sizes (remembered until a web server changes state)."""
        found = self._healthy_web
        if found is None:
            found = self._healthy_web = tuple((key, n) for key, n in self._web_sizes.items() if n)
        return found

    def front_door(self, tick: int) -> str | None:
        """What answers at the site's address at `tick`: HEALTHY when a balancer holds it,
        FAILED while the holder is dead and no standby has taken over yet, BOOTING while the
        first balancer boots (DNS still sends everyone to a server), None with no balancer."""
        balancers = self.of_kind("balancer")
        if not balancers:
            return None
        if self._address_holder() is None:
            return FAILED if any(b.state == FAILED for b in balancers) else BOOTING
        lost = self.address_lost
        if lost is not None and tick < lost + catalog.BALANCER_FAILOVER_TICKS:
            return FAILED  # the standby has not noticed yet
        return HEALTHY

    def _address_holder(self) -> Node | None:
        """The balancer holding the address: the one healthy the longest (the oldest among
        equals); a standby that takes over keeps it when the old holder comes back. Removing
        the holder hands the address over at once (a planned switch, nothing to detect)."""
        pool = self.pool("balancer")  # a new pool whenever a balancer changes state
        if self._holder is None or self._holder[0] is not pool:
            healthy = pool.nodes  # oldest first
            holder = min(healthy, key=lambda b: (b.since, b.order)) if healthy else None
            self._holder = (pool, holder)
        return self._holder[1]

    def warming(self, node_id: str) -> bool:
        """Whether cache node `node_id` is refilling after it started empty."""
        return node_id in self.cold_caches

    def recently_failed_web(self, tick: int, window: int) -> int:
        """Web servers that failed less than `window` ticks ago and are still down."""
        if not self._web_failures:
            return 0
        self._web_failures = [
            n
            for n in self._web_failures
            if n.id in self.nodes and n.state == FAILED and tick - n.since < window
        ]
        return len(self._web_failures)

    def cost_per_tick(self) -> float:
        """What the components cost per tick (remembered until one is added, removed or resized).
        A second data centre mirrors the others: each costs MIRROR_COST_SHARE of their cost."""
        if self._cost is None:
            mirrors = sum(1 for n in self.nodes.values() if n.kind == MIRROR)
            cost = self._site_cost()
            self._cost = cost * (1 + catalog.MIRROR_COST_SHARE * mirrors) if mirrors else cost
        return self._cost

    def _site_cost(self) -> float:
        """One data centre's components per tick, a sharded primary paid once per shard."""
        return sum(
            n.spec.cost * (self.shards if n.kind == "primary" else 1)
            for n in self.nodes.values()
            if n.kind != MIRROR
        )

    def price(self, kind: str, cost: float) -> float:
        """What a component of `kind` whose own price is `cost` adds to the cost per tick: a
        mirror's share of the others, or its price in every data centre the site has."""
        mirrors = len(self.of_kind(MIRROR))
        if kind == MIRROR:
            return self._site_cost() * catalog.MIRROR_COST_SHARE
        return cost * (1 + catalog.MIRROR_COST_SHARE * mirrors) if mirrors else cost

    def set_shards(self, shards: int) -> None:
        """The primary is split into `shards` shards of its size: each one is paid for."""
        self.shards = shards
        self._cost = None


class Stream:
    """A failure stream's numbers, drawn from its generator as they are first needed."""

    __slots__ = ("_generator", "_numbers")

    def __init__(self, generator: random.Random) -> None:
        self._generator = generator
        self._numbers: list[float] = []

    def number(self, n: int) -> float:
        """The stream's n-th number (from 0)."""
        numbers = self._numbers
        while len(numbers) <= n:
            numbers.append(self._generator.random())
        return numbers[n]


@lru_cache(maxsize=STREAMS)
def _stream(seed: int, node_id: str) -> Stream:
    """A node's failure stream (a pure function of seed and id: sharing it between runs cannot
    change a result, as every run reads it from its start)."""
    return Stream(random.Random(f"{seed}/{node_id}/failures"))
