"""Clients that retry, and servers that keep working on requests their clients gave up on.

Retries are real arrivals. A failed attempt whose client has attempts left (and whose retry
budget allows it) comes back later as a new arrival: the next tick (immediate), or after a
backoff of base * 2^(n-1) seconds for the n-th retry, at most the cap; with jitter the retry
falls anywhere in that window, so a tick's retries are spread evenly over its ticks. The
schedule (Schedule) carries, for each tick ahead, the attempts arriving then by their number:
at most ceil(MAX_RETRY_CAP_S) ticks ahead and MAX_RETRY_ATTEMPTS numbers, so memory is bounded.

A tick's failures are split over its arrivals' attempt numbers in proportion (the fluid model
fails every arrival of a tick alike). A retry budget lets retries be at most a share of the
tick's first attempts, the way client libraries cap them; what is not retried fails for good,
and keeps the reason its last attempt failed for.

Wasted work (model.md 1 assumes the opposite): the client's timeout is not the server's. A web
server keeps a request it has not started for up to its own timeout, longer than the client
waits, so when the queue's wait exceeds the client's timeout the server still does the work
and the answer comes too late: the request failed from the client's side and its retry is
already on its way. `client_view` counts, for one queue and one tick, the requests whose
client gave up during the tick (their age reached the client's timeout while queued, or they
were served after it) and the wasted service. With that, a retry storm can keep the site down
after the spike that caused it: the offered load stays above capacity because nothing the
servers do gets through.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from game.engine import catalog
from game.engine.overload import Segment
from game.engine.scenario import Retries

HORIZON = math.ceil(catalog.MAX_RETRY_CAP_S) + 1  # ticks ahead a retry can be scheduled
_NEGLIGIBLE = 1e-12


def spread(policy: Retries, retry: int) -> tuple[tuple[int, float], ...]:
    """When the `retry`-th retry of a request arrives: (ticks ahead >= 1, share) pairs whose
    shares sum to 1. A failure is taken to happen at the end of its tick, so a delay in (k-1, k]
    seconds lands in the k-th tick ahead."""
    if retry < 1:
        raise ValueError(f"retries are numbered from 1, got {retry!r}")
    if policy.policy != "backoff":
        return ((1, 1.0),)
    window = min(policy.cap_s, policy.base_s * 2.0 ** (retry - 1))
    last = max(1, math.ceil(window - 1e-9))
    if not policy.jitter:
        return ((last, 1.0),)
    # Full jitter: the delay is uniform on (0, window]; tick k takes its share of (k-1, k].
    return tuple((k, (min(k, window) - (k - 1)) / window) for k in range(1, last + 1))


@dataclass(frozen=True, slots=True)
class Settled:
    """What a tick's failures became."""

    failed: dict[str, float]  # failed for good, by the reason of their last attempt
    retried: float  # failed attempts that will come back as retries


