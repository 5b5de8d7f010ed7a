"""An overloaded tier's queue as cohorts of arrivals, with reneging at the timeout (model.md 1).

A plain fluid model keeps one number, the backlog, and drops whatever exceeds c*mu*timeout on
arrival. Requests do not behave like that: a request gives up only once it has waited
`timeout`, so during a long overload the queue holds the arrivals of the last `timeout` seconds
(about lam*timeout, more than c*mu*timeout), and the first drops come about `timeout` after the
queue began to grow faster than the servers drain it.

This module carries the queue as its arrival history: a few segments of arrival time, each with
the density (requests per second) at which its requests arrived. Service is first come, first
served at rate R = c*mu from the oldest request present, the head. In one tick (dt = 1 s) of
arrivals spread evenly at rate lam:

- while the head's age (now - its arrival time) is below the timeout, the head moves through
  arrival time at speed R / density: slower than the clock while the queue grows;
- when the head's age reaches the timeout while its density exceeds R, the head is pinned at
  now - timeout: requests of that arrival time give up at rate density - R, each exactly
  `timeout` after it arrived, and the server keeps serving R;
- when the head catches up with the arrivals and lam <= R, the queue is empty and arrivals are
  served as they come (no wait).

Everything moves linearly between events (the head crossing a segment boundary, its age reaching
the timeout, the queue emptying, the tick ending), so each tick is solved exactly for the fluid
limit in O(segments). With a finite timeout at most ceil(timeout) + 1 segments are ever carried.

Times are in seconds, rates in requests/second. Standard library only; pure functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from game.engine.latency import Dist

Segment = tuple[float, float, float]
"""(begin_s, end_s, density): requests that arrived at density req/s over [begin_s, end_s).

