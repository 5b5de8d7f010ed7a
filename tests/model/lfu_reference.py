"""The in-cache LFU reference: libcachesim's LFU (and LRU and FIFO as checks of the trace) driven
by our own Zipf request stream, request by request. Test-only.

    python -m tests.model.lfu_reference            prints every case
    python -m tests.model.lfu_reference --write    also rewrites lfu_reference.json (the tables
                                                   tests/model/test_lfu.py reads)
    ... --jobs N                                   runs N cases at a time (processes)
    python -m tests.model.lfu_reference --assemble LOG...   writes the table from the rows that
                                                   runs printed (JSON lines), e.g. when cases
                                                   were run in separate processes

Requests: key ids 1..N drawn by inverse-CDF sampling from the exact Zipf(alpha) shares over N
keys (numpy, fixed seed). Several cache nodes: each key belongs to one node (drawn once, uniform,
fixed seed), as a client hashing keys over the ring does. Hit ratios are counted in windows of
requests per slot (requests divided by the total capacity in keys), so that one case's warm-up
and settling can be read off the windows; `held` is the popularity share of the keys an LFU
cache holds at the end, the hit ratio it would go on giving.

Expiring entries (a TTL, invalidating writes): libcachesim's build does not expire entries, so
those runs use InCacheLFU, which makes libcachesim's decisions request by request without them.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

import libcachesim as lcs
import numpy as np

TABLE = Path(__file__).with_name("lfu_reference.json")
_CHUNK = 1 << 20

# (keys, alpha, items per node, nodes, requests per slot run): the levels' key counts, Zipf
# exponents and cache sizes (20k/50k/120k keys a node). Each run is long enough for in-cache
# LFU to settle (its class of once-read keys drains); the last window is its second half.
CASES = (
    (50_000, 0.8, 20_000, 1, 64),
    (50_000, 0.9, 20_000, 1, 64),
    (100_000, 0.6, 20_000, 1, 64),
    (100_000, 1.2, 20_000, 1, 256),
    (500_000, 1.1, 20_000, 1, 256),
    (500_000, 1.1, 50_000, 1, 256),
    (1_000_000, 0.6, 20_000, 1, 256),
    (1_000_000, 0.9, 20_000, 4, 128),
    (1_000_000, 1.0, 50_000, 1, 256),
    (1_000_000, 1.0, 120_000, 1, 128),
    (10_000_000, 1.0, 50_000, 2, 320),
    (10_000_000, 1.2, 50_000, 1, 512),
)
LIVE_CASE = 0  # small enough for the suite to re-run (about 1.3M requests)
BASELINE_SLOTS = 32  # LRU and FIFO are steady from T_C on (up to 14 requests per slot here)

# Entries that expire: (keys, alpha, items per node, nodes, reads/s, writes/s, TTL s, writes
# invalidate, reads per slot run), each the traffic of a level with a cache, eviction LFU.
# Steady after a few TTLs and, as expired entries wait for their next read, a few read
# intervals of the least read keys held: the runs cover six TTLs or more.
EXPIRING_CASES = (
    (500_000, 1.1, 20_000, 1, 1000.0, 11.0, 3600.0, True, 1080),  # one-cache
    (500_000, 1.1, 50_000, 1, 500.0, 11.0, 3600.0, True, 320),  # hot-reads, an M node
    (1_000_000, 1.0, 20_000, 1, 150.0, 19.0, 300.0, True, 128),  # far-away-users
    (50_000, 0.8, 20_000, 1, 600.0, 6.6, 60.0, False, 64),  # fresh-enough, TTL 60 s
    (50_000, 0.9, 20_000, 1, 700.0, 30.0, 300.0, True, 64),  # stale-reads, invalidating
    (1_000_000, 0.8, 20_000, 1, 1000.0, 100.0, 60.0, True, 256),  # heavy invalidation
    # skewed at its evening rate (2,900 req/s: 94% reads, 0.5% writes), two M nodes: six TTLs
    # are ~59M reads, as a read stream this fast refills the cache ~100 times a TTL
    (10_000_000, 1.0, 50_000, 2, 2726.0, 14.5, 3600.0, True, 588),
)
LIVE_EXPIRING_CASE = 5  # about 640k reads


def zipf_cdf(keys: int, alpha: float) -> np.ndarray:
    """Cumulative shares of ranks 1..keys under exact Zipf(alpha); the last entry is 1."""
    weights = np.arange(1, keys + 1, dtype=np.float64) ** -alpha
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


def zipf_requests(cdf: np.ndarray, count: int, seed: int):
    """`count` key ids (1..len(cdf)) in chunks: inverse-CDF sampling of uniform draws."""
    rng = np.random.default_rng(seed)
    left = count
    while left > 0:
        n = min(left, _CHUNK)
        yield np.searchsorted(cdf, rng.random(n), side="right") + 1
        left -= n


class InCacheLFU:
    """A plain in-cache LFU, to check libcachesim's: counts only for held keys (a key comes in
    with count 1 and an evicted key loses its count); a miss into a full cache evicts a key of
    the least count, the one that reached that count first (libCacheSim's tie rule).

    With a TTL an entry expires `ttl` after it was set (on the miss; hits do not refresh it) and
    is dropped lazily, when it is next read (a miss that sets it again with count 1); `drop`
    deletes an entry (an invalidating write)."""

    def __init__(self, capacity: int, ttl: float = math.inf):
        self.capacity = capacity
        self.ttl = ttl
        self.count: dict[int, int] = {}
        self.expires: dict[int, float] = {}
        self.classes: dict[int, OrderedDict[int, None]] = {1: OrderedDict()}
        self.least = 1

    def get(self, key: int, now: float = 0.0) -> bool:
        classes = self.classes
        c = self.count.get(key)
        if c is not None:
            if self.ttl == math.inf or self.expires[key] > now:
                del classes[c][key]
                self.count[key] = c + 1
                classes.setdefault(c + 1, OrderedDict())[key] = None
                if c == self.least and not classes[c]:
                    self.least = c + 1
                return True
            self.drop(key)
        if len(self.count) >= self.capacity:
            while not classes.get(self.least):
                self.least += 1
            victim, _ = classes[self.least].popitem(last=False)
            del self.count[victim]
            self.expires.pop(victim, None)
        self.count[key] = 1
        if self.ttl != math.inf:
            self.expires[key] = now + self.ttl
        classes[1][key] = None
        self.least = 1
        return False

    def drop(self, key: int) -> None:
        c = self.count.pop(key, None)
        if c is not None:
            del self.classes[c][key]
            self.expires.pop(key, None)


_RECORD = np.dtype(
    [("time", "<u4"), ("id", "<u8"), ("size", "<u4"), ("next", "<i8")]
)  # oracleGeneral
_POLICIES = {"lfu": lcs.LFU, "lru": lcs.LRU, "fifo": lcs.FIFO}


def simulate(policy, keys, alpha, items, nodes, edges, seed, plain=False, cdf=None):
    """Hit ratio in each window [edges[i], edges[i+1]) (edges in requests per slot) of `nodes`
    caches of `items` keys each, and the popularity share held at the end. `plain` uses
    InCacheLFU instead of libcachesim (policy must be "lfu")."""
    cdf = zipf_cdf(keys, alpha) if cdf is None else cdf
    slots = items * nodes
    bounds = np.array([round(e * slots) for e in edges])
    owner = np.random.default_rng(seed + 1).integers(nodes, size=keys + 1)
    requests = zipf_requests(cdf, int(bounds[-1]), seed)
    if plain:
        hits, holds = _plain_lfu(requests, owner, items, nodes, bounds)
    else:
        hits, holds = _libcachesim(policy, requests, owner, items, nodes, bounds)
    sizes = np.diff(bounds)
    ratios = [float(h / n) if n else 0.0 for h, n in zip(hits, sizes)]
    shares = np.diff(cdf, prepend=0.0)
    held = math.fsum(float(shares[k - 1]) for k in range(1, keys + 1) if holds(int(owner[k]), k))
    return ratios, held


def _plain_lfu(requests, owner, items, nodes, bounds):
    caches = [InCacheLFU(items) for _ in range(nodes)]
    hits = np.zeros(len(bounds) - 1, dtype=np.int64)
    done = 0
    for chunk in requests:
        windows_of = np.searchsorted(bounds, done + np.arange(len(chunk)), side="right") - 1
        for key, node, window in zip(chunk.tolist(), owner[chunk].tolist(), windows_of.tolist()):
            hits[window] += caches[node].get(key)
        done += len(chunk)
    return hits, lambda node, key: key in caches[node].count


def _libcachesim(policy, requests, owner, items, nodes, bounds):
    """Each node's requests of each window go to a trace file (libCacheSim's oracleGeneral
    binary format) that the node's cache then reads in C, window by window: the same requests,
    in the same order, as calling get() once per request, without Python in the loop."""
    count = len(bounds) - 1
    caches = [_POLICIES[policy](items) for _ in range(nodes)]
    hits = np.zeros(count, dtype=np.int64)
    with tempfile.TemporaryDirectory(prefix="lfu-reference-") as folder:
        paths = [
            [Path(folder, f"{n}-{w}.oracleGeneral.bin") for w in range(count)] for n in range(nodes)
        ]
        files = [[path.open("wb") for path in row] for row in paths]
        done = 0
        for chunk in requests:
            windows_of = np.searchsorted(bounds, done + np.arange(len(chunk)), side="right") - 1
            node_of = owner[chunk]
            for n in range(nodes):
                for w in np.unique(windows_of[node_of == n]).tolist():
                    mine = chunk[(node_of == n) & (windows_of == w)]
                    records = np.zeros(len(mine), dtype=_RECORD)
                    records["id"], records["size"], records["next"] = mine, 1, -1
                    records.tofile(files[n][w])
            done += len(chunk)
        for row in files:
            for f in row:
                f.close()
        for cache, row in zip(caches, paths):
            for w, path in enumerate(row):
                n = path.stat().st_size // _RECORD.itemsize
                if n:
                    reader = lcs.TraceReader(str(path), lcs.TraceType.ORACLE_GENERAL_TRACE)
                    miss_ratio, _ = cache.process_trace(reader)
                    hits[w] += n - round(miss_ratio * n)
                path.unlink()
    req = lcs.Request()
    req.obj_size = 1

    def holds(node: int, key: int) -> bool:
        req.obj_id = key
        return caches[node].find(req, False) is not None

    return hits, holds


def simulate_expiring(
    keys, alpha, items, nodes, read_rps, write_rps, ttl_s, invalidate, edges, seed
):
    """Hit ratio of the reads in each window [edges[i], edges[i+1]) (reads per slot) of
    `nodes` InCacheLFU caches whose entries expire after `ttl_s`: reads and writes are Poisson
    streams of the given rates over Zipf(alpha) keys; with `invalidate` a write drops the
    key's entry (else writes never touch the cache and are left out)."""
    cdf = zipf_cdf(keys, alpha)
    slots = items * nodes
    bounds = [round(e * slots) for e in edges]
    owner = np.random.default_rng(seed + 1).integers(nodes, size=keys + 1)
    caches = [InCacheLFU(items, ttl_s) for _ in range(nodes)]
    writes = write_rps if invalidate else 0.0
    rng = np.random.default_rng(seed)
    hits = np.zeros(len(bounds) - 1)
    now, reads, window, hit = 0.0, 0, 0, 0
    while reads < bounds[-1]:
        gaps = rng.exponential(1 / (read_rps + writes), _CHUNK)
        times = now + np.cumsum(gaps)
        now = float(times[-1])
        keys_at = np.searchsorted(cdf, rng.random(_CHUNK), side="right") + 1
        is_write = rng.random(_CHUNK) * (read_rps + writes) < writes
        for t, key, w in zip(times.tolist(), keys_at.tolist(), is_write.tolist()):
            cache = caches[owner[key]]
            if w:
                cache.drop(key)
                continue
            hit += cache.get(key, t)
            reads += 1
            if reads == bounds[window + 1]:
                hits[window] = hit / (bounds[window + 1] - bounds[window])
                hit = 0
                window += 1
                if window == len(hits):
                    break
    return [float(h) for h in hits]


