"""Latency shapes and cache ratios, remembered across ticks and runs: a bounded memo.

A tier's response-time distribution, a path's convolution, a hit ratio or a stale share is a
pure function of a few numbers, and the same numbers come back tick after tick (and run after
run: the levels, their solutions and their seeds share most of them). Each function here is
such a function behind functools.lru_cache: its key is every argument the value depends on
(popularity by its key count and Zipf exponent), its value is computed once and handed out as
it is. A remembered value is exactly what the call would return, so nothing remembered can
change a result; only the time it takes. Each cache is bounded (least recently used entries
go first), so a long session does not grow it without end.

Rates are put on a grid first (`grid`) so that they repeat: the spare capacity c*mu - lam and
waits move in 1% steps, which moves a percentile by at most about 0.5%. Request counts are never
rounded.
"""

from __future__ import annotations

import math
from functools import lru_cache

from game.engine import cache, jsq, overload, queueing
from game.engine.latency import Dist

SHAPE_STEP = 0.01
SHAPES = 4096  # distinct values each kind of shape keeps
WAIT_FLOOR_S = 1e-4  # a wait shorter than this is none
RATIOS = 2048  # distinct values each kind of cache ratio keeps


_exp, _log = math.exp, math.log  # looked up once: grid runs a few dozen times a tick


def grid(x: float, step: float = SHAPE_STEP) -> float:
    """`x` > 0 rounded to the nearest point of a log grid with relative spacing `step`."""
    return _exp(round(_log(x) / step) * step)


def grid_bound(point: float, step: float = SHAPE_STEP) -> float:
    """A value just below where `grid` stops rounding to `point` (a grid point) from below:
    every x in [point, grid_bound(point)) rounds to `point`."""
    return math.exp((round(math.log(point) / step) + 0.499) * step)


# -- latency ----------------------------------------------------------------------------------


@lru_cache(maxsize=SHAPES)
def interned(dist: Dist) -> Dist:
    """The first of the equal distributions seen (while it is remembered). Different inputs
    often give one latency (a nearly idle tier is Exp(mu) whatever its exact load), and a
    shape handed out as one object is found by identity where it keys a memo or a run's
    pending histogram, without comparing its components."""
    return dist


@lru_cache(maxsize=SHAPES, typed=True)
def mmc(c: int, mu: float, rate: float, timeout_s: float) -> tuple[Dist, float]:
    """One shared queue in front of c servers: (response time, share of arrivals whose wait
    exceeds the timeout, C * exp(-(c*mu - rate) * timeout))."""
    late = queueing.erlang_c(c, rate / mu) * math.exp(-(c * mu - rate) * timeout_s)
    return interned(queueing.mmc_response(c, mu, rate)), late


@lru_cache(maxsize=SHAPES, typed=True)
def jsq_wait(c: int, rho: float) -> float:
    """Least connections: the share of arrivals that find every server busy (it depends on the
    pool size and its utilisation only, so every server size shares it)."""
    return jsq.jsq_wait_probability(c, 1.0, rho * c)


@lru_cache(maxsize=SHAPES, typed=True)
def least_connections(c: int, mu: float, rate: float, timeout_s: float) -> tuple[Dist, float]:
    """Least connections over c servers: (response time, share of arrivals whose wait exceeds
    the timeout, P * exp(-theta * timeout))."""
    waits = jsq_wait(c, rate / (c * mu))
    theta = jsq.wait_rate(c, mu, rate)
    return interned(jsq.response(waits, mu, theta)), waits * math.exp(-theta * timeout_s)


@lru_cache(maxsize=SHAPES, typed=True)
def round_robin(pool: int, mu: float, rate: float, timeout_s: float) -> tuple[Dist, float]:
    """Strict round robin over `pool` servers: (response time, share of arrivals whose wait
    exceeds the timeout, sigma * exp(-mu * (1 - sigma) * timeout))."""
    sigma = queueing.round_robin_sigma(pool, mu, rate)
    late = sigma * math.exp(-mu * (1 - sigma) * timeout_s)
    return interned(queueing.round_robin_response(pool, mu, rate)), late


