"""One tier for one tick: servers in groups, a carried queue, and what came out.

A tier is served as groups of identical queues. A shared queue (a cache or database pool, or
one server) is one M/M/c group. Least connections sends each request to the server holding the
fewest, where it waits in that server's own queue: join the shortest queue (jsq.py). Strict
round robin gives every server every n-th arrival, so each server is a GI/M/1 queue with
Erlang-n arrivals; servers of one size form one group. While a group keeps up, its latency is
the steady-state formula; when it is overloaded, or still draining a queue, the queue is carried
from tick to tick as cohorts of arrivals, and a request gives up `timeout` after it arrived
(overload.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass

from game.engine import overload, retries, shapes
from game.engine.latency import Dist
from game.engine.overload import Segment, backlog_of

SHARED, ROUND_ROBIN, LEAST_CONNECTIONS = "shared", "round_robin", "least_connections"
_STEADY_LIMIT = 0.999  # above this utilisation the steady state is too slow to reach in a tick
grid = shapes.grid

Cohorts = tuple[Segment, ...]


class Queues:
    """Every tier queue, carried from tick to tick as cohorts of arrivals, keyed `tier:group`."""

    __slots__ = ("_queues",)

    def __init__(self) -> None:
        self._queues: dict[str, Cohorts] = {}

    def __bool__(self) -> bool:
        """Whether any queue holds requests."""
        return bool(self._queues)

    def get(self, key: str) -> Cohorts:
        return self._queues.get(key, ())

    def set(self, key: str, cohorts: Cohorts) -> None:
        if cohorts:
            self._queues[key] = cohorts
        else:
            self._queues.pop(key, None)

    def regroup(self, prefix: str, live: Collection[str], into: str | None) -> float:
        """Hand the queues of the groups under `prefix` that are no longer `live` to the group
        `into`; with none to take them, return how many requests they held (stranded)."""
        queues = self._queues
        gone = [k for k in queues if k.startswith(prefix) and k not in live]
        if not gone:
            return 0.0
        if into is not None:
            for key in gone:
                queues[into] = overload.merged(queues.get(into, ()), queues.pop(key))
            return 0.0
        return sum(backlog_of(queues.pop(key)) for key in gone)

    def under(self, prefix: str) -> tuple[Cohorts, ...]:
        """The queues of one tier (keys under `prefix`)."""
        return tuple(c for k, c in self._queues.items() if k.startswith(prefix))

    def total(self) -> float:
        """Requests waiting in every queue."""
        if not self._queues:
            return 0  # what the sum of none is
        return sum(backlog_of(cohorts) for cohorts in self._queues.values())

    def queued(self, prefix: str) -> float:
        """Requests waiting in the queues of one tier (keys under `prefix`)."""
        return sum(backlog_of(c) for k, c in self._queues.items() if k.startswith(prefix))


@dataclass(slots=True)  # not frozen: a few are made every tick, and a frozen one is slower
class Group:
    key: str  # names the group's queue between ticks
    servers: int
    mu: float  # requests per second one server completes
    share: float  # share of the tier's arrivals it receives
    discipline: str = SHARED
    pool: int = 1  # round robin: servers in the whole rotation


@dataclass(slots=True)
class TierOutcome:
    offered: float
    served: float
    dropped: float
    queued: float
    dist: Dist | None  # response time of what it served
    utilization: float
    wasted: float = 0.0  # served after the client had given up (counted in neither above)
    dists: tuple[Dist | None, ...] = ()  # each group's response time (None: it served none)


def serve(
    queues: Queues,
    groups: list[Group],
    lam: float,
    timeout_s: float,
    client_timeout_s: float | None = None,
) -> TierOutcome:
    """Serve `lam` requests arriving this tick (dt = 1 s) and update the groups' queues.

    With `client_timeout_s` the queue keeps a request up to `timeout_s` (the server's limit)
    while its client waits only `client_timeout_s`: what the servers answer later is wasted
    work, and `dropped` counts the clients that gave up (retries.client_view)."""
    if client_timeout_s is not None:
        return _serve_wasting(queues, groups, lam, timeout_s, client_timeout_s)
    served = dropped = queued = capacity = 0.0
    parts: list[tuple[float, Dist]] = []
    dists: list[Dist | None] = []
    for g in groups:
        arriving = lam * g.share
        before = queues.get(g.key)
        full = g.servers * g.mu
        dist: Dist | None
        if before or arriving >= _STEADY_LIMIT * full:
            step, dist = shapes.overloaded(before, arriving, g.servers, g.mu, timeout_s)
            queues.set(g.key, step.cohorts)
            got, lost = step.served, step.dropped
            queued += step.backlog
        else:
            dist, late = _steady(g, arriving, timeout_s)
            got, lost = arriving - late, late
        served += got
        dropped += lost
        capacity += full
        if got > 0 and dist is not None:
            parts.append((got, dist))
            dists.append(dist)
        else:
            dists.append(None)
    utilization = lam / capacity if capacity > 0 else 0.0
    mixed = parts[0][1] if len(parts) == 1 else _mixed(parts)
    return TierOutcome(lam, served, dropped, queued, mixed, utilization, 0.0, tuple(dists))


def _serve_wasting(
    queues: Queues, groups: list[Group], lam: float, server_timeout_s: float, client_s: float
) -> TierOutcome:
    """`serve` where the servers work on requests whose clients gave up (retries.py)."""
    served = dropped = queued = capacity = wasted = 0.0
    parts: list[tuple[float, Dist]] = []
    for g in groups:
        arriving = lam * g.share
        before = queues.get(g.key)
        full = g.servers * g.mu
        capacity += full
        if before or arriving >= _STEADY_LIMIT * full:
            step = overload.queue_step(before, arriving, g.servers, g.mu, server_timeout_s)
            queues.set(g.key, step.cohorts)
            queued += step.backlog
            view = retries.client_view(before, step.cohorts, step.waits, step.dropped, client_s)
            served += view.served
            dropped += view.gave_up
            wasted += view.wasted
            atoms = overload.wait_atoms(dataclasses.replace(step, waits=view.in_time))
            if view.served > 0 and atoms:
                waits = tuple(grid(w) if w >= shapes.WAIT_FLOOR_S else 0.0 for w in atoms)
                parts.append((view.served, shapes.backlog(waits, g.mu)))
        else:  # keeping up: the late share is served too late, its work wasted
            dist, late = _steady(g, arriving, client_s)
            served += arriving - late
            dropped += late
            wasted += late
            if arriving - late > 0:
                parts.append((arriving - late, dist))
    utilization = lam / capacity if capacity > 0 else 0.0
    return TierOutcome(lam, served, dropped, queued, _mixed(parts), utilization, wasted)


def _mixed(parts: list[tuple[float, Dist]]) -> Dist | None:
    if len(parts) == 1:
        return parts[0][1]
    if parts:
        total = sum(w for w, _ in parts)
        return shapes.mixture(tuple((round(w / total, 4), d) for w, d in parts))
    return None


def _steady(g: Group, lam: float, timeout_s: float) -> tuple[Dist, float]:
    """Steady-state response time of a group that keeps up, and how many arrivals time out.

    Shapes are computed on the grid (shapes.py): the service rate and the spare share of the
    capacity, 1 - lam / (c * mu), each in 1% steps. The timeout's share comes with the shape
    and is applied to the exact arrivals."""
    if lam <= 0:
        return shapes.exponential(grid(g.mu)), 0.0
    mu = grid(g.mu)
    servers = g.servers
    if g.discipline == ROUND_ROBIN and g.pool > 1:
        # Each server gets every pool-th arrival: the whole rotation's rate, in Erlang rhythm.
        pool = g.pool
        rate = _on_grid(pool, mu, lam / servers * pool / (pool * g.mu))
        dist, late = shapes.round_robin(pool, mu, rate, timeout_s)
        return dist, lam * late
    # the arrival rate, its spare share on the grid (as _on_grid, inline on this hot path)
    rate = servers * mu * (1.0 - grid(1.0 - lam / (servers * g.mu)))
    if not rate > 0.0:
        rate = 0.0
    if servers > 1 and g.discipline == LEAST_CONNECTIONS:
        dist, late = shapes.least_connections(servers, mu, rate, timeout_s)
    else:
        dist, late = shapes.mmc(servers, mu, rate, timeout_s)
    return dist, lam * late


def _on_grid(c: int, mu: float, rho: float) -> float:
    """The arrival rate at utilisation `rho` of c servers of mu, its spare share 1 - rho on the
    grid (a nearly idle tier rounds to an idle one)."""
    return max(0.0, c * mu * (1.0 - grid(1.0 - rho)))