Times count from the start of the tick the state is carried into (so they are <= 0)."""

_EPS = 1e-12


@dataclass(frozen=True, slots=True)
class QueueStep:
    """One tick of an overloaded (or draining) tier."""

    served: float
    """Requests that started service this tick (queued ones and those served on arrival)."""
    dropped: float
    """Requests that gave up this tick, each `timeout` after it arrived."""
    backlog: float
    """Requests still queued at the end of the tick."""
    cohorts: tuple[Segment, ...]
    """The queue carried into the next tick, oldest first (times relative to its start)."""
    waits: tuple[tuple[float, float, float], ...]
    """(count, first_wait_s, last_wait_s): the requests served this tick, in service order, as
    pieces whose waits run linearly from first to last (a piece of zero waits is the requests
    served on arrival)."""

    @property
    def mean_wait_s(self) -> float:
        """Mean queueing wait of the requests served this tick (0 if none)."""
        total = sum(n for n, _, _ in self.waits)
        if total <= 0:
            return 0.0
        return sum(n * (a + b) / 2 for n, a, b in self.waits) / total


def backlog_of(cohorts: tuple[Segment, ...]) -> float:
    """Requests held by a carried queue."""
    return sum((end - begin) * density for begin, end, density in cohorts)


def queue_step(
    cohorts: tuple[Segment, ...], lam: float, c: int, mu: float, timeout_s: float
) -> QueueStep:
    """Advance a tier's queue by one tick (dt = 1 s) with reneging at `timeout_s`.

    cohorts: the queue from the previous tick (() for an empty queue); lam: this tick's arrival
    rate; c servers of mu req/s each; timeout_s may be math.inf. With no healthy server
    (c == 0 or mu == 0) the requests fail at once: the queue and the tick's arrivals are all
    dropped. Raises ValueError for negative or non-finite input or a malformed queue.
    """
    for name, value in (("lam", lam), ("mu", mu)):
        if not (math.isfinite(value) and value >= 0.0):
            raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    if c < 0:
        raise ValueError(f"server count must be >= 0, got c={c!r}")
    if not timeout_s >= 0.0:
        raise ValueError(f"timeout must be >= 0 seconds, got {timeout_s!r}")
    _check_cohorts(cohorts)
    rate = c * mu
    if rate == 0.0:
        return QueueStep(0.0, backlog_of(cohorts) + lam, 0.0, (), ())
    segments = [list(s) for s in cohorts if s[2] > 0.0]
    if lam > 0.0:
        segments.append([0.0, 1.0, lam])  # arriving during the tick: present up to `now`
    live = len(segments) - 1 if lam > 0.0 else -1  # index of the tick's own arrivals
    now = 0.0
    i = 0  # segment holding the head
    head = segments[0][0] if segments else 0.0
    served = dropped = 0.0
    waits: list[tuple[float, float, float]] = []

    while now < 1.0 - _EPS:
        if i >= len(segments) or (i == live and head >= now - _EPS):
            # The queue is empty: arrivals are served on arrival if the servers keep up.
            head = now
            if i >= len(segments):  # nothing more arrives this tick
                break
            if lam <= rate:
                served += lam * (1.0 - now)
                _add_wait(waits, lam * (1.0 - now), 0.0, 0.0)
                now = head = 1.0
                break
        begin, end, density = segments[i]
        age = now - head
        if age >= timeout_s - _EPS and density > rate:
            # Pinned: the head is `timeout` old; its excess over R gives up.
            step = min(end - head, 1.0 - now)
            served += rate * step
            dropped += (density - rate) * step
            _add_wait(waits, rate * step, timeout_s, timeout_s)
            head += step
            now += step
        else:
            speed = rate / density
            limits = [(end - head) / speed, 1.0 - now]
            if speed < 1.0 and math.isfinite(timeout_s):
                limits.append(max(0.0, (timeout_s - age) / (1.0 - speed)))
            if speed > 1.0 and i == live:
                limits.append(age / (speed - 1.0))
            step = min(limits)
            served += rate * step
            _add_wait(waits, rate * step, age, age + (1.0 - speed) * step)
            head += speed * step
            now += step
        if head >= segments[i][1] - _EPS:
            head = segments[i][1]
            i += 1
            if i < len(segments):
                head = max(head, segments[i][0])

    carried: list[Segment] = []
    for k in range(i, len(segments)):
        begin, end, density = segments[k]
        begin = max(begin, head)
        if end - begin > _EPS:
            carried.append((begin - 1.0, end - 1.0, density))
    cohorts_out = tuple(carried)
    return QueueStep(served, dropped, backlog_of(cohorts_out), cohorts_out, tuple(waits))


def merged(a: tuple[Segment, ...], b: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """Two queues as one (a group's queue handed to another): densities add where their
    arrival times overlap."""
    if not a or not b:
        return a or b
    edges = sorted({t for begin, end, _ in (*a, *b) for t in (begin, end)})
    out: list[Segment] = []
    for begin, end in zip(edges, edges[1:]):
        mid = 0.5 * (begin + end)
        density = sum(d for lo, hi, d in (*a, *b) if lo <= mid < hi)
        if density > 0.0:
            out.append((begin, end, density))
    return tuple(out)


def wait_atoms(step: QueueStep, atoms: int = 8) -> tuple[float, ...]:
    """The waits of the requests a tick served, as `atoms` equally weighted points: the
    mid-quantiles (k + 1/2) / atoms of their distribution (piecewise uniform, QueueStep.waits),
    found exactly. Empty when nothing was served."""
    if atoms < 1:
        raise ValueError(f"atoms must be >= 1, got {atoms!r}")
    pieces = [(min(a, b), max(a, b), n) for n, a, b in step.waits if n > 0]
    total = sum(n for _, _, n in pieces)
    if total <= 0:
        return ()
    edges = sorted({x for lo, hi, _ in pieces for x in (lo, hi)})
    # requests with waits below each edge (below) and up to it, point masses included (upto)
    below = [_mass(pieces, x, False) for x in edges]
    upto = [_mass(pieces, x, True) for x in edges]
    out = []
    j = 0
    for k in range(atoms):
        target = (k + 0.5) / atoms * total
        while j < len(edges) - 1 and upto[j] < target:
            j += 1
        if below[j] < target or j == 0:
            out.append(edges[j])  # a point mass (or the first edge) holds the target
            continue
        span = below[j] - upto[j - 1]
        share = (target - upto[j - 1]) / span if span > 0 else 1.0
        out.append(edges[j - 1] + share * (edges[j] - edges[j - 1]))
    return tuple(out)


def _mass(pieces: list[tuple[float, float, float]], x: float, inclusive: bool) -> float:
    mass = 0.0
    for lo, hi, n in pieces:
        if hi > lo:
            mass += n * min(1.0, max(0.0, (x - lo) / (hi - lo)))
        elif x > lo or (inclusive and x == lo):
            mass += n
    return mass


def response(waits: tuple[float, ...], mu: float) -> Dist:
    """Latency of requests that wait one of `waits` (equally likely) and are then served in
    Exp(mu)."""
    if not (math.isfinite(mu) and mu > 0.0):
        raise ValueError(f"service rate must be finite and > 0, got mu={mu!r}")
    if not waits:
        raise ValueError("a response needs at least one wait")
    return Dist(tuple((1.0, w, (mu,)) for w in waits))


def _add_wait(waits: list[tuple[float, float, float]], count: float, first: float, last: float):
    if count > _EPS:
        waits.append((count, max(0.0, first), max(0.0, last)))


def _check_cohorts(cohorts: tuple[Segment, ...]) -> None:
    previous = -math.inf
    for segment in cohorts:
        if len(segment) != 3:
            raise ValueError(f"a queue segment is (begin_s, end_s, density), got {segment!r}")
        begin, end, density = segment
        if not (math.isfinite(begin) and math.isfinite(end) and begin < end <= _EPS):
            raise ValueError(f"a queue segment needs begin < end <= 0, got {segment!r}")
        if not (math.isfinite(density) and density >= 0.0):
            raise ValueError(f"a queue segment needs a density >= 0, got {segment!r}")
        if begin < previous - _EPS:
            raise ValueError("queue segments must be ordered oldest first without overlap")
        previous = end
