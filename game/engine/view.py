"""The one picture of the site the screens draw: built by the engine, after every tick.

A screen never works out a game rule. Everything it shows about the site comes from here:

    SiteView      the tick, every component as a NodeView, the last TickReport, the run's totals
                  and scores so far, the level's objectives, the budget and whether the site is
                  over it, where the database lives, a failover under way and until when, where
                  DNS points, advice for a saturated tier, and the pools' scale rules
    NodeView      one component: state, the tier it serves in, whether it is in rotation, its
                  load, what it can serve right now and what it costs
    MovePreview   what a move would do before it is made: refused and why, the change in cost
                  per tick, when it takes effect and what it takes out of service meanwhile

`site_view(sim)` builds a SiteView; `preview(sim, action)` prices one move; `node_moves(sim,
node_id)` and `add_moves(sim)` list and price the moves on offer. The view is plain data, so a
widget test can build one by hand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from game.engine import catalog, data_tier, jobs, sessions, sharding
from game.engine.actions import Action, ScaleRule
from game.engine.advice import TIERS_OF_KIND, WORKERS, Advice, advice_for  # noqa: F401  (the screens' names)
from game.engine.autoscale import RuleState
from game.engine.datacenters import DatacenterView
from game.engine.report import TickReport, TierReport, Totals
from game.engine.rules import over_budget, unneeded
from game.engine.scenario import ADDABLE, Settings
from game.engine.scoring import Objectives, default_objectives
from game.engine.tiers import ROUND_ROBIN
from game.engine.topology import DATA_KINDS, HEALTHY, MIRROR, WEB_KINDS, Node

if TYPE_CHECKING:
    from game.engine.simulation import Simulation


# What a component's capacity counts: requests, query units of database work, cache lookups.
REQUESTS, QUERY_UNITS, LOOKUPS, JOBS = "requests", "query units", "lookups", "jobs"
UNIT_OF_KIND: Mapping[str, str] = MappingProxyType(
    {
        "box": REQUESTS,
        "web": REQUESTS,
        "primary": QUERY_UNITS,
        "replica": QUERY_UNITS,
        "cache": LOOKUPS,
        "sessions": LOOKUPS,
        "worker": JOBS,
    }
)


@dataclass(frozen=True, slots=True)
class NodeView:
    """One component as the screens may show it."""

    id: str
    kind: str
    size: str
    state: str  # booting, healthy or failed
    since: int  # tick the state began
    until: int  # tick a boot or repair ends (the tick it became healthy, when healthy)
    tier: str | None  # the reported tier it serves in; None for a balancer, the CDN, or none
    in_rotation: bool  # it takes requests now
    utilization: float | None  # load of the work it takes: its tier's; 0.0 when DNS sends it
    # nothing; None when it takes no traffic or is not a queue
    capacity: float  # what it completes per second right now, in `unit` (0 while down)
    full_capacity: float  # what it completes per second when up, in `unit`
    unit: str  # REQUESTS, QUERY_UNITS, LOOKUPS, JOBS, or "" for no limit (balancer, CDN, queue)
    cost: float  # per tick
    keys: int | None = None  # a cache node: the keys it holds; a queue: the jobs it holds
    warming: bool = False  # a cache node refilling after a start
    shards: int = 1  # a primary: how many shards its keys are split over (cost is for all)
    shard_loads: tuple[float, ...] = ()  # a sharded primary: each shard's load, the hot first
    resharding_until: int | None = None  # a primary: keys move between shards until then

    @property
    def sized(self) -> str:
        """Its size, with a sharded primary's count of shards: "L", "L×4"."""
        return f"{self.size}×{self.shards}" if self.shards > 1 else self.size


@dataclass(frozen=True, slots=True)
class MovePreview:
    """What a move would do, asked before it is made. Nothing here changes the site."""

    action: Action  # tick 0: whoever makes it stamps the tick
    refusal: str  # why the engine would refuse it now, in a player's words; "" if it would not
    cost_change: float  # per tick, after the move minus before
    ready_in: int  # ticks until it takes effect (a new or resized server boots)
    outage: int  # ticks something is out of service because of it
    out_of_service: str  # a component id, "the data tier", "writes", sharding.SLOWED; or ""
    locked: bool = False  # refused because this level does not unlock it (yet)
    each_added: float = 0.0  # a scale rule: what each server it adds costs per tick

    @property
    def allowed(self) -> bool:
        return not self.refusal


