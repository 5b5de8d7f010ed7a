"""Cache hit ratios from key popularity: LRU, FIFO, LFU, TTL, staleness and warm-up (model.md §3).

The engine never tracks single keys. Zipf popularity over N keys is folded into ~64 buckets of
equally popular keys (the first ranks exact, the tail in geometric rank ranges), so every formula
here is a sum over buckets and costs the same for 10 keys or 10^9. Capacities are counted in items
(keys), rates in requests/second and times in seconds, except the characteristic time T_C, which
is counted in requests (divide by the read rate to get seconds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

POLICIES = ("lru", "fifo", "lfu")

_EXACT_RUN = 16  # rank ranges this short are summed term by term
_EM_FROM = 16  # Euler-Maclaurin starts here: near rank 1 its correction terms are too coarse
_NEWTON_STEPS = 200  # the solve converges monotonically; this only bounds pathological inputs
_REL_TOL = 1e-12


@dataclass(frozen=True, slots=True)
class Popularity:
    """Key popularity as buckets of equally popular keys, most popular bucket first.

    Each bucket is (number of keys in it, popularity share of ONE of those keys); the counts sum
    to `keys` and count * share sums to 1. A key's share is the fraction of all reads (and, with
    the same popularity, of all writes) that go to it.
    """

    keys: int
    alpha: float
    buckets: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if self.keys < 1:
            raise ValueError(f"popularity needs at least 1 key, got {self.keys}")
        if not self.buckets:
            raise ValueError("popularity needs at least one bucket")
        if any(not (n > 0 and q >= 0) for n, q in self.buckets):
            raise ValueError("popularity buckets need a positive key count and a share >= 0")
        if any(a[1] < b[1] * (1 - 1e-9) for a, b in zip(self.buckets, self.buckets[1:])):
            raise ValueError("popularity buckets must be ordered from most to least popular")
        if abs(sum(n for n, _ in self.buckets) - self.keys) > 1e-9 * self.keys:
            raise ValueError("popularity bucket counts must sum to the number of keys")
        if abs(sum(n * q for n, q in self.buckets) - 1) > 1e-9:
            raise ValueError("popularity shares must sum to 1 over all keys")


def zipf_popularity(keys: int, alpha: float, buckets: int = 64) -> Popularity:
    """Zipf popularity (share of rank i proportional to i^-alpha) folded into `buckets` buckets.

    The top quarter of the buckets holds ranks 1, 2, ... one each (the hot keys decide most hit
    ratios); the rest split the remaining ranks into geometrically growing ranges, each
    represented by its mean share so that bucket masses are exact. Masses come from exact sums for
    short ranges and the Euler-Maclaurin expansion for long ones: O(buckets) for any N.
    """
    if not isinstance(keys, int) or keys < 1:
        raise ValueError(f"keys must be an integer >= 1, got {keys!r}")
    if not (math.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"zipf alpha must be finite and >= 0, got {alpha!r}")
    if not isinstance(buckets, int) or buckets < 1:
        raise ValueError(f"buckets must be an integer >= 1, got {buckets!r}")

    if keys <= buckets:
        ranges = [(rank, rank) for rank in range(1, keys + 1)]
    else:
        head = buckets // 4
        ranges = [(rank, rank) for rank in range(1, head + 1)]
        first = head + 1
        for left in range(buckets - head, 1, -1):
            # recompute the ratio each time so that rounding never starves the last buckets
            ratio = ((keys + 1) / first) ** (1 / left)
            nxt = min(max(first + 1, round(first * ratio)), keys + 2 - left)
            ranges.append((first, nxt - 1))
            first = nxt
        ranges.append((first, keys))

    masses = [_power_sum(first, last, alpha) for first, last in ranges]
    total = math.fsum(masses)
    return Popularity(
        keys=keys,
        alpha=alpha,
        buckets=tuple(
            (float(last - first + 1), mass / total / (last - first + 1))
            for (first, last), mass in zip(ranges, masses)
        ),
    )


def _power_sum(first: int, last: int, alpha: float) -> float:
    """sum of k^-alpha for k = first..last: the generalised harmonic H(last) - H(first - 1)."""
    if last - first < _EXACT_RUN:
        return math.fsum(k**-alpha for k in range(first, last + 1))
    head = 0.0
    if first < _EM_FROM:
        head = math.fsum(k**-alpha for k in range(first, _EM_FROM))
        first = _EM_FROM
    a, b = float(first), float(last)
    # integral of x^-alpha over [a, b], written to stay accurate as alpha -> 1
    log_ratio = math.log(b / a)
    u = (1 - alpha) * log_ratio
    integral = a ** (1 - alpha) * log_ratio * (math.expm1(u) / u if u else 1.0)
    fa, fb = a**-alpha, b**-alpha
    # Euler-Maclaurin through f''': the next term is below 1e-7 of f(a) for a >= 16, alpha <= 3
    first_derivative = alpha * (fa / a - fb / b) / 12
    third_derivative = alpha * (alpha + 1) * (alpha + 2) * (fa / a**3 - fb / b**3) / 720
    return head + integral + (fa + fb) / 2 + first_derivative - third_derivative


def characteristic_time(pop: Popularity, capacity: float, policy: str) -> float:
    """T_C in requests: how long a key stays cached after its last request (LRU) or its insertion
    (FIFO). Solves expected occupancy = capacity; inf when the cache holds every key."""
    _check_capacity(capacity)
    if policy not in ("lru", "fifo"):
        raise ValueError(f"characteristic time is defined for 'lru' and 'fifo', not {policy!r}")
    if capacity >= pop.keys:
        return math.inf
    if capacity == 0:
        return 0.0
    return _solve_time(pop, capacity, policy == "lru")


def _solve_time(pop: Popularity, capacity: float, lru: bool) -> float:
    """Newton's method on log(expected keys absent) = log(keys - capacity).

    The absent count is a sum of log-convex decreasing terms (exp(-q*T) for LRU, 1/(1+q*T) for
    FIFO), so its log is convex: Newton from below never overshoots, and it takes large steps
    where a plain occupancy equation flattens out (caches holding nearly every key).
    """
    log_target = math.log(pop.keys - capacity)
    t = capacity  # occupancy(T) <= T for both policies, so the root lies at or above capacity
    for _ in range(_NEWTON_STEPS):
        absent = slope = 0.0
        if lru:
            for n, q in pop.buckets:
                gone = n * math.exp(-q * t)
                absent += gone
                slope += q * gone
        else:
            for n, q in pop.buckets:
                gone = n / (1 + q * t)
                absent += gone
                slope += q * gone / (1 + q * t)
        if slope == 0:
            break
        excess = math.log(absent) - log_target
        if excess <= 0:
            break
        step = excess * absent / slope
        t += step
        if step <= _REL_TOL * t:
            break
    return t


def lru_hit_ratio(pop: Popularity, capacity: float) -> float:
    """Steady-state LRU hit ratio, Che approximation."""
    return _weighted(pop, _capacity_hits(pop, capacity, "lru"))


def fifo_hit_ratio(pop: Popularity, capacity: float) -> float:
    """Steady-state FIFO hit ratio (random eviction gives the same)."""
    return _weighted(pop, _capacity_hits(pop, capacity, "fifo"))


def lfu_hit_ratio(pop: Popularity, capacity: float) -> float:
    """Perfect LFU, the best static cache: the reads of the `capacity` most popular keys."""
    return _weighted(pop, _capacity_hits(pop, capacity, "lfu"))


def _capacity_hits(pop: Popularity, capacity: float, policy: str) -> list[float]:
    """Per bucket: the hit ratio of one of its keys under a capacity-bound policy.

    For LFU a key is either cached or not, so the value is the share of the bucket's keys cached.
    """
    _check_capacity(capacity)
    if policy not in POLICIES:
        raise ValueError(f"unknown cache policy {policy!r}; expected one of {POLICIES}")
    if capacity >= pop.keys:
        return [1.0] * len(pop.buckets)
    if capacity == 0:
        return [0.0] * len(pop.buckets)
    if policy == "lfu":
        hits = []
        room = capacity
        for n, _ in pop.buckets:
            hits.append(min(1.0, room / n))
            room = max(0.0, room - n)
        return hits
    t = _solve_time(pop, capacity, policy == "lru")
    if policy == "lru":
        return [-math.expm1(-q * t) for _, q in pop.buckets]
    return [q * t / (1 + q * t) for _, q in pop.buckets]


def ttl_hit_ratio(
    pop: Popularity,
    read_rps: float,
    ttl_s: float,
    write_rps: float = 0.0,
    invalidate_on_write: bool = True,
) -> float:
    """Hit ratio of a TTL cache that sets entries on a miss (memcached style), capacity unbounded.

    Renewal argument: an entry lives L = ttl, or min(ttl, time to the key's next write) when
    writes invalidate; after it dies the next read misses and refills it, so a key hits
    lambda*E[L] / (1 + lambda*E[L]) of its reads. With no writes this is model.md's
    lambda*tau / (1 + lambda*tau).
    """
    return _weighted(pop, _ttl_hits(pop, read_rps, ttl_s, write_rps, invalidate_on_write))


def _ttl_hits(
    pop: Popularity, read_rps: float, ttl_s: float, write_rps: float, invalidate_on_write: bool
) -> list[float]:
    """Per bucket: the TTL hit ratio of one of its keys."""
    _check_rate("read_rps", read_rps)
    _check_rate("write_rps", write_rps)
    _check_duration("ttl_s", ttl_s)
    hits = []
    for _, q in pop.buckets:
        reads = q * read_rps
        if reads == 0 or ttl_s == 0:
            hits.append(0.0)
            continue
        writes = q * write_rps if invalidate_on_write else 0.0
        if writes == 0:
            life = ttl_s  # may be inf: the entry never leaves
        else:
            life = -math.expm1(-writes * ttl_s) / writes  # E[min(ttl, time to next write)]
        x = reads * life
        hits.append(1.0 if x == math.inf else x / (1 + x))
    return hits


def cache_hit_ratio(
    pop: Popularity,
    capacity: float,
    policy: str,
    read_rps: float,
    ttl_s: float,
    write_rps: float = 0.0,
    invalidate_on_write: bool = True,
) -> float:
    """Hit ratio of a cache tier bounded by both capacity and TTL: per key, whichever binds.

    Each key hits the smaller of its capacity-policy hit ratio and its TTL hit ratio (for LFU:
    its TTL hit ratio if it is among the cached keys, else 0). ttl_s = inf means no TTL, though
    invalidating writes still cut entries short. This is exact when only one bound is active
    (capacity >= keys; or no TTL and no invalidating writes). When both bind it is an
    approximation: entries that expire early free room that lets other keys outlive T_C.
    """
    capacity_hits = _capacity_hits(pop, capacity, policy)
    ttl_hits = _ttl_hits(pop, read_rps, ttl_s, write_rps, invalidate_on_write)
    if policy == "lfu":
        hits = [cached * ttl for cached, ttl in zip(capacity_hits, ttl_hits)]
    else:
        hits = [min(cap, ttl) for cap, ttl in zip(capacity_hits, ttl_hits)]
    return _weighted(pop, hits)


def stale_share(
    pop: Popularity,
    read_rps: float,
    ttl_s: float,
    write_rps: float,
    invalidate_on_write: bool,
    race_window_s: float,
) -> float:
    """Share of cache hits that return a value changed since it was cached (keys weighted by
    their hits; a key of share q is written at omega = q * write_rps).

    Without invalidation a hit is stale when its key was written since the fill. Reads are
    Poisson, so a hit's entry age is uniform over the entry's life (the TTL):
    1 - (1 - exp(-omega*ttl)) / (omega*ttl).

    With invalidation a write deletes the entry, so a value can only go stale through a race:
    a read misses, reads the row and sets the cache race_window_s later; a write landing in
    between deletes nothing, and the set installs the old value. That entry stays until the
    key's next write or the TTL, like a clean one (the next write is Exp(omega) after the set),
    so the share of the key's hits that are stale is the chance a fill is poisoned:
    1 - exp(-omega * race_window_s), about omega times the window.
    """
    _check_duration("race_window_s", race_window_s)
    hits = _ttl_hits(pop, read_rps, ttl_s, write_rps, invalidate_on_write)
    hit_total = stale_total = 0.0
    for (n, q), hit in zip(pop.buckets, hits):
        weight = n * q * hit
        writes = q * write_rps
        hit_total += weight
        if writes > 0:
            if invalidate_on_write:
                stale_total += weight * -math.expm1(-writes * race_window_s)
            else:
                stale_total += weight * (1 - _mean_survival(writes * ttl_s))
    return _share(stale_total / hit_total) if hit_total > 0 else 0.0


def replica_stale_share(pop: Popularity, write_rps: float, lag_s: float) -> float:
    """Share of reads from a replica lagging lag_s behind that miss a committed write:
    a read of a key is stale when that key was written within the last lag_s seconds."""
    _check_rate("write_rps", write_rps)
    _check_duration("lag_s", lag_s)
    stale = 0.0
    for n, q in pop.buckets:
        writes = q * write_rps
        if writes > 0:
            stale += n * q * -math.expm1(-writes * lag_s)
    return _share(stale)


def warm_up_factor(
    pop: Popularity, capacity: float, requests_before: float, requests_in_tick: float = 0.0
) -> float:
    """How warm a restarted cache is over a tick, as a share of its steady hit ratio.

    An empty cache evicts nothing until it fills, at T_C requests, so after x requests it hits
    like an LRU cache with characteristic time min(x, T_C): h(x) = sum_i p_i (1 - exp(-p_i x)).
    A tick whose reads take the count from x0 = requests_before to x1 = x0 + requests_in_tick
    hits, on average over its reads, (1 / (x1 - x0)) * integral of h from x0 to x1: per key,
    integral (1 - exp(-q x)) dx = (x1 - x0) - (exp(-q x0) - exp(-q x1)) / q. Read at the
    tick's end instead, the first ticks after a restart look warmer than they are, exactly when
    the herd hits the database. With no reads in the tick it is h(x0) / steady. The result is
    in [0, 1] and 1 from T_C on; the engine scales any policy's steady hit ratio by it.
    """
    if not (requests_before >= 0 and math.isfinite(requests_in_tick) and requests_in_tick >= 0):
        raise ValueError("request counts must be >= 0 (and finite for the tick)")
    t_c = characteristic_time(pop, capacity, "lru")
    if requests_before >= t_c:
        return 1.0
    steady = lru_hit_ratio(pop, capacity)
    if steady <= 0:
        return 1.0
    x0 = requests_before
    if requests_in_tick == 0:
        return _share(sum(n * q * -math.expm1(-q * x0) for n, q in pop.buckets) / steady)
    x1 = x0 + requests_in_tick
    cold_end = min(x1, t_c)
    total = 0.0
    for n, q in pop.buckets:
        if q > 0:
            # exp(-q x0) - exp(-q x1), without losing digits when q (x1 - x0) is tiny
            drop = math.exp(-q * x0) * -math.expm1(-q * (cold_end - x0))
            total += n * q * ((cold_end - x0) - drop / q)
    total += steady * (x1 - cold_end)  # the part of the tick after the cache filled
    return _share(total / requests_in_tick / steady)


def _mean_survival(x: float) -> float:
    """(1 - exp(-x)) / x: the mean of exp(-s) for s uniform on [0, x]; 1 at x = 0, 0 at inf."""
    if x == 0:
        return 1.0
    if x == math.inf:
        return 0.0
    return -math.expm1(-x) / x


def _weighted(pop: Popularity, hits: list[float]) -> float:
    """Share of all reads that hit, given each bucket's per-key hit ratio."""
    return _share(sum(n * q * hit for (n, q), hit in zip(pop.buckets, hits)))


def _share(x: float) -> float:
    """Clamp rounding noise so that shares stay in [0, 1]."""
    return min(1.0, max(0.0, x))


def _check_capacity(capacity: float) -> None:
    if not capacity >= 0:
        raise ValueError(f"cache capacity must be >= 0 items, got {capacity!r}")


def _check_rate(name: str, rate: float) -> None:
    if not (math.isfinite(rate) and rate >= 0):
        raise ValueError(f"{name} must be a finite rate >= 0 req/s, got {rate!r}")


def _check_duration(name: str, seconds: float) -> None:
    if not seconds >= 0:
        raise ValueError(f"{name} must be >= 0 seconds (inf allowed), got {seconds!r}")