def windows(length: float) -> list[float]:
    """0, 1, 2, 4, ... up to length/2, then length: doubling windows, the last one its half."""
    edges = [0.0, 1.0]
    while edges[-1] * 2 < length / 2:
        edges.append(edges[-1] * 2)
    return edges + [length / 2, length]


def run_case(index: int, seed: int = 11) -> dict:
    keys, alpha, items, nodes, length = CASES[index]
    cdf = zipf_cdf(keys, alpha)
    started = time.perf_counter()
    lfu_edges = windows(length)
    lfu, held = simulate("lfu", keys, alpha, items, nodes, lfu_edges, seed, cdf=cdf)
    short = [0.0, BASELINE_SLOTS / 2, BASELINE_SLOTS]
    lru, _ = simulate("lru", keys, alpha, items, nodes, short, seed, cdf=cdf)
    fifo, _ = simulate("fifo", keys, alpha, items, nodes, short, seed, cdf=cdf)
    return {
        "keys": keys,
        "alpha": alpha,
        "items": items,
        "nodes": nodes,
        "seed": seed,
        "lfu_edges": lfu_edges,
        "lfu_windows": lfu,
        "lfu": lfu[-1],
        "lfu_held": held,
        "baseline_edges": short,
        "lru": lru[-1],
        "fifo": fifo[-1],
        "seconds": round(time.perf_counter() - started, 1),
    }


