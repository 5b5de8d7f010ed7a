"""One tier for one tick: servers in groups, a carried backlog, and what came out.

A tier is served as groups of identical queues. A shared queue (least connections, or one
server) is one M/M/c group. Strict round robin gives every server every n-th arrival, so each
server is a GI/M/1 queue with Erlang-n arrivals; servers of one size form one group. While a
group keeps up, its latency is the steady-state formula; when it is overloaded, or still
draining a backlog, the fluid model carries the queue from tick to tick and sheds what waits
longer than the timeout.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

from game.engine import queueing
from game.engine.latency import Dist

SHARED, ROUND_ROBIN = "shared", "round_robin"
_STEADY_LIMIT = 0.999  # above this utilisation the steady state is too slow to reach in a tick
# Latency shapes are computed on a grid so that they repeat from tick to tick and are worked out
# once: the spare capacity c*mu - lam and backlog waits move in 1% steps, which moves a
# percentile by at most about 0.5%. Request counts are never rounded.
SHAPE_STEP = 0.01
_WAIT_FLOOR_S = 1e-4

Memo = Callable[[tuple, Callable[[], object]], object]


def grid(x: float, step: float = SHAPE_STEP) -> float:
    """`x` > 0 rounded to the nearest point of a log grid with relative spacing `step`."""
    return math.exp(round(math.log(x) / step) * step)


class Queues:
    """Every tier queue's backlog, carried from tick to tick, keyed `tier:group`."""

    __slots__ = ("_backlogs",)

    def __init__(self) -> None:
        self._backlogs: dict[str, float] = {}

    def get(self, key: str) -> float:
        return self._backlogs.get(key, 0.0)

    def set(self, key: str, backlog: float) -> None:
        self._backlogs[key] = backlog

    def regroup(self, prefix: str, live: Collection[str], into: str | None) -> float:
        """Hand the backlogs of the groups under `prefix` that are no longer `live` to the
        group `into`; with none to take them, return them (the requests are stranded)."""
        backlogs = self._backlogs
        stranded = 0.0
        for key in [k for k in backlogs if k.startswith(prefix) and k not in live]:
            stranded += backlogs.pop(key)
        if into is not None and stranded:
            backlogs[into] = backlogs.get(into, 0.0) + stranded
            return 0.0
        return stranded

    def total(self) -> float:
        """Requests waiting in every queue."""
        return sum(self._backlogs.values())


@dataclass(frozen=True, slots=True)
class Group:
    key: str  # names the group's backlog between ticks
    servers: int
    mu: float  # requests per second one server completes
    share: float  # share of the tier's arrivals it receives
    discipline: str = SHARED
    pool: int = 1  # round robin: servers in the whole rotation


@dataclass(frozen=True, slots=True)
class TierOutcome:
    offered: float
    served: float
    dropped: float
    queued: float
    dist: Dist | None  # response time of what it served
    utilization: float


def serve(
    queues: Queues, groups: list[Group], lam: float, timeout_s: float, memo: Memo
) -> TierOutcome:
    """Serve `lam` requests arriving this tick (dt = 1 s) and update the groups' backlogs.

    `memo(key, make)` remembers latency shapes across ticks."""
    served = dropped = queued = capacity = 0.0
    parts: list[tuple[float, Dist]] = []
    for g in groups:
        arriving = lam * g.share
        before = queues.get(g.key)
        step = queueing.fluid_step(before, arriving, g.servers, g.mu, timeout_s)
        got, lost = step.served, step.dropped
        if before > 0 or step.backlog > 0 or arriving >= _STEADY_LIMIT * g.servers * g.mu:
            lo, hi = _wait_grid(step.wait_lo_s), _wait_grid(step.wait_hi_s)
            dist = memo(
                ("backlog", lo, hi, g.mu),
                lambda lo=lo, hi=hi, mu=g.mu: queueing.backlog_response(lo, hi, mu),
            )
        else:
            dist, late = _steady(g, arriving, timeout_s, memo)
            got -= late
            lost += late
        queues.set(g.key, step.backlog)
        served += got
        dropped += lost
        queued += step.backlog
        capacity += g.servers * g.mu
        if got > 0:
            parts.append((got, dist))
    utilization = lam / capacity if capacity > 0 else 0.0
    if len(parts) == 1:
        dist = parts[0][1]
    elif parts:
        total = sum(w for w, _ in parts)
        key = tuple((round(w / total, 4), d) for w, d in parts)
        dist = memo(("mix", key), lambda: Dist.mixture(key))
    else:
        dist = None
    return TierOutcome(lam, served, dropped, queued, dist, utilization)


def _steady(g: Group, lam: float, timeout_s: float, memo: Memo) -> tuple[Dist, float]:
    """Steady-state response time of a group that keeps up, and how many arrivals time out."""
    if lam <= 0:
        return memo(("exp", g.mu), lambda: Dist.exponential(g.mu)), 0.0
    if g.discipline == ROUND_ROBIN and g.pool > 1:
        # Each server gets every pool-th arrival: the whole rotation's rate, in Erlang rhythm.
        full = g.pool * g.mu
        rate = max(0.0, full - grid(full - lam / g.servers * g.pool))
        shape = memo(
            ("rr", g.pool, g.mu, rate),
            lambda: (
                queueing.round_robin_response(g.pool, g.mu, rate),
                queueing.round_robin_sigma(g.pool, g.mu, rate),
            ),
        )
        dist, sigma = shape
        return dist, lam * sigma * math.exp(-g.mu * (1 - sigma) * timeout_s)
    full = g.servers * g.mu
    rate = max(0.0, full - grid(full - lam))  # a nearly idle tier rounds to an idle one
    dist = memo(
        ("mmc", g.servers, g.mu, rate), lambda: queueing.mmc_response(g.servers, g.mu, rate)
    )
    return dist, lam * queueing.timeout_share(g.servers, g.mu, lam, timeout_s)


def _wait_grid(wait_s: float) -> float:
    return grid(wait_s) if wait_s >= _WAIT_FLOOR_S else 0.0
