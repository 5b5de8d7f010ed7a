"""What a run tells the world: a report per tick and one for the whole run.

Request counts are fluid (a tier serves 123.4 requests in a tick when that is its rate), so
counts are floats. Latencies are seconds inside the engine and milliseconds in reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from game.engine.histogram import LatencyHistogram
from game.engine.jobs import JobsReport
from game.engine.latency import Dist

# What an event's kind says happened: every kind the engine emits, and only those.
EVENT_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "action": "a move the engine carried out",
        "rule": "a move a scale rule made, or could not make",
        "refused": "a move the engine refused, and why",
        "booted": "a component is up: booted, restarted after a resize or migration, or repaired",
        "moved": "the database moved off the single box to its primary",
        "failed": "a component failed: a scheduled incident or a random failure",
        "failover": "a failover found no healthy replica to promote",
        "promoted": "a replica became the primary",
        "signed_out": "users were signed out: what held their sessions was lost",
    }
)

# The ways a served request can go through the site (a path's route; the screens name them).
ROUTES: Mapping[str, str] = MappingProxyType(
    {
        "edge": "a static file answered by a CDN edge",
        "box": "any request, answered by the single box that holds the database too",
        "static": "a page a web server answers without the data tier",
        "cache_hit": "a read the cache tier answered",
        "read": "a read the data tier answered (past the cache, when there is one)",
        "join": "a join the relational data tier answered",
        "write": "a write the data tier's primary took",
    }
)

FLUSH_TICKS = 60  # ticks of paths the run's histogram takes in at once


@dataclass(frozen=True, slots=True)
class Event:
    """Something a player should hear about: a boot, a failure, a promotion, a refusal."""

    tick: int
    kind: str  # one of EVENT_KINDS
    component: str
    text: str


@dataclass(slots=True)
class TierReport:
    """One tier at one tick."""

    name: str  # the tier's role: web, cache, primary, replicas, keyvalue, box
    kind: str  # the component kind that makes it up
    servers: int  # healthy servers taking traffic
    capacity_rps: float  # what one server completes per second (mean over sizes)
    offered: float  # requests that reached the tier this tick
    served: float
    dropped: float  # timed out in its queue this tick
    queued: float  # carried to the next tick
    utilization: float  # offered work / capacity, 0 when there is no capacity
    dist: Dist | None  # response time of a request it served this tick
    shards: tuple[float, ...] = ()  # a sharded primary: each shard's load, the hot one first
    # (utilization is then the hottest shard's)

    def percentile_ms(self, q: float) -> float | None:
        return None if self.dist is None else 1000.0 * self.dist.percentile(q)


Paths = tuple[tuple[float, Dist], ...]
"""Served requests by the path they took: (count, latency of the path)."""


class _Served:
    """What a tick and a whole run both say of their requests (needs served, failed, latency)."""

    __slots__ = ()
    served: float
    failed: dict[str, float]

    @property
    def latency(self) -> LatencyHistogram:
        raise NotImplementedError

    @property
    def failed_total(self) -> float:
        return sum(self.failed.values())

    @property
    def availability(self) -> float:
        """Share of finished requests that were served (1.0 while none has finished)."""
        done = self.served + self.failed_total
        return self.served / done if done > 0 else 1.0

    def percentile_ms(self, q: float) -> float | None:
        value = self.latency.percentile(q)
        return None if value is None else 1000.0 * value


@dataclass(slots=True)
class TickReport(_Served):
    tick: int
    rps: float  # offered request rate this tick
    offered: float
    served: float
    failed: dict[str, float]  # reason id -> requests
    queued: float  # all requests waiting in some queue at the end of the tick
    cost: float  # spend this tick
    stale_reads: float
    lost_writes: float
    cache_hit_ratio: float | None  # None without a cache tier
    replica_lag_s: float | None  # None without replicas
    tiers: list[TierReport]
    events: list[Event]
    paths: Paths  # this tick's served requests, by path
    routes: tuple[str, ...] = ()  # the ROUTES id of each path, in the same order
    dns_target: str | None = None  # the one web server DNS sends every request to, when no
    # balancer spreads them (None when a balancer does, or no server takes requests)
    retries: float = 0.0  # arrivals that were clients retrying (offered = first + retries)
    retried: float = 0.0  # failed attempts the clients will retry (not in `failed`)
    wasted: float = 0.0  # served after their clients had given up: work that helped nobody
    jobs: JobsReport | None = None  # the level's slow work this tick; None: it has none
    _latency: LatencyHistogram | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def latency(self) -> LatencyHistogram:
        """This tick's served requests in the histogram (built when first asked for)."""
        if self._latency is None:
            self._latency = LatencyHistogram()
            for count, dist in self.paths:
                self._latency.add(dist, count)
        return self._latency