def run_expiring_case(index: int, seed: int = 11) -> dict:
    keys, alpha, items, nodes, reads, writes, ttl, invalidate, length = EXPIRING_CASES[index]
    started = time.perf_counter()
    edges = [length * i / 8 for i in range(9)]
    hits = simulate_expiring(keys, alpha, items, nodes, reads, writes, ttl, invalidate, edges, seed)
    return {
        "keys": keys,
        "alpha": alpha,
        "items": items,
        "nodes": nodes,
        "read_rps": reads,
        "write_rps": writes,
        "ttl_s": ttl,
        "invalidate": invalidate,
        "seed": seed,
        "edges": edges,
        "windows": hits,
        "lfu": sum(hits[4:]) / 4,  # the second half
        "seconds": round(time.perf_counter() - started, 1),
    }


_PLAIN_COST = 2.7  # a request through InCacheLFU (Python) costs this many through libcachesim (C)


def _requests(task: tuple[str, int]) -> float:
    """About how many requests a case simulates (an expiring run's writes count too)."""
    part, index = task
    if part == "capacity":
        keys, alpha, items, nodes, length = CASES[index]
        return items * nodes * (length + 2 * BASELINE_SLOTS)
    keys, alpha, items, nodes, reads, writes, ttl, invalidate, length = EXPIRING_CASES[index]
    return items * nodes * length * (1 + writes / reads) * _PLAIN_COST