@lru_cache(maxsize=SHAPES, typed=True)
def backlog(waits: tuple[float, ...], mu: float) -> Dist:
    """Requests served out of a queue: one of `waits`, then Exp(mu)."""
    return interned(overload.response(waits, mu))


@lru_cache(maxsize=256, typed=True)
def overloaded(
    cohorts: tuple[overload.Segment, ...], lam: float, c: int, mu: float, timeout_s: float
) -> tuple[overload.QueueStep, Dist | None]:
    """A tick of a carried queue (overload.queue_step) and the latency of what it served, its
    waits on the grid. A long overload repeats the same tick exactly, so it is remembered too."""
    step = overload.queue_step(cohorts, lam, c, mu, timeout_s)
    waits = tuple([grid(w) if w >= WAIT_FLOOR_S else 0.0 for w in overload.wait_atoms(step)])
    return step, backlog(waits, mu) if waits else None


@lru_cache(maxsize=256, typed=True)
def exponential(mu: float) -> Dist:
    return interned(Dist.exponential(mu))


@lru_cache(maxsize=256, typed=True)
def point(seconds: float) -> Dist:
    """A constant latency (a round trip)."""
    return interned(Dist.point(seconds))


@lru_cache(maxsize=SHAPES)
def path(parts: tuple[Dist | None, ...]) -> Dist:
    """Crossing each of `parts` in turn (None: a tier the path skips)."""
    crossed = [part for part in parts if part is not None]
    dist = crossed[0]
    for part in crossed[1:]:
        dist = convolve(dist, part)
    return dist  # interned by convolve, or a part


@lru_cache(maxsize=SHAPES)
def convolve(a: Dist, b: Dist) -> Dist:
    """Crossing both."""
    return interned(a.convolve(b))


@lru_cache(maxsize=SHAPES)
def mixture(parts: tuple[tuple[float, Dist], ...]) -> Dist:
    return interned(Dist.mixture(parts))


# -- caches -----------------------------------------------------------------------------------


@lru_cache(maxsize=64, typed=True)
def popularity(keys: int, alpha: float) -> cache.Popularity:
    return cache.zipf_popularity(keys, alpha)


@lru_cache(maxsize=RATIOS, typed=True)
def hit_ratio(
    keys: int,
    alpha: float,
    capacity: float,
    policy: str,
    read_rps: float,
    ttl_s: float,
    write_rps: float,
    invalidate_on_write: bool,
) -> float:
    return cache.cache_hit_ratio(
        popularity(keys, alpha),
        capacity,
        policy,
        read_rps,
        ttl_s,
        write_rps,
        invalidate_on_write,
    )


@lru_cache(maxsize=RATIOS, typed=True)
def stale_share(
    keys: int,
    alpha: float,
    read_rps: float,
    ttl_s: float,
    write_rps: float,
    invalidate_on_write: bool,
    race_window_s: float,
) -> float:
    return cache.stale_share(
        popularity(keys, alpha), read_rps, ttl_s, write_rps, invalidate_on_write, race_window_s
    )


@lru_cache(maxsize=RATIOS, typed=True)
def warmed(keys: int, alpha: float, capacity: float, count: float) -> float:
    """The integral of h(x) / steady over the first `count` reads after a cold start
    (cache.warm_up_factor): a restarted cache's factor over a tick is the mean of h / steady
    over its reads, so a difference of this integral at both ends (warmup.py), and every
    warming node, every tick and every run passing a count shares it."""
    if count == 0:
        return 0.0
    return count * cache.warm_up_factor(popularity(keys, alpha), capacity, 0.0, count)


@lru_cache(maxsize=RATIOS, typed=True)
def warm_up_at(keys: int, alpha: float, capacity: float, count: float) -> float:
    """The warm-up factor after `count` reads, at that moment."""
    return cache.warm_up_factor(popularity(keys, alpha), capacity, count)


@lru_cache(maxsize=RATIOS, typed=True)
def replica_stale(keys: int, alpha: float, write_rps: float, lag_s: float) -> float:
    return cache.replica_stale_share(popularity(keys, alpha), write_rps, lag_s)
