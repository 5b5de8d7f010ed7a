"""The histogram a tick's and a run's latency percentiles come from (model.md section 2).

Fixed log-spaced buckets, HdrHistogram-style: each request path is added as its analytic
latency distribution weighted by the requests that took it, so the cost is O(paths x buckets)
whatever the request count, and percentiles are read from the summed buckets, never by adding
percentiles.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from functools import lru_cache
from operator import add as _add

from game.engine.latency import Dist

HISTOGRAM_MIN_S = 1e-5
HISTOGRAM_MAX_S = 100.0
BUCKETS_PER_DECADE = 32
_BUCKET_COUNT = BUCKETS_PER_DECADE * round(math.log10(HISTOGRAM_MAX_S / HISTOGRAM_MIN_S))
_EDGES = tuple(HISTOGRAM_MIN_S * 10 ** (i / BUCKETS_PER_DECADE) for i in range(_BUCKET_COUNT + 1))

_SPAN_EPSILON = 1e-9
"""The histogram evaluates a distribution only where its CDF lies in [eps, 1 - eps]."""

_SPREADS = 4096
"""Distributions whose bucket masses are remembered (each ~3 KB; see `_spread`)."""


def _bucket_index(t: float) -> int:
    return min(_BUCKET_COUNT - 1, max(0, bisect_right(_EDGES, t) - 1))


class LatencyHistogram:
    """Fixed log-spaced buckets (HdrHistogram-style): 0.01 ms .. 100 s, 32 buckets per decade.

    Request paths are added as analytic distributions weighted by request counts; level-wide
    percentiles are read from the summed histogram (never by adding percentiles). Mass below
    0.01 ms lands in the first bucket and above 100 s in the last. The mean is kept exactly,
    from each distribution's own mean.
    """

    __slots__ = ("_masses", "_count", "_latency_sum")

    def __init__(self) -> None:
        self._masses = [0.0] * _BUCKET_COUNT
        self._count = 0.0
        self._latency_sum = 0.0

    def __eq__(self, other: object) -> bool:
        """Equal when they hold the same requests in the same buckets."""
        if not isinstance(other, LatencyHistogram):
            return NotImplemented
        return (self._masses, self._count, self._latency_sum) == (
            other._masses,
            other._count,
            other._latency_sum,
        )

    __hash__ = None  # mutable

    def copy(self) -> LatencyHistogram:
        other = LatencyHistogram()
        other._masses = self._masses.copy()
        other._count, other._latency_sum = self._count, self._latency_sum
        return other

    def add(self, dist: Dist, count: float) -> None:
        """Add `count` requests whose latency follows `dist`."""
        if not (math.isfinite(count) and count >= 0.0):
            raise ValueError(f"request count must be finite and >= 0, got {count!r}")
        if count == 0.0:
            return
        first, masses, mean = _spread(dist)
        end = first + len(masses)
        buckets = self._masses
        # b + count * m for each bucket b and its mass m, in C (the run adds each path it takes)
        buckets[first:end] = map(_add, buckets[first:end], map(count.__mul__, masses))
        self._count += count
        self._latency_sum += count * mean

    @property
    def count(self) -> float:
        return self._count

    def percentile(self, q: float) -> float | None:
        """Seconds; None when empty. Log-linear interpolation inside the bucket."""
        if not 0.0 < q < 1.0:
            raise ValueError(f"percentile needs 0 < q < 1, got {q!r}")
        total = math.fsum(self._masses)
        if total <= 0.0:
            return None
        target = q * total
        cumulative = 0.0
        last = 0
        for i, mass in enumerate(self._masses):
            if mass <= 0.0:
                continue
            if cumulative + mass >= target:
                fraction = min(1.0, (target - cumulative) / mass)
                return _EDGES[i] * (_EDGES[i + 1] / _EDGES[i]) ** fraction
            cumulative += mass
            last = i
        return _EDGES[last + 1]  # rounding kept the running sum just below the target

    def mean(self) -> float | None:
        """Seconds; None when empty."""
        if self._count <= 0.0:
            return None
        return self._latency_sum / self._count

    def shares(self, edges_s: tuple[float, ...]) -> tuple[float, ...]:
        """The share of the requests between each pair of ascending `edges_s`, a bucket counted
        where its log-midpoint falls (what is faster than the first edge goes in the first
        share, what is slower than the last in the last); all 0 when empty."""
        columns = [0.0] * max(0, len(edges_s) - 1)
        total = math.fsum(self._masses)
        if not columns or total <= 0.0:
            return tuple(columns)
        last = len(columns) - 1
        for i, mass in enumerate(self._masses):
            if mass > 0.0:
                middle = math.sqrt(_EDGES[i] * _EDGES[i + 1])
                column = min(last, max(0, bisect_right(edges_s, middle) - 1))
                columns[column] += mass / total
        return tuple(columns)


@lru_cache(maxsize=_SPREADS)
def _spread(dist: Dist) -> tuple[int, tuple[float, ...], float]:
    """The bucket masses of `dist` over the buckets its CDF crosses from eps to 1 - eps, and its
    mean. A path's distribution repeats from tick to tick and run to run, so this pure function
    is remembered (a bounded memo: it cannot change what it returns)."""
    start, end = dist.span(_SPAN_EPSILON)
    first = _bucket_index(start)
    last = _bucket_index(end)
    survival = [1.0, *dist.survival_at(list(_EDGES[first + 1 : last + 1])), 0.0]
    masses = tuple([a - b if a > b else 0.0 for a, b in zip(survival, survival[1:])])
    return first, masses, dist.mean()