def _run(task: tuple[str, int]) -> tuple[str, int, dict]:
    part, index = task
    return part, index, (run_case if part == "capacity" else run_expiring_case)(index)


def assemble(logs: list[str]) -> dict:
    """The table from the JSON lines that runs printed (several runs may share the cases); every
    case must be there."""
    table: dict[str, list] = {
        "capacity": [None] * len(CASES),
        "expiring": [None] * len(EXPIRING_CASES),
    }
    cases = {"capacity": CASES, "expiring": EXPIRING_CASES}
    for log in logs:
        for line in Path(log).read_text().splitlines():
            if line.startswith("{"):
                ((part, row),) = json.loads(line).items()
                fields = ("keys", "alpha", "items", "nodes")
                if part == "expiring":
                    fields += ("read_rps", "write_rps", "ttl_s", "invalidate")
                index = [c[: len(fields)] for c in cases[part]].index(tuple(row[f] for f in fields))
                table[part][index] = row
    missing = [(part, i) for part, rows in table.items() for i, r in enumerate(rows) if r is None]
    if missing:
        raise SystemExit(f"no row for {missing}")
    return table


def main(argv: list[str]) -> None:
    if "--assemble" in argv:
        TABLE.write_text(
            json.dumps(assemble(argv[argv.index("--assemble") + 1 :]), indent=1) + "\n"
        )
        return
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else 1
    tasks = [("capacity", i) for i in range(len(CASES))]
    tasks += [("expiring", i) for i in range(len(EXPIRING_CASES))]
    tasks.sort(key=_requests, reverse=True)  # the longest first: the jobs end together
    table: dict[str, list] = {
        "capacity": [None] * len(CASES),
        "expiring": [None] * len(EXPIRING_CASES),
    }
    with multiprocessing.Pool(jobs) as pool:
        for part, index, row in pool.imap_unordered(_run, tasks):
            table[part][index] = row
            print(json.dumps({part: row}), flush=True)
    if "--write" in argv:
        TABLE.write_text(json.dumps(table, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