@dataclass(frozen=True, slots=True)
class EndlessView:
    """An endless run's standing: what is left of its error budget, and its best minute."""

    budget_left: float  # share of the window's error budget not yet spent, 1 down to 0
    objective: float  # availability owed over the window
    window: int  # ticks the budget is counted over
    failed: float  # requests failed in the window
    allowance: float  # requests the window may fail
    peak_rps: float  # the best minute served within the latency objective (0: none yet)
    cost_per_million: float  # what that minute cost per million requests served
    latency_ms: float  # the latency objective a minute must keep to count
    doubling_ticks: int  # traffic doubles this often


@dataclass(frozen=True, slots=True)
class SiteView:
    """The whole site after a tick (before the first tick: the starting build)."""

    level: str
    tick: int  # the next tick to simulate
    duration: int
    nodes: tuple[NodeView, ...]  # oldest first
    report: TickReport | None  # the last tick; None before the first
    totals: Totals
    scores: Mapping[str, float]  # the run's scores so far (metrics.METRICS ids)
    graded: tuple[str, ...]  # the metrics this level grades, in its objectives' order
    settings: Settings
    cost_per_tick: float
    budget: float | None
    over_budget: bool
    store_on_box: bool  # the database still lives on the single box
    failover_until: int | None  # a promotion under way completes then; writes fail until
    dns_target: str | None  # without a balancer, the one web server DNS sends everyone to
    advice: Advice | None = None
    tiers: Mapping[str, TierReport] = field(default_factory=dict)  # the last tick's, by name
    objectives: Objectives = field(default_factory=default_objectives)  # the level's lines
    endless: EndlessView | None = None  # an endless run's budget and peak; None: not endless
    rules: tuple[RuleState, ...] = ()  # the pools' scale rules and where each stands
    jobs: jobs.JobsView | None = None  # the level's slow work; None: its requests carry none
    sessions: sessions.SessionsView | None = None  # where sessions live; None: no one signs in
    datacenters: tuple[DatacenterView, ...] = ()  # the regions' data centres; (): one region

    def rule(self, kind: str) -> RuleState | None:
        """The scale rule of pool `kind`, if it has one."""
        return next((r for r in self.rules if r.kind == kind), None)

    def node(self, node_id: str) -> NodeView | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def of_kind(self, *kinds: str) -> tuple[NodeView, ...]:
        return tuple(n for n in self.nodes if n.kind in kinds)


def site_view(sim: Simulation) -> SiteView:
    """The picture of `sim` as it stands now."""
    report = sim.last
    tiers = {t.name: t for t in report.tiers} if report is not None else {}
    dns_target = report.dns_target if report is not None else None
    rotation = _round_robin_mean(sim, dns_target)
    nodes = tuple(_node_view(sim, node, tiers, dns_target, rotation) for node in sim.nodes())
    cost = sim.cost_per_tick()
    budget = sim.scenario.budget
    objectives = sim.scenario.objectives
    return SiteView(
        level=sim.scenario.id,
        tick=sim.tick,
        duration=sim.scenario.duration,
        nodes=nodes,
        report=report,
        totals=sim.totals,
        scores=MappingProxyType(sim.scores()),
        graded=tuple(g.metric for g in objectives.goals),
        settings=sim.settings,
        cost_per_tick=cost,
        budget=budget,
        over_budget=over_budget(cost, budget),
        store_on_box=sim.store_on_box,
        failover_until=sim.failover_until,
        dns_target=dns_target,
        advice=advice_for(sim, tiers),
        tiers=MappingProxyType(tiers),
        objectives=objectives,
        endless=_endless_view(sim),
        rules=sim.autoscale.states(),
        jobs=jobs.jobs_view(sim.scenario.jobs, report, sim.topology.of_kind("queue")),
        sessions=sessions.sessions_view(sim.scenario.sessions, sim.logins, sim.topology, report),
        datacenters=sim.geo.views(sim.topology) if sim.geo is not None else (),
    )


def _endless_view(sim: Simulation) -> EndlessView | None:
    endless, budget, peak = sim.scenario.endless, sim.budget, sim.peak
    if endless is None or budget is None or peak is None:
        return None
    return EndlessView(
        budget_left=budget.left,
        objective=endless.objective,
        window=endless.window,
        failed=budget.failed,
        allowance=budget.allowance,
        peak_rps=peak.rps,
        cost_per_million=peak.cost_per_million,
        latency_ms=endless.latency_ms,
        doubling_ticks=endless.doubling_ticks,
    )


