"""In-cache LFU under the independent reference model: the long-run hit ratio of each bucket.

In-cache LFU keeps a read count only for the keys it holds: a key comes in with count 1, a miss
into a full cache evicts a key of the least count (of those, the one that reached it first), and
an evicted key loses its count (memcached-like caches, libCacheSim's LFU). It hits less than
perfect LFU (the C most popular keys, the best static cache), which needs counts for every key.

How it runs from empty, counted in requests:
- Until the cache holds C keys nothing is evicted. That takes T, the Che characteristic time of
  an LRU cache of the same size (sum of 1 - exp(-q T) = C): at T a key of share q has been read
  at least twice with probability 1 - e^(-qT) (1 + qT) and exactly once with q T e^(-qT).
- From then on every miss evicts the oldest key read only once, so the once-read keys form a
  FIFO window; a key read again while in it reaches count 2, above every newcomer, and stays.
  The window only shrinks (each such promotion takes a slot for good) until it holds just the
  newest key: the cache has frozen and holds the same keys from then on. What it holds depends
  on that first stretch, not on the run's length (no drift: it settles within tens to a few
  hundred requests per cached key and then keeps its hit ratio).
- Fluid model of the window: its keys leave it after a residence tau = window size / miss rate,
  which starts at T (at the fill the window is the once-read keys: sum q T e^(-qT) over
  sum q e^(-qT) = T) and falls about exponentially, tau(t) = T e^(-k (t - T)). A once-read key
  at the fill is promoted with probability qT / (1 + qT); a key outside comes in at rate q and
  is promoted with probability q tau / (1 + q tau), which integrates to a chance
  1 - (1 + qT)^(-q/k) of ever being promoted. So a key is left out for good with probability
      u(q) = e^(-qT) (1 + qT / (1 + qT)) (1 + qT)^(-q/k)
  and k follows from the cache holding C keys at the end: sum over keys of u = N - C. As with
  Che's T, one scalar is solved over the popularity buckets (Newton on a log-convex sum).
- A key's long-run hit ratio is the chance it is held, 1 - u(q).

With a TTL or invalidating writes the cache never freezes: an entry that expires (on its next
read: it is dropped then, lazily) or is deleted by a write comes back with count 1 and has to
earn its place again, so every key goes through renewal cycles, and the steady state no longer
depends on history (it is reached after a few entry lives). One cycle starts with the miss
that inserts the key (time 0, in seconds; r and w are the key's read and invalidating write
rates, L the TTL):
- It sits in the FIFO window of once-read keys for at most D seconds (the window's residence,
  the same for every key) and is promoted if read within them; else it is evicted at D.
- It is live (its reads hit) until the write, the TTL or the eviction that ends it first:
  Lambda = E[min(Tw, L)] - [D < L] e^(-(r + w) D) E[(min(Tw, L) - D)+], Tw ~ Exp(w).
- An entry promoted and still there at L stays, expired, until its next read or write (its
  count keeps it above the window); one still in the window at L stays until D.
So the key hits H = r Lambda reads per cycle and misses one: its hit ratio is H / (1 + H), and
it is held O r / (1 + H) of the time (O: the cycle's expected time held). D follows from the
cache holding C keys; with no capacity bound (D = inf) this is exactly the TTL cache's
x / (1 + x). Perfect LFU times the TTL hit ratio, the engine's old combination, overstates the
one-cache level's case (TTL 3600 s, invalidating writes) by 2.5 points.

Checked against libcachesim's LFU driven by an exact Zipf trace, and (for expiring entries,
which libcachesim's build does not expire) a plain in-cache LFU that agrees with it request by
request: tests/model/test_lfu.py, tables from tests/model/lfu_reference.py.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

_NEWTON_STEPS = 200  # converges monotonically from below; this only bounds pathological inputs
_REL_TOL = 1e-12
_LOG_MAX_FLOAT = math.log(sys.float_info.max)
_HELD_TOL = 1e-9  # relative error of the keys held at the solved residence: far below a hit


def in_cache_lfu_hits(
    buckets: Sequence[tuple[float, float]], keys: float, capacity: float, fill_time: float
) -> list[float]:
    """Per bucket (count of keys, share of one key): the long-run in-cache LFU hit ratio of one
    of its keys in a cache of `capacity` keys (0 < capacity < keys). `fill_time` is T, the
    requests until the cache is full: the LRU characteristic time for that capacity."""
    if not 0 < capacity < keys:
        raise ValueError(f"in-cache LFU needs 0 < capacity < keys, got {capacity!r} of {keys!r}")
    if not (fill_time > 0 and math.isfinite(fill_time)):
        raise ValueError(f"fill_time must be a finite number of requests > 0, got {fill_time!r}")
    # per bucket: u = left * exp(-x * rate) with x = 1/k
    left = []
    rate = []
    for _, q in buckets:
        qt = q * fill_time
        left.append(math.exp(-qt) * (1 + qt / (1 + qt)))
        rate.append(q * math.log1p(qt))
    x = _solve_rate(buckets, left, rate, keys - capacity)
    return [1 - u * math.exp(-x * r) for u, r in zip(left, rate)]


def _solve_rate(buckets, left, rate, outside: float) -> float:
    """x >= 0 with sum n * left * exp(-x * rate) = outside, by Newton on the log of the sum.

    The sum is a positive mix of decreasing exponentials in x, so its log is convex and
    decreasing: Newton from x = 0 (where the sum exceeds `outside`) climbs to the root without
    overshooting it.
    """
    log_target = math.log(outside)
    x = 0.0
    for _ in range(_NEWTON_STEPS):
        total = slope = 0.0
        for (n, _), u, r in zip(buckets, left, rate):
            mass = n * u * math.exp(-x * r)
            total += mass
            slope += r * mass
        if total <= 0 or slope == 0:
            break
        excess = math.log(total) - log_target
        if excess <= 0:
            break
        step = excess * total / slope
        x += step
        if step <= _REL_TOL * x:
            break
    return x


def expiring_lfu_hits(
    buckets: Sequence[tuple[float, float]],
    capacity: float,
    read_rps: float,
    ttl_s: float,
    write_rps: float,
) -> list[float]:
    """Per bucket: the steady in-cache LFU hit ratio of one of its keys when entries expire after
    `ttl_s` (set on the miss, not refreshed) and `write_rps` writes (spread by popularity) delete
    them. Needs a finite TTL or writes > 0, reads > 0 and 0 < capacity."""
    if not (read_rps > 0 and math.isfinite(read_rps) and capacity > 0 and ttl_s > 0):
        raise ValueError("expiring LFU needs reads > 0, capacity > 0 and a TTL > 0")
    if ttl_s == math.inf and not write_rps > 0:
        raise ValueError("entries that never expire nor are deleted: use in_cache_lfu_hits")
    # a bucket read so rarely that its rate rounds to 0.0 is never read: it holds nothing
    read = [q * read_rps > 0 for _, q in buckets]
    cycles = [
        _Cycle(n, q * read_rps, q * write_rps, ttl_s) for (n, q), r in zip(buckets, read) if r
    ]
    residence = math.inf
    if sum(c.held(residence)[0] for c in cycles) > capacity:  # else the TTL binds alone
        guess = capacity / read_rps
        log_guess = math.log(guess) if guess < math.inf else math.log(capacity) - math.log(read_rps)
        residence = _solve_residence(
            lambda d: sum(c.held(d)[0] for c in cycles), capacity, log_guess
        )
    hits = iter([c.held(residence)[1] for c in cycles])
    return [next(hits) if r else 0.0 for r in read]


class _Cycle:
    """The renewal cycle of a bucket's keys (read rate r, write rate w, TTL), for a window
    residence d: the bucket's expected keys held and one key's hit ratio. The parts that do not
    depend on d are computed once, as the residence solve calls `held` a few times a bucket."""

    __slots__ = ("n", "r", "w", "b", "ttl", "live_full", "expired", "waiting")

    def __init__(self, n: float, r: float, w: float, ttl: float):
        self.n, self.r, self.w, self.b, self.ttl = n, r, w, r + w, ttl
        if ttl != math.inf:
            self.live_full = ttl * _e1(w * ttl)  # live seconds if never evicted
            self.expired = math.exp(-w * ttl) / self.b  # promoted, expired: waits for a read
            self.waiting = math.exp(-self.b * ttl)  # still once-read at the TTL

    def held(self, d: float) -> tuple[float, float]:
        r, w, b, ttl = self.r, self.w, self.b, self.ttl
        if ttl == math.inf:  # w > 0: writes end every life
            live = -math.expm1(-b * d) / w if d != math.inf else 1 / w
            held_time = live
        else:
            live = self.live_full
            if d < ttl:
                live -= math.exp(-b * d) * (ttl - d) * _e1(w * (ttl - d))
            held_time = live + self.expired * -math.expm1(-r * min(d, ttl))
            if ttl < d:  # expired in the window: it waits there for d
                held_time += self.waiting * (
                    (d - ttl) * _e1(b * (d - ttl)) if d != math.inf else 1 / b
                )
        h = r * live
        return self.n * held_time * r / (1 + h), h / (1 + h)


def _e1(y: float) -> float:
    """(1 - e^-y) / y, 1 at y = 0."""
    return -math.expm1(-y) / y if y > 0 else 1.0


def _solve_residence(held, capacity: float, log_guess: float) -> float:
    """The window residence D with held(D) = capacity; held rises with D from 0 and passes
    capacity before D = inf. Illinois false position on log D after bracketing by factors of 4
    from the guess (its log: capacity / a rare read rate is more than a float holds)."""
    target = math.log(capacity)

    def excess(y: float) -> float:
        return math.log(max(held(_residence(y)), 1e-300)) - target

    lo = hi = log_guess
    f_lo = f_hi = excess(lo)
    while f_lo > 0:
        hi, f_hi = lo, f_lo
        lo -= math.log(4)
        f_lo = excess(lo)
    while f_hi < 0:
        lo, f_lo = hi, f_hi
        hi += math.log(4)
        f_hi = excess(hi)
    side = 0
    for _ in range(_NEWTON_STEPS):
        if f_hi - f_lo == 0:
            break
        if math.isfinite(f_hi - f_lo):
            y = hi - f_hi * (hi - lo) / (f_hi - f_lo)
        else:  # an end where held is inf: halve the bracket instead
            y = (lo + hi) / 2
        f = excess(y)
        if abs(f) < _HELD_TOL or hi - lo < 1e-12:
            return _residence(y)
        if f > 0:
            hi, f_hi = y, f
            if side == 1:
                f_lo /= 2
            side = 1
        else:
            lo, f_lo = y, f
            if side == -1:
                f_hi /= 2
            side = -1
    return _residence((lo + hi) / 2)


def _residence(log_d: float) -> float:
    """exp(log_d), and inf where that is more than a float holds."""
    return math.exp(log_d) if log_d < _LOG_MAX_FLOAT else math.inf