@dataclass(slots=True)
class Totals(_Served):
    """The whole run so far."""

    offered: float = 0.0
    served: float = 0.0
    failed: dict[str, float] = field(default_factory=dict)
    cost: float = 0.0
    stale_reads: float = 0.0
    lost_writes: float = 0.0
    peak_queued: float = 0.0  # most requests waiting in queues at the end of a tick
    retries: float = 0.0  # arrivals that were retries, failed attempts retried, wasted work
    retried: float = 0.0
    wasted: float = 0.0
    jobs_done: float = 0.0  # the level's slow work: jobs finished and refused, the deepest
    jobs_refused: float = 0.0  # queue and the longest a job waited at a tick's end
    peak_job_depth: float = 0.0
    peak_job_age_s: float = 0.0
    cache_ticks: int = 0  # ticks with a cache tier, and the sum of their hit ratios
    hit_ratio_sum: float = 0.0
    lag_ticks: int = 0  # ticks with replicas, the sum and the largest of their lags
    lag_sum_s: float = 0.0
    peak_lag_s: float = 0.0
    # Served requests per path latency since the histogram was last brought up to date: the
    # same paths come back tick after tick, so a run adds each to the histogram once every
    # FLUSH_TICKS ticks. The flushes depend on the tick count only, never on when the totals are
    # read, so reading them mid-run (as the play screen does every tick) cannot change the
    # run's final scores in their last digit: a read sees the histogram plus the pending paths.
    _pending: dict[Dist, float] = field(default_factory=dict, repr=False, compare=False)
    _latency: LatencyHistogram = field(default_factory=LatencyHistogram, repr=False)
    _ticks: int = field(default=0, repr=False, compare=False)
    _read: LatencyHistogram | None = field(default=None, repr=False, compare=False)

    def add(self, report: TickReport) -> None:
        self.offered += report.offered
        self.served += report.served
        for reason, count in report.failed.items():
            self.failed[reason] = self.failed.get(reason, 0.0) + count
        self.cost += report.cost
        self.stale_reads += report.stale_reads
        self.lost_writes += report.lost_writes
        self.peak_queued = max(self.peak_queued, report.queued)
        self.retries += report.retries
        self.retried += report.retried
        self.wasted += report.wasted
        jobs = report.jobs
        if jobs is not None:
            self.jobs_done += jobs.done
            self.jobs_refused += jobs.refused
            self.peak_job_depth = max(self.peak_job_depth, jobs.depth)
            self.peak_job_age_s = max(self.peak_job_age_s, jobs.oldest_s)
        if report.cache_hit_ratio is not None:
            self.cache_ticks += 1
            self.hit_ratio_sum += report.cache_hit_ratio
        if report.replica_lag_s is not None:
            self.lag_ticks += 1
            self.lag_sum_s += report.replica_lag_s
            self.peak_lag_s = max(self.peak_lag_s, report.replica_lag_s)
        pending = self._pending
        for count, dist in report.paths:
            pending[dist] = pending.get(dist, 0.0) + count
        self._read = None
        self._ticks += 1
        if self._ticks % FLUSH_TICKS == 0:
            self._flush(self._latency)
            pending.clear()

    @property
    def mean_hit_ratio(self) -> float | None:
        """The cache tier's hit ratio, averaged over the ticks it existed (None: never)."""
        return self.hit_ratio_sum / self.cache_ticks if self.cache_ticks else None

    @property
    def mean_lag_s(self) -> float | None:
        """The replicas' lag, averaged over the ticks there were replicas (None: never)."""
        return self.lag_sum_s / self.lag_ticks if self.lag_ticks else None

    @property
    def latency(self) -> LatencyHistogram:
        """Every served request of the run so far in the histogram."""
        if not self._pending:
            return self._latency
        if self._read is None:
            self._read = self._latency.copy()
            self._flush(self._read)
        return self._read

    def _flush(self, into: LatencyHistogram) -> None:
        for dist, count in self._pending.items():
            into.add(dist, count)
