"""One tick being simulated: what it works on, and its account so far.

The tiers (flow.py, cache_tier.py, data_tier.py) all work on a Tick. They serve their queues
through it (`serve`), book the requests that fail by reason (`fail`), record the path each
served request took with the latencies it crossed (`path`), and add stale reads (`stale`);
`report` turns the account into the tick's TickReport.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from game.engine import shapes
from game.engine.jobs import JobsReport
from game.engine.latency import Dist
from game.engine.report import TickReport, TierReport
from game.engine.retries import abandoned, trimmed
from game.engine.scenario import Scenario, Settings
from game.engine.state import RunState
from game.engine.tiers import Group, TierOutcome, serve
from game.engine.topology import Topology

_NEGLIGIBLE = 1e-12  # fewer requests than this on a path or a failure reason count as none

# A tier with no server left to take its queue fails what waited in it, for this reason.
_DOWN_REASON: Mapping[str, str] = MappingProxyType(
    {
        "web": "server_down",
        "box": "box_down",
        "cache": "server_down",
        "primary": "primary_down",
        "replicas": "primary_down",
        "keyvalue": "store_down",
        "sessions": "session_store_down",
    }
)
_TIMEOUT_REASON: Mapping[str, str] = MappingProxyType({n: f"timeout_{n}" for n in _DOWN_REASON})
_FRONT = ("web", "box")  # the tiers clients wait on directly


class Tick:
    """Tick `t` of a run: the site as it stands, the state it carries, and its account."""

    __slots__ = (
        "t",
        "topology",
        "settings",
        "traffic",
        "timeout_s",
        "state",
        "queues",
        "failed",
        "paths",
        "routes",
        "tiers",
        "served",
        "stale_reads",
        "replica_lag_s",
        "dns_target",
        "retries_in",
        "wasted",
        "jobs",
        "job_spec",
        "session_spec",
    )

    def __init__(
        self,
        t: int,
        scenario: Scenario,
        topology: Topology,
        settings: Settings,
        state: RunState,
    ) -> None:
        self.t = t
        self.topology = topology
        self.settings = settings
        self.traffic = scenario.traffic
        self.timeout_s = scenario.timeout_s
        self.state = state
        self.queues = state.queues
        # The account.
        self.failed: dict[str, float] = {}
        self.paths: list[tuple[float, Dist]] = []
        self.routes: list[str] = []  # the route of each path (report.ROUTES)
        self.tiers: list[TierReport] = []
        self.served = 0.0
        self.stale_reads = 0.0
        self.replica_lag_s: float | None = None  # set when the site has replicas
        self.dns_target: str | None = None
        self.retries_in = sum(state.retries.arriving())  # retries arriving this tick
        self.wasted = 0.0
        self.jobs: JobsReport | None = None  # set when the level's requests carry jobs
        self.job_spec = scenario.jobs
        self.session_spec = scenario.sessions

    def fail(self, reason: str, count: float) -> None:
        """Book `count` requests that failed for `reason` (a catalog.FAILURE_REASONS id)."""
        if count > _NEGLIGIBLE:
            self.failed[reason] = self.failed.get(reason, 0.0) + count

    def path(self, route: str, count: float, *parts: Dist | None) -> None:
        """Record `count` requests served along a path through these latencies; `route` (a
        report.ROUTES id) says which way they went, for the screens."""
        if count <= _NEGLIGIBLE:
            return
        self.served += count
        self.paths.append((count, shapes.path(parts)))
        self.routes.append(route)

    def stale(self, reads: float) -> None:
        """Add reads that returned an out-of-date value."""
        self.stale_reads += reads

    def serve(
        self,
        name: str,
        groups: list[Group],
        lam: float,
        kind: str = "",
        queue: str = "",
        shed: bool = False,
    ) -> TierOutcome:
        """Serve a tier and report it. Queues are keyed `queue:group` (`queue` defaults to the
        tier's name); a group that vanished hands its queue to a live one, or fails it.

        Where clients retry, the front tier (web, or the box) keeps requests past the client's
        timeout and its late answers are wasted (retries.py), unless `shed`: the balancer then
        refuses what would wait longer than the timeout, and those fail as "shed"."""
        queues = self.queues
        retries = self.settings.retries
        wasting = retries is not None and name in _FRONT and not shed
        if queues:  # only a carried queue can be stranded
            prefix = (queue or name) + ":"
            into = groups[0].key if groups else None
            live = {g.key for g in groups}
            gone = self._abandoned(prefix) if wasting else 0.0
            stranded = queues.regroup(prefix, live, into)
            if wasting:  # their clients had given up already, and were counted then
                stranded -= gone - self._abandoned(prefix)
            self.fail(_DOWN_REASON[name], stranded)
        if shed:
            if retries is not None and name in _FRONT:
                for g in groups:  # shedding starts: drop the work of clients already gone
                    queues.set(g.key, trimmed(queues.get(g.key), self.timeout_s))
            outcome = serve(queues, groups, lam, self.timeout_s)
            self.fail("shed", outcome.dropped)
        elif wasting:
            outcome = serve(queues, groups, lam, retries.server_timeout_s, self.timeout_s)
            self.fail(_TIMEOUT_REASON[name], outcome.dropped)
            self.wasted += outcome.wasted
        else:
            outcome = serve(queues, groups, lam, self.timeout_s)
            if outcome.dropped > _NEGLIGIBLE:
                self.fail(_TIMEOUT_REASON[name], outcome.dropped)
        servers, capacity = 0, 0.0
        for g in groups:
            servers += g.servers
            capacity += g.servers * g.mu
        self.tiers.append(
            TierReport(
                name,
                kind or name,
                servers,
                capacity / servers if servers else 0.0,
                lam,
                outcome.served,
                outcome.dropped,
                outcome.queued,
                outcome.utilization,
                outcome.dist,
            )
        )
        return outcome

    def _abandoned(self, prefix: str) -> float:
        timeout = self.timeout_s
        return sum(abandoned(c, timeout) for c in self.queues.under(prefix))

    def report(self, rate: float, cost: float, cache_hit_ratio: float | None) -> TickReport:
        """The tick's report, once every tier has been served. `rate`: first attempts; the
        failures the clients retry are scheduled (retries.Schedule) and not booked as failed."""
        failed, retried = self.failed, 0.0
        schedule = self.state.retries
        if self.settings.retries is not None or schedule:
            settled = schedule.settle(self.settings.retries, rate, failed)
            failed, retried = settled.failed, settled.retried
        return TickReport(
            tick=self.t,
            rps=rate,
            offered=rate + self.retries_in,
            served=self.served,
            failed=failed,
            queued=self.queues.total(),
            cost=cost,
            stale_reads=self.stale_reads,
            lost_writes=self.state.replication.take_lost(),
            cache_hit_ratio=cache_hit_ratio,
            replica_lag_s=self.replica_lag_s,
            tiers=self.tiers,
            events=self.state.events.take(),
            paths=tuple(self.paths),
            routes=tuple(self.routes),
            dns_target=self.dns_target,
            retries=self.retries_in,
            retried=retried,
            wasted=self.wasted,
            jobs=self.jobs,
        )
