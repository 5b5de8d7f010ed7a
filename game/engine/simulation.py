"""The tick engine: a site under traffic, one simulated second at a time.

Each tick: scheduled incidents and due changes (boots, failures, repairs) happen first, then
the tick's demand is routed DNS -> CDN -> balancer -> web pool -> cache -> replicas / primary,
tier by tier, never request by request, so 10 req/s and 10 million req/s cost the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from game.engine import cache, catalog
from game.engine.actions import CONFIGURABLE, Action, Outcome
from game.engine.histogram import LatencyHistogram
from game.engine.latency import Dist
from game.engine.report import Event, TickReport, TierReport, Totals
from game.engine.scenario import ADDABLE, Scenario, Settings
from game.engine.tiers import ROUND_ROBIN, SHARED, Group, TierOutcome, grid, serve
from game.engine.topology import DATA_KINDS, FAILED, HEALTHY, WEB_KINDS, Node, Topology

_MEMO_LIMIT = 4096  # distinct latency convolutions / hit ratios kept per run


@dataclass(slots=True)
class _Promotion:
    """A replica being made primary: writes fail until `until`."""

    until: int
    candidate: str  # replica id; empty: the oldest healthy one (replicas share one lag here)
    planned: bool  # a switchover the player asked for while the primary was healthy


@dataclass(frozen=True, slots=True)
class RunResult:
    scenario: Scenario
    seed: int
    ticks: int
    totals: Totals
    last: TickReport | None
    outcomes: tuple[Outcome, ...]
    scores: dict[str, float]
    stars: int

    @property
    def passed(self) -> bool:
        return self.stars > 0


class Simulation:
    """One run of a scenario. Feed it actions with `apply`, advance it with `step`."""

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.settings: Settings = scenario.settings
        self.tick = 0
        failures = scenario.failures
        self.topology = Topology(self.seed, failures.mtbf_scale if failures.enabled else None)
        for part in scenario.start:
            if part.id and part.id in self.topology.nodes:
                raise ValueError(f"the starting build names {part.id!r} twice")
            self.topology.add(part.kind, part.size, 0, part.id, ready=True)
        self._check_start()
        self._store_moved = bool(self.topology.of_kind("primary"))
        traffic = scenario.traffic
        self.popularity = cache.zipf_popularity(traffic.keys, traffic.zipf_alpha)
        self.totals = Totals()
        self.last: TickReport | None = None
        self._backlogs: dict[str, float] = {}
        self._replica_backlog = 0.0  # writes the replicas have not applied yet
        self._last_write_rate = 0.0
        self._promotion: _Promotion | None = None
        self._lost_writes_pending = 0.0  # reported with the tick the primary failed in
        self._incidents: dict[int, list[str]] = {}
        for incident in scenario.incidents:
            self._incidents.setdefault(incident.tick, []).append(incident.target)
        self._events: list[Event] = []
        self._memo: dict[tuple, object] = {}
        self._blank_latency = LatencyHistogram()  # copies share its cache of path shapes

    # -- state a screen may show ------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.tick >= self.scenario.duration

    def nodes(self) -> list[Node]:
        """Every component, oldest first (read-only use)."""
        return sorted(self.topology.nodes.values(), key=lambda n: n.order)

    def cost_per_tick(self) -> float:
        return self.topology.cost_per_tick()

    @property
    def failover_until(self) -> int | None:
        """The tick a promotion under way completes (writes fail until then), else None."""
        return self._promotion.until if self._promotion is not None else None

    @property
    def store_on_box(self) -> bool:
        """Whether the database still lives on the single box: no primary has taken it over yet."""
        return not self._store_moved

    # -- actions ----------------------------------------------------------------------------

    def apply(self, action: Action) -> Outcome:
        """Carry out a move now, or refuse it with a reason a player can read."""
        reason = self.refusal(action)
        if reason:
            self._log("refused", action.target or action.kind, f"{action.describe()}: {reason}")
            return Outcome(action, False, reason)
        made = getattr(self, f"_do_{action.verb}")(action)
        self._log("action", made or action.target, action.describe())
        return Outcome(action, True, component=made or "")

    def refusal(self, a: Action) -> str:
        """Why the engine would refuse this move now ("" if it would carry it out); changes
        nothing, so a screen can say why before the move is made."""
        if self.done:
            return "the level is over"
        if a.verb not in ("add", "remove", "resize", "configure", "promote"):
            return f"unknown action {a.verb!r}"
        if a.verb == "add":
            return self._refuse_add(a)
        if not self.scenario.allows(a.verb):
            return f"{a.verb} is not unlocked in this level"
        if a.verb == "configure":
            return self._refuse_configure(a)
        node = self.topology.nodes.get(a.target)
        if node is None:
            return f"there is no component {a.target!r}"
        if a.verb == "remove":
            return self._refuse_remove(node)
        if a.verb == "resize":
            return self._refuse_resize(node, a.size)
        return self._refuse_promote(node)

    def _refuse_add(self, a: Action) -> str:
        if a.kind not in ADDABLE:
            return f"cannot add {a.kind!r}; components are {', '.join(ADDABLE)}"
        if not self.scenario.allows(a.kind):
            return f"{catalog.KINDS[a.kind].title.lower()} is not unlocked in this level"
        spec = catalog.KINDS[a.kind]
        if a.size not in spec.sizes:
            return f"{a.kind} comes in sizes {', '.join(spec.sizes)}, not {a.size!r}"
        if len(self.topology.of_kind(a.kind)) >= spec.limit:
            what = spec.title.lower() if spec.limit == 1 else _plural(spec.title)
            return f"a site can have at most {spec.limit} {what}, and this one has them"
        if a.kind == "web" and self.store_on_box:
            return "the database still lives on the box: add a database primary first"
        if a.kind == "replica" and not self.topology.of_kind("primary"):
            return "a replica copies a primary: add a database primary first"
        return self._over_budget(spec.sizes[a.size].cost)

    def _refuse_remove(self, node: Node) -> str:
        if node.kind in WEB_KINDS and len(self.topology.of_kind(*WEB_KINDS)) == 1:
            return "the site needs at least one web server"
        if node.kind == "box" and self.store_on_box:
            return "the database lives on this box: add a database primary first"
        if node.kind == "primary":
            return "the data lives on the primary: promote a replica to replace it"
        return ""

    def _refuse_resize(self, node: Node, size: str) -> str:
        spec = catalog.KINDS[node.kind]
        if len(spec.sizes) == 1:
            return f"a {spec.title.lower()} has one size"
        if size not in spec.sizes:
            return f"{node.kind} comes in sizes {', '.join(spec.sizes)}, not {size!r}"
        if size == node.size:
            return f"{node.id} is already size {size}"
        return self._over_budget(spec.sizes[size].cost - node.spec.cost)

    def _refuse_promote(self, node: Node) -> str:
        if self.settings.store == "keyvalue":
            return "a key-value store has no primary to replace"
        if self.store_on_box:
            return "the database still lives on the box: wait until the primary is up"
        if node.kind != "replica":
            return f"only a replica can be promoted, and {node.id} is a {node.kind}"
        if node.state != HEALTHY:
            return f"{node.id} is {node.state}"
        if self._promotion is not None and self._promotion.candidate:
            return f"{self._promotion.candidate} is already being promoted"
        return ""

    def _refuse_configure(self, a: Action) -> str:
        settings = CONFIGURABLE.get(a.target)
        if settings is None:
            return f"{a.target!r} has no settings; try {', '.join(CONFIGURABLE)}"
        if a.setting not in settings:
            return f"{a.target} settings are {', '.join(settings)}, not {a.setting!r}"
        if a.target == "balancer" and not self.topology.of_kind("balancer"):
            return "there is no balancer to configure"
        if a.target == "database":
            if self.store_on_box:
                return "the database lives on the box: add a database primary first"
            if self._promotion is not None:
                return "a promotion is under way"
        try:
            new = self._configured(a)
        except (TypeError, ValueError, OverflowError) as error:
            return str(error)
        if new == self.settings:
            return "that is already the setting"
        return ""

    def _configured(self, a: Action) -> Settings:
        value = a.value
        if a.setting == "ttl":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError("ttl takes a number of seconds")
            return dataclasses.replace(self.settings, ttl_s=float(value))
        if a.setting == "invalidate_on_write":
            if not isinstance(value, bool):
                raise ValueError("invalidate_on_write takes true or false")
            return dataclasses.replace(self.settings, invalidate_on_write=value)
        field = {"algorithm": "balancer", "eviction": "eviction", "store": "store"}[a.setting]
        return dataclasses.replace(self.settings, **{field: str(value)})

    def _over_budget(self, extra: float) -> str:
        budget = self.scenario.budget
        after = self.cost_per_tick() + extra
        if budget is not None and after > budget + 1e-9:
            return f"over budget: the site would cost {after:g} per tick, the budget is {budget:g}"
        return ""

    def _do_add(self, a: Action) -> str:
        return self.topology.add(a.kind, a.size, self.tick).id

    def _do_remove(self, a: Action) -> str:
        self.topology.remove(self.topology.nodes[a.target])
        return ""

    def _do_resize(self, a: Action) -> str:
        self.topology.resize(self.topology.nodes[a.target], a.size, self.tick)
        return ""

    def _do_configure(self, a: Action) -> str:
        new = self._configured(a)
        if new.store != self.settings.store:
            for node in self.topology.of_kind(*DATA_KINDS):
                self.topology.restart(node, self.tick, catalog.STORE_SWITCH_TICKS)
            self._replica_backlog = 0.0
        self.settings = new
        return ""

    def _do_promote(self, a: Action) -> str:
        until = self.tick + catalog.PROMOTE_TICKS
        if self._promotion is not None:
            self._promotion.until = min(self._promotion.until, until)
            self._promotion.candidate = a.target
        else:
            primary = self.topology.of_kind("primary")
            planned = bool(primary) and primary[0].state == HEALTHY
            self._promotion = _Promotion(until, a.target, planned)
        return ""

    # -- time -------------------------------------------------------------------------------

    def step(self) -> TickReport:
        """Simulate one tick and report it."""
        if self.done:
            raise RuntimeError("the run is over")
        t = self.tick
        for target in self._incidents.get(t, ()):
            node = self.topology.nodes.get(target)
            if node is not None and node.state != FAILED:
                self._fail(node, t, scheduled=True)
        for what, node in self.topology.due(t):
            if what == "fail":
                self._fail(node, t, scheduled=False)
            else:
                self.topology.mark_ready(node, t)
                self._log("booted", node.id, f"{node.id} is up")
                if node.kind == "primary" and not self._store_moved:
                    self._store_moved = True
                    self._log("moved", node.id, f"the database moved off the box to {node.id}")
        if self._promotion is not None and t >= self._promotion.until:
            self._finish_promotion(t)
        report = _Flow(self, t).run()
        self.totals.add(report)
        self.last = report
        self.tick += 1
        return report

    def _fail(self, node: Node, t: int, scheduled: bool) -> None:
        repair = catalog.KINDS[node.kind].repair_ticks
        note = ""
        if node.kind == "primary" and self.settings.store == "relational":
            healthy = [r for r in self.topology.of_kind("replica") if r.state == HEALTHY]
            if healthy and self._promotion is None:
                self._promotion = _Promotion(t + catalog.FAILOVER_TICKS, "", planned=False)
                lag = catalog.REPLICATION_DELAY_S + self._replica_backlog / self._apply_rate(
                    healthy
                )
                lost = self._last_write_rate * lag
                self._lost_writes_pending = lost
                note = f"; failing over to a replica, {lost:.0f} unreplicated writes lost"
            elif not healthy:
                repair = catalog.REBUILD_TICKS
                note = "; no replica to promote: rebuilding from backup"
        elif node.kind == "cache":
            note = "; its keys now go to the database"
        self.topology.fail(node, t, repair)
        cause = "scheduled incident" if scheduled else "random failure"
        self._log("failed", node.id, f"{node.id} failed ({cause}){note}")

    def _finish_promotion(self, t: int) -> None:
        promotion, self._promotion = self._promotion, None
        assert promotion is not None
        replicas = [r for r in self.topology.of_kind("replica") if r.state == HEALTHY]
        chosen = self.topology.nodes.get(promotion.candidate) if promotion.candidate else None
        if chosen is None or chosen.state != HEALTHY or chosen.kind != "replica":
            chosen = replicas[0] if replicas else None
        if chosen is None:
            self._log("failover", "", "no healthy replica left to promote; waiting for repair")
            return
        for old in self.topology.of_kind("primary"):
            self.topology.change_kind(old, "replica")
        self.topology.change_kind(chosen, "primary")
        self._store_moved = True
        self._replica_backlog = 0.0
        self._log("promoted", chosen.id, f"{chosen.id} is the new primary")

    def _apply_rate(self, replicas: Iterable[Node]) -> float:
        """Writes per second the slowest healthy replica applies."""
        slowest = min(r.spec.capacity for r in replicas)
        return catalog.REPLICA_APPLY_SHARE * slowest / catalog.WRITE_UNITS

    def _log(self, kind: str, component: str, text: str) -> None:
        self._events.append(Event(self.tick, kind, component, text))

    def take_events(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def memo(self, key: tuple, make):
        """A per-run memo for pure, repeatable computations (latency shapes, hit ratios)."""
        value = self._memo.get(key)
        if value is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            value = self._memo[key] = make()
        return value

    # -- whole runs -------------------------------------------------------------------------

    def scores(self) -> dict[str, float]:
        t = self.totals
        latency = t.percentile_ms(self.scenario.objectives.latency_percentile / 100)
        return {
            "availability": t.availability,
            "latency_ms": latency if latency is not None else 0.0,
            "cost": t.cost,
            "stale_share": t.stale_reads / t.served if t.served > 0 else 0.0,
            "lost_writes": t.lost_writes,
        }

    def result(self, outcomes: Iterable[Outcome] = ()) -> RunResult:
        scores = self.scores()
        stars = self.scenario.objectives.stars(scores)
        return RunResult(
            self.scenario,
            self.seed,
            self.tick,
            self.totals,
            self.last,
            tuple(outcomes),
            scores,
            stars,
        )

    def _check_start(self) -> None:
        kinds = [n.kind for n in self.topology.nodes.values()]
        if not any(k in WEB_KINDS for k in kinds):
            raise ValueError("the starting build needs a box or a web server")
        if "web" in kinds and "primary" not in kinds:
            raise ValueError("web servers need a database primary")
        if "replica" in kinds and "primary" not in kinds:
            raise ValueError("replicas need a database primary")
        for kind_id in set(kinds):
            if kinds.count(kind_id) > catalog.KINDS[kind_id].limit:
                raise ValueError(
                    f"the starting build has more than {catalog.KINDS[kind_id].limit} {kind_id}"
                )


def run(scenario: Scenario, actions: Iterable[Action] = (), seed: int | None = None) -> RunResult:
    """Run a scenario to its end with actions applied at their ticks (in the order given)."""
    sim = Simulation(scenario, seed)
    plan: dict[int, list[Action]] = {}
    outcomes: list[Outcome] = []
    for action in actions:
        if 0 <= action.tick < scenario.duration:
            plan.setdefault(action.tick, []).append(action)
        else:
            outcomes.append(Outcome(action, False, f"tick {action.tick} is outside the level"))
    while not sim.done:
        for action in plan.get(sim.tick, ()):
            outcomes.append(sim.apply(action))
        sim.step()
    return sim.result(outcomes)


def _plural(title: str) -> str:
    """A catalog title in the plural, for messages: "database primaries", "CDNs"."""
    title = title if title.isupper() else title.lower()
    if title.endswith("y") and title[-2:-1] not in "aeiou":
        return title[:-1] + "ies"
    return title + ("es" if title.endswith(("x", "s")) else "s")


class _Flow:
    """Routes one tick's demand through the site's tiers and writes the tick's report."""

    def __init__(self, sim: Simulation, t: int) -> None:
        self.sim = sim
        self.t = t
        self.top = sim.topology
        self.settings = sim.settings
        self.traffic = sim.scenario.traffic
        self.timeout = sim.scenario.timeout_s
        self.failed: dict[str, float] = {}
        self.paths: list[tuple[float, Dist]] = []
        self.tiers: list[TierReport] = []
        self.served = 0.0
        self.stale = 0.0
        self.lag = 0.0
        self.has_replicas = False
        self.dns_target: str | None = None

    def fail(self, reason: str, count: float) -> None:
        if count > 1e-12:
            self.failed[reason] = self.failed.get(reason, 0.0) + count

    def path(self, count: float, *parts: Dist | None) -> None:
        """Record `count` requests served along a path through these latencies."""
        if count <= 1e-12:
            return
        self.served += count
        dist = parts[0]
        for part in parts[1:]:
            if part is not None:
                dist = self.sim.memo(("conv", dist, part), lambda d=dist, p=part: d.convolve(p))
        self.paths.append((count, dist))

    def point(self, seconds: float) -> Dist:
        return self.sim.memo(("point", seconds), lambda: Dist.point(seconds))

    def run(self) -> TickReport:
        sim, t, traffic = self.sim, self.t, self.traffic
        rate = traffic.rate(t)
        mix = traffic.mix
        static, reads = rate * mix.static, rate * mix.read
        writes, joins = rate * mix.write, rate * mix.join

        edge = 0.0
        edge_ok = any(n.state == HEALTHY for n in self.top.of_kind("cdn"))
        if edge_ok:
            edge = static * catalog.CDN_HIT_RATIO
            self.path(edge, self.point(traffic.edge_rtt_s + catalog.CDN_EDGE_SERVICE_S))
            static -= edge
        origin = static + reads + writes + joins
        balancer = self._balancer_state()
        extra_cost = edge * catalog.CDN_COST_PER_MILLION / 1e6
        if balancer == HEALTHY:
            extra_cost += origin * catalog.BALANCER_COST_PER_MILLION / 1e6

        hit = self._hit_ratio(reads, writes)
        units = reads * (1 - hit) * catalog.READ_UNITS
        units += writes * catalog.WRITE_UNITS + joins * catalog.JOIN_UNITS
        demand = units / origin if origin > 0 else 0.0
        name = "box" if sim.store_on_box else "web"
        web_groups, admitted = self._web_groups(origin, balancer, demand)
        web = self._tier(name, web_groups, admitted, queue="web")
        # What the web tier served, by kind. Queued requests are taken to have the mix of the
        # traffic, so a tick with no arrivals still knows what its backlog was made of.
        mix_origin = (
            mix.static * (1 - catalog.CDN_HIT_RATIO if edge_ok else 1),
            mix.read,
            mix.write,
            mix.join,
        )
        composition = (static, reads, writes, joins) if origin > 0 else mix_origin
        whole = sum(composition)
        s_share, r_share, w_share, j_share = (x / whole for x in composition)
        rtt = self.point(traffic.origin_rtt_s)
        if sim.store_on_box:
            self.path(web.served, rtt, web.dist)
            self.stale += web.served * r_share * hit * self._cache_stale(reads, writes)
        else:
            self.path(web.served * s_share, rtt, web.dist)
            self._data(web, r_share, w_share, j_share, hit, reads, writes)

        lost_writes = sim._lost_writes_pending
        sim._lost_writes_pending = 0.0
        latency = sim._blank_latency.copy()
        for count, dist in self.paths:
            latency.add(dist, count)
        queued = sum(sim._backlogs.values())
        return TickReport(
            tick=t,
            rps=rate,
            offered=rate,
            served=self.served,
            failed=self.failed,
            queued=queued,
            cost=self.top.cost_per_tick() + extra_cost,
            stale_reads=self.stale,
            lost_writes=lost_writes,
            cache_hit_ratio=hit if self.top.of_kind("cache") else None,
            replica_lag_s=self.lag if self.has_replicas else None,
            tiers=self.tiers,
            events=sim.take_events(),
            latency=latency,
            dns_target=self.dns_target,
        )

    # -- front door and web tier ----------------------------------------------------------

    def _balancer_state(self) -> str | None:
        balancers = self.top.of_kind("balancer")
        return balancers[0].state if balancers else None

    def _web_groups(self, origin, balancer, demand) -> tuple[list[Group], float]:
        """Where the origin's requests go, and how many of them reach a web server."""
        if balancer == FAILED:
            self.fail("balancer_down", origin)
            return [], 0.0
        if balancer != HEALTHY:
            target = self.top.of_kind(*WEB_KINDS)[0]  # DNS answers with the oldest server
            if target.state != HEALTHY:
                self.fail("no_healthy_server", origin)
                return [], 0.0
            mu = self._web_mu(target.kind, target.size, demand)
            self.dns_target = target.id
            return [Group("web:pool", 1, mu, 1.0)], origin
        counts = [
            (self._web_mu(kind, size, demand), n)
            for (kind, size), n in self.top.healthy_sizes.items()
            if kind in WEB_KINDS and n > 0
        ]
        healthy = sum(n for _, n in counts)
        unnoticed = self.top.recently_failed_web(self.t, catalog.HEALTH_CHECK_TICKS)
        rotation = healthy + unnoticed
        if rotation == 0:
            self.fail("no_healthy_server", origin)
            return [], 0.0
        self.fail("server_down", origin * unnoticed / rotation)
        if not healthy:
            return [], 0.0
        admitted = origin * healthy / rotation
        if self.settings.balancer == ROUND_ROBIN:
            by_mu: dict[float, int] = {}
            for mu, n in counts:
                by_mu[mu] = by_mu.get(mu, 0) + n
            groups = [
                Group(f"web:{mu:g}", n, mu, n / healthy, ROUND_ROBIN, healthy)
                for mu, n in sorted(by_mu.items())
            ]
            return groups, admitted
        mean_mu = sum(mu * n for mu, n in counts) / healthy
        return [Group("web:pool", healthy, mean_mu, 1.0, SHARED)], admitted

    def _web_mu(self, kind: str, size: str, demand: float) -> float:
        """Requests per second a web server completes; the box also does the database's work.

        `demand` is the database work of an average request, in query units."""
        mu = catalog.KINDS[kind].sizes[size].capacity
        if kind != "box" or not self.sim.store_on_box:
            return mu
        db_capacity = catalog.KINDS["primary"].sizes[size].capacity
        return 1 / (1 / mu + demand / db_capacity)

    def _tier(
        self, name: str, groups: list[Group], lam: float, kind: str = "", queue: str = ""
    ) -> TierOutcome:
        """Serve a tier and report it. Queues are keyed `queue:group` (`queue` defaults to the
        tier's name); a group that vanished hands its queue to a live one, or fails it."""
        backlogs = self.sim._backlogs
        live = {g.key for g in groups}
        prefix = (queue or name) + ":"
        stranded = 0.0
        for key in [k for k in backlogs if k.startswith(prefix) and k not in live]:
            stranded += backlogs.pop(key)
        if groups and stranded:
            first = groups[0].key
            backlogs[first] = backlogs.get(first, 0.0) + stranded
            stranded = 0.0
        outcome = serve(backlogs, groups, lam, self.timeout, self.sim.memo)
        self.fail(f"timeout_{name}", outcome.dropped)
        self.fail(_DOWN_REASON[name], stranded)
        servers = sum(g.servers for g in groups)
        capacity = sum(g.servers * g.mu for g in groups) / servers if servers else 0.0
        self.tiers.append(
            TierReport(
                name=name,
                kind=kind or ("box" if name == "box" else name),
                servers=servers,
                capacity_rps=capacity,
                offered=lam,
                served=outcome.served,
                dropped=outcome.dropped,
                queued=outcome.queued,
                utilization=outcome.utilization,
                dist=outcome.dist,
            )
        )
        return outcome

    # -- cache ------------------------------------------------------------------------------

    def _hit_ratio(self, reads: float, writes: float) -> float:
        """Share of reads the cache tier answers this tick (dead and cold nodes answer less)."""
        # Clients hash keys over the nodes that have joined: a new node takes its share only
        # once it is up; a failed or restarting one keeps its share, and those reads miss.
        ring = [n for n in self.top.of_kind("cache") if n.joined]
        if not ring:
            return 0.0
        items = catalog.KINDS["cache"].items
        total = sum(items[n.size] for n in ring)
        s = self.settings
        r, w = _rate_grid(reads), _rate_grid(writes)
        steady = self.sim.memo(
            ("hit", total, s.eviction, r, s.ttl_s, w, s.invalidate_on_write),
            lambda: cache.cache_hit_ratio(
                self.sim.popularity, total, s.eviction, r, s.ttl_s, w, s.invalidate_on_write
            ),
        )
        healthy = sum(
            items[size] * n for (kind, size), n in self.top.healthy_sizes.items() if kind == "cache"
        )
        answered = healthy / total
        for node in list(self.top.cold_caches.values()):
            if node.state == HEALTHY:
                share = items[node.size] / total
                answered -= share * (1 - self._warmth(node, share, total, reads))
        return steady * min(1.0, max(0.0, answered))  # rounding must not leave [0, 1]

    def _warmth(self, node: Node, share: float, total: float, reads: float) -> float:
        """How far a restarted node has refilled: 1 once it holds its share of hot keys."""
        node.warm_requests += reads * share
        seen = _rate_grid(node.warm_requests / share)
        factor = self.sim.memo(
            ("warm", total, seen), lambda: cache.warm_up_factor(self.sim.popularity, total, seen)
        )
        if factor >= 0.9999:
            self.top.mark_warm(node)
            return 1.0
        return factor

    def _cache_stale(self, reads: float, writes: float) -> float:
        s = self.settings
        r, w = _rate_grid(reads), _rate_grid(writes)
        return self.sim.memo(
            ("stale", r, s.ttl_s, w, s.invalidate_on_write),
            lambda: cache.stale_share(
                self.sim.popularity,
                r,
                s.ttl_s,
                w,
                s.invalidate_on_write,
                catalog.INVALIDATION_RACE_S,
            ),
        )

    # -- data tier --------------------------------------------------------------------------

    def _data(self, web: TierOutcome, r_share, w_share, j_share, hit, reads, writes) -> None:
        """Reads through the cache, then reads, joins and writes to the store."""
        sim = self.sim
        hop = catalog.HOP_S
        web_reads, web_writes, web_joins = (web.served * x for x in (r_share, w_share, j_share))
        ring_healthy = [n for n in self.top.of_kind("cache") if n.state == HEALTHY]
        cache_dist = None
        misses = web_reads
        if ring_healthy and web_reads > 0:
            mu = sum(n.spec.capacity for n in ring_healthy) / len(ring_healthy)
            tier = self._tier("cache", [Group("cache:pool", len(ring_healthy), mu, 1.0)], web_reads)
            cache_dist = tier.dist
            hits = tier.served * hit
            misses = tier.served - hits
            self.path(hits, self.point(self.traffic.origin_rtt_s + hop), web.dist, cache_dist)
            self.stale += hits * self._cache_stale(reads, writes)
        read_rtt = self.point(self.traffic.origin_rtt_s + hop * (2 if cache_dist else 1))
        one_hop = self.point(self.traffic.origin_rtt_s + hop)

        data = [n for n in self.top.of_kind(*DATA_KINDS) if n.state == HEALTHY]
        if self.settings.store == "keyvalue":
            self.fail("store_cannot_join", web_joins)
            self._keyvalue(data, web, misses, web_writes, read_rtt, one_hop)
            return
        primary_nodes = self.top.of_kind("primary")
        primary_ok = (
            bool(primary_nodes) and primary_nodes[0].state == HEALTHY and sim._promotion is None
        )
        replicas = [n for n in data if n.kind == "replica"]
        self.has_replicas = bool(self.top.of_kind("replica"))
        reason = "primary_down"
        if replicas:
            reads_tier = self._store_tier("replicas", replicas, misses, web_joins, 0.0)
            self._store_paths(
                reads_tier, misses, web_joins, 0.0, web, cache_dist, read_rtt, one_hop
            )
            self._replicate(replicas, reads_tier, misses, web_joins, writes)
            if primary_ok:
                tier = self._store_tier("primary", primary_nodes[:1], 0.0, 0.0, web_writes)
                self._store_paths(tier, 0.0, 0.0, web_writes, web, cache_dist, read_rtt, one_hop)
                sim._last_write_rate = tier.served
            else:
                self.fail(reason, web_writes)
                self._tier("primary", [], 0.0)
                sim._last_write_rate = 0.0
            return
        if not primary_ok:
            self.fail(reason, misses + web_joins + web_writes)
            self._tier("primary", [], 0.0)
            sim._last_write_rate = 0.0
            return
        tier = self._store_tier("primary", primary_nodes[:1], misses, web_joins, web_writes)
        self._store_paths(tier, misses, web_joins, web_writes, web, cache_dist, read_rtt, one_hop)
        sim._last_write_rate = tier.served * _part(web_writes, misses + web_joins + web_writes)

    def _store_tier(self, name: str, nodes: list[Node], reads, joins, writes) -> TierOutcome:
        """A relational tier: its capacity in query units shared by the request kinds it gets."""
        lam = reads + joins + writes
        if not nodes:
            return self._tier(name, [], lam)
        units = (
            reads * catalog.READ_UNITS + joins * catalog.JOIN_UNITS + writes * catalog.WRITE_UNITS
        )
        per_request = units / lam if lam > 0 else catalog.READ_UNITS
        mu = sum(n.spec.capacity for n in nodes) / len(nodes) / per_request
        kind = "replica" if name == "replicas" else "primary"
        return self._tier(name, [Group(f"{name}:pool", len(nodes), mu, 1.0)], lam, kind)

    def _store_paths(self, tier, reads, joins, writes, web, cache_dist, read_rtt, one_hop) -> None:
        """Split what a data tier served over the paths of the kinds that arrived at it."""
        lam = reads + joins + writes
        if lam <= 0:  # only queued requests were served: count them as reads
            reads = lam = 1.0
        self.path(tier.served * reads / lam, read_rtt, web.dist, cache_dist, tier.dist)
        self.path(tier.served * joins / lam, one_hop, web.dist, tier.dist)
        self.path(tier.served * writes / lam, one_hop, web.dist, tier.dist)

    def _keyvalue(self, data, web, reads, writes, read_rtt, one_hop) -> None:
        lam = reads + writes
        if not data:
            self.fail("store_down", lam)
            self._tier("keyvalue", [], 0.0)
            return
        per_request = (
            (reads * catalog.READ_UNITS + writes * catalog.WRITE_UNITS) / lam if lam else 1.0
        )
        capacity = sum(n.spec.capacity for n in data) / len(data) * catalog.KEYVALUE_SPEEDUP
        group = Group("keyvalue:pool", len(data), capacity / per_request, 1.0)
        tier = self._tier("keyvalue", [group], lam, "primary")
        self._store_paths(tier, reads, 0.0, writes, web, None, read_rtt, one_hop)
        self.sim._last_write_rate = tier.served * _part(writes, lam)

    def _replicate(self, replicas, tier: TierOutcome, reads, joins, writes) -> None:
        """Replica lag as a backlog of unapplied writes; reads inside the lag window are stale."""
        sim = self.sim
        apply_rate = sim._apply_rate(replicas)
        sim._replica_backlog = max(0.0, sim._replica_backlog + sim._last_write_rate - apply_rate)
        self.lag = catalog.REPLICATION_DELAY_S + sim._replica_backlog / apply_rate
        served_reads = tier.served * _part(reads + joins, reads + joins)
        w, lag = _rate_grid(writes), grid(self.lag)
        stale = sim.memo(
            ("replica_stale", w, lag),
            lambda: cache.replica_stale_share(sim.popularity, w, lag),
        )
        self.stale += served_reads * stale


_DOWN_REASON: Mapping[str, str] = MappingProxyType(
    {
        "web": "server_down",
        "box": "server_down",
        "cache": "server_down",
        "primary": "primary_down",
        "replicas": "primary_down",
        "keyvalue": "store_down",
    }
)


def _part(x: float, whole: float) -> float:
    return x / whole if whole > 0 else 0.0


def _rate_grid(x: float) -> float:
    """A rate or count on the shape grid (hit ratios and staleness move smoothly with it)."""
    return grid(x) if x > 0 else 0.0