class Schedule:
    """Retries on their way: _ahead[k][n] = attempts number n + 2 arriving k ticks after the
    current one (k = 0: this tick)."""

    __slots__ = ("_ahead",)

    def __init__(self) -> None:
        self._ahead: list[list[float]] = []

    def __bool__(self) -> bool:
        """Whether any retry is on its way."""
        return any(any(x > 0.0 for x in tick) for tick in self._ahead)

    def arriving(self) -> tuple[float, ...]:
        """This tick's retries by attempt number (index 0: second attempts)."""
        return tuple(self._ahead[0]) if self._ahead else ()

    def pending(self) -> float:
        """Retries on their way, this tick's included."""
        return sum(sum(tick) for tick in self._ahead)

    def settle(self, policy: Retries | None, first: float, failed: Mapping[str, float]) -> Settled:
        """Close the current tick: split its failures (by reason) over its arrivals, schedule
        the retries `policy` makes of them, and move on to the next tick. `first`: the tick's
        first attempts. Without a policy nothing is retried."""
        arriving = self.arriving()
        total_failed = sum(failed.values())
        if self._ahead:
            self._ahead.pop(0)
        offered = first + sum(arriving)
        if policy is None or policy.policy == "none" or total_failed <= _NEGLIGIBLE or offered <= 0:
            return Settled(dict(failed), 0.0)
        # attempt number n (1 = first) -> its failed requests, in proportion to the arrivals
        by_attempt = [(1, first), *((n + 2, x) for n, x in enumerate(arriving))]
        wanted = [(n, total_failed * x / offered) for n, x in by_attempt if n < policy.attempts]
        asked = sum(x for _, x in wanted)
        if asked <= _NEGLIGIBLE:
            return Settled(dict(failed), 0.0)
        allowed = asked if policy.budget <= 0 else min(asked, policy.budget * first)
        scale = allowed / asked
        for n, x in wanted:
            for ahead, share in spread(policy, n):
                self._add(ahead - 1, n + 1, x * scale * share)
        kept = 1.0 - allowed / total_failed
        return Settled({r: c * kept for r, c in failed.items() if c * kept > _NEGLIGIBLE}, allowed)

    def _add(self, ahead: int, attempt: int, count: float) -> None:
        if count <= _NEGLIGIBLE:
            return
        ahead = min(ahead, HORIZON - 1)
        while len(self._ahead) <= ahead:
            self._ahead.append([])
        row = self._ahead[ahead]
        index = min(attempt, catalog.MAX_RETRY_ATTEMPTS) - 2
        while len(row) <= index:
            row.append(0.0)
        row[index] += count


# -- wasted work ------------------------------------------------------------------------------


def abandoned(cohorts: tuple[Segment, ...], client_timeout_s: float) -> float:
    """Requests in a carried queue that are older than the client's timeout (their clients
    gave up; the server still holds them). Times are relative to the next tick's start."""
    edge = -client_timeout_s
    return sum(max(0.0, min(end, edge) - begin) * d for begin, end, d in cohorts if begin < edge)


def trimmed(cohorts: tuple[Segment, ...], client_timeout_s: float) -> tuple[Segment, ...]:
    """A carried queue without the requests whose clients gave up (a shedding balancer never
    starts their work; they were counted as failed when their clients gave up)."""
    edge = -client_timeout_s
    return tuple((max(b, edge), e, d) for b, e, d in cohorts if e > edge)


def split_waits(
    waits: tuple[tuple[float, float, float], ...], client_timeout_s: float
) -> tuple[tuple[tuple[float, float, float], ...], float]:
    """A tick's served pieces (count, first_wait, last_wait; waits linear in between) cut at the
    client's timeout: (the pieces served in time, how many were served too late)."""
    in_time: list[tuple[float, float, float]] = []
    late = 0.0
    for n, a, b in waits:
        lo, hi = min(a, b), max(a, b)
        if hi <= client_timeout_s:
            in_time.append((n, a, b))
        elif lo >= client_timeout_s:
            late += n
        else:
            share = (client_timeout_s - lo) / (hi - lo)  # the part below the timeout
            in_time.append((n * share, lo, client_timeout_s))
            late += n * (1.0 - share)
    return tuple(in_time), late


@dataclass(frozen=True, slots=True)
class ClientView:
    """One queue's tick as its clients saw it."""

    in_time: tuple[tuple[float, float, float], ...]  # the served pieces answered in time
    served: float  # answered in time
    gave_up: float  # clients that gave up this tick (they fail, and may retry)
    wasted: float  # requests served this tick after their clients had given up


def client_view(
    before: tuple[Segment, ...],
    after: tuple[Segment, ...],
    waits: tuple[tuple[float, float, float], ...],
    dropped: float,
    client_timeout_s: float,
) -> ClientView:
    """A queue's tick (`before` and `after` it, the pieces it served and what the server
    dropped at its own timeout) seen from clients that wait `client_timeout_s`.

    Each request is counted once, in the tick its client gives up: the requests that became
    abandoned while queued (the change in `abandoned`), plus those served late or dropped
    during the tick that were not yet abandoned at its start."""
    in_time, late = split_waits(waits, client_timeout_s)
    served = sum(n for n, _, _ in in_time)
    change = abandoned(after, client_timeout_s) - abandoned(before, client_timeout_s)
    gave_up = max(0.0, change + late + dropped)
    return ClientView(in_time, served, gave_up, late)
