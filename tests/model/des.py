"""Request-by-request discrete-event simulations (SimPy) that the model modules are checked
against. Test-only: each function draws Poisson arrivals and exponential service from one
seeded random.Random and returns what it measured."""

# ruff: noqa: B023  (each run's processes close over that run's environment, used only in it)

from __future__ import annotations

import math
import random
from collections import deque

import simpy


def jsq_response_times(c: int, mu: float, lam: float, requests: int, seed: int, warm: int = 20_000):
    """Least connections: c servers, one FIFO queue each; an arrival joins the server holding
    the fewest requests (the one in service counted; ties to the lowest index). Returns the
    sorted response times of `requests` requests after `warm` warm-up arrivals."""
    env = simpy.Environment()
    rng = random.Random(seed)
    queues: list[deque[float]] = [deque() for _ in range(c)]
    wake: list[simpy.Event | None] = [None] * c
    times: list[float] = []
    total = requests + warm
    counter = [0]

    def server(i: int):
        q = queues[i]
        while True:
            if not q:
                wake[i] = env.event()
                yield wake[i]
            yield env.timeout(rng.expovariate(mu))
            born = q.popleft()
            counter[0] += 1
            if counter[0] > warm:
                times.append(env.now - born)

    def arrivals():
        for _ in range(total):
            yield env.timeout(rng.expovariate(lam))
            i = min(range(c), key=lambda k: len(queues[k]))
            queues[i].append(env.now)
            if wake[i] is not None and not wake[i].triggered:
                wake[i].succeed()

    for i in range(c):
        env.process(server(i))
    env.process(arrivals())
    env.run()
    times.sort()
    return times


def quantile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def overload_runs(c, mu, rate_at, horizon, timeout_s, probes, runs, seed):
    """A shared FIFO queue in front of c servers with reneging: a request that has not started
    service `timeout_s` after it arrived gives up then. Arrival rate rate_at(t), piecewise
    constant. Returns per probe time the mean number waiting, the mean drops up to each probe,
    the mean total drops and the mean response time of served requests, over `runs` runs."""
    rng = random.Random(seed)
    queue_sum = [0.0] * len(probes)
    drops_sum = [0.0] * len(probes)
    total_drops = 0.0
    latency_sum = 0.0
    served = 0
    for _ in range(runs):
        env = simpy.Environment()
        servers = simpy.Resource(env, capacity=c)
        record: list[tuple[float, float | None]] = []  # (arrival, service start or None)

        def request(born):
            with servers.request() as req:
                got = yield req | env.timeout(timeout_s)
                if req in got:
                    start = env.now
                    record.append((born, start))
                    yield env.timeout(rng.expovariate(mu))
                    nonlocal_latency.append(env.now - born)
                else:
                    record.append((born, None))

        nonlocal_latency: list[float] = []

        def source():
            while True:
                rate = rate_at(env.now)
                gap = rng.expovariate(rate)
                edge = math.floor(env.now) + 1.0
                if env.now + gap > edge:  # the rate changes at whole seconds: redraw from there
                    yield env.timeout(edge - env.now)
                    if env.now >= horizon:
                        return
                    continue
                yield env.timeout(gap)
                if env.now >= horizon:
                    return
                env.process(request(env.now))

        env.process(source())
        env.run()
        for k, t in enumerate(probes):
            waiting = 0
            dropped = 0
            for born, start in record:
                if born <= t:
                    end = start if start is not None else born + timeout_s
                    if end > t:
                        waiting += 1
                    elif start is None:
                        dropped += 1
            queue_sum[k] += waiting
            drops_sum[k] += dropped
        total_drops += sum(1 for _, s in record if s is None)
        latency_sum += sum(nonlocal_latency)
        served += len(nonlocal_latency)
    return (
        [q / runs for q in queue_sum],
        [d / runs for d in drops_sum],
        total_drops / runs,
        latency_sum / served,
    )


def lost_writes(write_rps, apply_rps, ship_delay_s, fail_at_s, runs, seed):
    """A primary taking Poisson writes; each reaches one async replica a fixed delay after its
    commit and is applied there in commit order, one at a time, in Exp(apply_rps) time. The
    primary dies at fail_at_s: returns the mean count of writes it acknowledged that the replica
    had not applied by then, and the mean age of the replica's newest applied write then."""
    rng = random.Random(seed)
    lost_sum = 0.0
    lag_sum = 0.0
    for _ in range(runs):
        env = simpy.Environment()
        shipped: deque[float] = deque()  # commit times, in commit order
        arrived = [env.event()]
        state = {"committed": 0, "applied": 0, "newest": 0.0}

        def primary():
            while True:
                yield env.timeout(rng.expovariate(write_rps))
                state["committed"] += 1
                shipped.append(env.now)
                if not arrived[0].triggered:
                    arrived[0].succeed()

        def replica():
            while True:
                if not shipped:
                    arrived[0] = env.event()
                    yield arrived[0]
                born = shipped.popleft()
                if env.now < born + ship_delay_s:  # still on the wire
                    yield env.timeout(born + ship_delay_s - env.now)
                yield env.timeout(rng.expovariate(apply_rps))
                state["applied"] += 1
                state["newest"] = born

        env.process(primary())
        env.process(replica())
        env.run(until=fail_at_s)
        lost_sum += state["committed"] - state["applied"]
        lag_sum += fail_at_s - state["newest"]
    return lost_sum / runs, lag_sum / runs


def invalidation_race(read_rps, write_rps, window_s, ttl_s, horizon_s, seed):
    """One key behind a cache with invalidate-on-write. A read that misses reads the database
    and sets the cache window_s later with what it read; a write bumps the row's version and
    deletes the cached entry. Returns (stale hits, hits, reads)."""
    rng = random.Random(seed)
    version = 0
    entry: tuple[int, float] | None = None  # (version, expires at)
    pending: deque[tuple[float, int]] = deque()  # sets in flight, in time order
    next_read = rng.expovariate(read_rps)
    next_write = rng.expovariate(write_rps)
    stale = hits = reads = 0
    while True:
        next_set = pending[0][0] if pending else math.inf
        now = min(next_read, next_write, next_set)
        if now > horizon_s:
            return stale, hits, reads
        if now == next_set:
            _, seen = pending.popleft()
            entry = (seen, now + ttl_s)
        elif now == next_write:
            version += 1
            entry = None
            next_write += rng.expovariate(write_rps)
        else:
            reads += 1
            if entry is not None and entry[1] > now:
                hits += 1
                stale += entry[0] < version
            else:
                entry = None
                pending.append((now + window_s, version))
            next_read += rng.expovariate(read_rps)


def cold_lru_hits(keys, alpha, capacity, per_tick, ticks, runs, seed):
    """An LRU cache that starts empty under Zipf(alpha) reads over `keys` keys: the mean hit
    ratio of each of the first `ticks` ticks of `per_tick` reads, over `runs` runs."""
    import bisect
    from collections import OrderedDict
    from itertools import accumulate

    rng = random.Random(seed)
    cumulative = list(accumulate(k**-alpha for k in range(1, keys + 1)))
    top = cumulative[-1]
    sums = [0.0] * ticks
    for _ in range(runs):
        held: OrderedDict[int, None] = OrderedDict()
        for tick in range(ticks):
            hit = 0
            for _ in range(per_tick):
                key = bisect.bisect_left(cumulative, rng.random() * top)
                if key in held:
                    hit += 1
                    held.move_to_end(key)
                else:
                    held[key] = None
                    if len(held) > capacity:
                        held.popitem(last=False)
            sums[tick] += hit / per_tick
    return [s / runs for s in sums]