def tier_of(kind: str, tiers: Mapping[str, TierReport]) -> TierReport | None:
    """The reported tier a component of `kind` serves in, if the tick reported one."""
    for name in TIERS_OF_KIND.get(kind, ()):
        tier = tiers.get(name)
        if tier is not None:
            return tier
    return None


def _round_robin_mean(sim: Simulation, dns_target: str | None) -> float | None:
    """Under round robin every web server in rotation gets the same share of the requests, so
    each is as busy as that share is of its own capacity: a small one more than the pool's
    average, a big one less. The mean capacity of the rotation, or None when the balancer does
    not rotate (least connections evens the load out; DNS alone sends it all to one)."""
    if sim.settings.balancer != ROUND_ROBIN or dns_target is not None:
        return None
    rotation = [n.spec.capacity for n in sim.nodes() if n.kind == "web" and n.state == HEALTHY]
    return sum(rotation) / len(rotation) if rotation else None


def _node_view(
    sim: Simulation,
    node: Node,
    tiers: Mapping[str, TierReport],
    dns_target: str | None,
    rotation_mean: float | None = None,
) -> NodeView:
    spec = node.spec
    unit = UNIT_OF_KIND.get(node.kind, "")
    tier = tier_of(node.kind, tiers)
    full = spec.capacity if unit else 0.0
    if node.kind in DATA_KINDS:
        full = data_tier.capacity(node.kind, node.size, sim.settings.store)
    healthy = node.state == HEALTHY
    if node.kind == "box" and sim.store_on_box and healthy and tier is not None and tier.servers:
        # It also does the database's work for every request; a box booting after a resize
        # has no such figure yet (the last tick's is of its old size).
        full = tier.capacity_rps
    in_rotation = healthy and (tier is not None and tier.servers > 0 or not unit)
    utilization = tier.utilization if in_rotation and tier is not None else None
    if utilization is not None and rotation_mean is not None and node.kind == "web":
        utilization *= rotation_mean / spec.capacity  # its equal share, of its own capacity
    if dns_target is not None and node.kind in WEB_KINDS and node.id != dns_target:
        in_rotation, utilization = False, 0.0 if healthy else None
    if node.kind == "worker":  # it takes jobs off the queue while the queue is up
        full, in_rotation, utilization = jobs.worker_load(node.size, sim.scenario.jobs, sim.last)
        in_rotation = in_rotation and healthy
        utilization = utilization if in_rotation else None
    return NodeView(
        id=node.id,
        kind=node.kind,
        size=node.size,
        state=node.state,
        since=node.since,
        until=node.until,
        tier=tier.name if tier is not None else None,
        in_rotation=in_rotation,
        utilization=utilization,
        capacity=full if in_rotation else 0.0,
        full_capacity=full,
        unit=unit,
        cost=(
            sim.topology.price(MIRROR, 0.0)
            if node.kind == MIRROR
            else spec.cost * (sim.settings.shards if node.kind == "primary" else 1)
        ),
        keys=catalog.KINDS[node.kind].items.get(node.size),
        warming=sim.topology.warming(node.id),
        shards=sim.settings.shards if node.kind == "primary" else 1,
        shard_loads=tier.shards if in_rotation and tier is not None else (),  # a sharded primary
        resharding_until=sim.resharding_until if node.kind == "primary" else None,
    )


# -- moves ----------------------------------------------------------------------------------------


def preview(sim: Simulation, action: Action) -> MovePreview:
    """What `action` would do now: refused and why, or its price and what it takes down."""
    refusal = sim.refusal(action)
    cost = ready = outage = each = 0
    out = ""
    rule = action.rule
    if action.verb == "rule" and isinstance(rule, ScaleRule) and action.kind in catalog.KINDS:
        spec = catalog.KINDS[action.kind]  # a server it adds costs this and serves once up
        each, ready = spec.sizes[rule.size].cost if rule.size in spec.sizes else 0, spec.boot_ticks
    if action.verb == "add" and action.kind in catalog.KINDS:
        spec = catalog.KINDS[action.kind]
        size = spec.sizes.get(action.size)
        cost = sim.topology.price(action.kind, size.cost) if size is not None else 0
        ready = spec.boot_ticks
    node = sim.topology.nodes.get(action.target)
    copies = sim.topology.shards if node is not None and node.kind == "primary" else 1
    if node is not None and action.verb == "resize":
        spec = catalog.KINDS[node.kind]
        size = spec.sizes.get(action.size)
        cost = sim.topology.price(node.kind, (size.cost - node.spec.cost) * copies) if size else 0
        ready = outage = spec.boot_ticks
        out = node.id
    elif node is not None and action.verb == "remove":
        cost = -sim.topology.price(node.kind, node.spec.cost * copies)
        out = node.id
    elif node is not None and action.verb == "promote":
        ready = outage = catalog.PROMOTE_TICKS
        out = "writes"
    elif action.verb == "configure" and action.setting == "store":
        if action.value != sim.settings.store:
            ready = outage = catalog.STORE_SWITCH_TICKS
            out = "the data tier"
    elif action.verb == "configure" and action.setting == "shards" and not refusal:
        cost, outage, out = sharding.priced(sim.topology, sim.settings.shards, action.value)
        ready = outage
    return MovePreview(
        dataclasses.replace(action, tick=0),
        refusal,
        float(cost),
        ready,
        outage,
        out,
        locked=not sim.scenario.allows(action.kind if action.verb == "add" else action.verb),
        each_added=float(each),
    )


def add_moves(sim: Simulation) -> tuple[MovePreview, ...]:
    """Adding each kind at each of its sizes, priced (a queue and workers only where the
    level's requests carry jobs, a session store only where its users sign in)."""
    kinds = [k for k in ADDABLE if not unneeded(sim.scenario, k)]
    return tuple(
        preview(sim, Action(0, "add", kind=kind, size=size))
        for kind in kinds
        for size in catalog.KINDS[kind].sizes
    )


def node_moves(sim: Simulation, node_id: str) -> tuple[MovePreview, ...]:
    """The moves on one component, priced: resize to each other size, remove, promote (a
    replica), the settings it is configured by (cache, balancer, the primary's store), and its
    pool's scale rule (web servers, replicas) where the level lets rules be set."""
    node = sim.topology.nodes.get(node_id)
    if node is None:
        return ()
    actions = [
        Action(0, "resize", target=node.id, size=size)
        for size in catalog.KINDS[node.kind].sizes
        if size != node.size and len(catalog.KINDS[node.kind].sizes) > 1
    ]
    actions.append(Action(0, "remove", target=node.id))
    if node.kind == "replica":
        actions.append(Action(0, "promote", target=node.id))
    actions.extend(_setting_actions(node.kind, sim.settings))
    actions.extend(sharding.moves(node.kind, sim.settings, sim.scenario))
    if node.kind in catalog.RULE_POOLS and sim.scenario.allows("rule"):  # set, change, clear
        rule = sim.autoscale.rules.get(node.kind)
        actions.append(Action(0, "rule", kind=node.kind, rule=rule or ScaleRule()))
        if rule is not None:
            actions.append(Action(0, "rule", kind=node.kind))
    return tuple(preview(sim, action) for action in actions)


def _setting_actions(kind: str, settings: Settings) -> list[Action]:
    def configure(target: str, setting: str, value: str | float | bool) -> Action:
        return Action(0, "configure", target=target, setting=setting, value=value)

    if kind == "cache":
        out = [configure("cache", "ttl", t) for t in catalog.TTL_CHOICES_S if t != settings.ttl_s]
        out += [
            configure("cache", "eviction", e) for e in catalog.EVICTIONS if e != settings.eviction
        ]
        out.append(configure("cache", "invalidate_on_write", not settings.invalidate_on_write))
        return out
    if kind == "balancer":
        out = [
            configure("balancer", "algorithm", a)
            for a in catalog.BALANCER_ALGORITHMS
            if a != settings.balancer
        ]
        retries = settings.retries
        if retries is not None:  # where clients retry: shedding, and a client update (the
            # clients have no place on the map; their requests enter at the balancer)
            out.append(configure("balancer", "shed", not settings.shed))
            out += [
                configure("clients", "policy", p)
                for p in catalog.RETRY_POLICIES
                if p != retries.policy
            ]
            out += [
                configure("clients", "budget", b)
                for b in catalog.RETRY_BUDGET_CHOICES
                if b != retries.budget
            ]
        return out
    if kind == "primary":
        return [configure("database", "store", s) for s in catalog.STORES if s != settings.store]
    return []
