"""Several data centres in the tick: a level's regions, geo-DNS, and a data centre going dark.

A level with [[regions]] puts its users in regions (regions.Region): a share of the users each,
and a round trip from them to each region's data centre. The site as built is the data centre of
the first region, its home. The player may add a second data centre (kind "datacenter") in each
other region, in the order the level lists them.

The model, kept small: a second data centre mirrors the whole site. It runs the same tiers as
the home one (every server, cache and database the player has built, at their sizes), so it
costs MIRROR_COST_SHARE of what the other components cost, per tick, and it grows with the
site. It fails only as a whole, by incident, and is back after its kind's repair ticks (the
home data centre too, when an incident names the home region). The data centres share the
components, so a random failure of one server, or a cache node still refilling, is the same in
each. A mirror removed is drained first: DNS stops naming it at once, and what waited in its
queues fails.

Each tick DNS sends every region's users to the nearest data centre that is up (regions.GeoDns,
with its resolver TTL): each data centre then serves its share of the traffic through its own
tiers (flow.py), with its own queues, caches and replication state, and the latency of its
requests is shifted by the round trip of the region they came from. After a data centre goes
dark, the share of its users whose cached answer still names it (regions.stale_share) fails as
datacenter_down, and the rest go to the next nearest one, over the longer round trip. With no
other data centre, all of them fail. Requests waiting in its queues when it goes dark fail too.

Each data centre's database replicates across regions to the others, CROSS_REGION_LAG_S
behind: when one that was taking writes goes dark and another takes its users over, the
writes it acknowledged within that lag are lost (regions.failover_lost_writes of the write rate
its primary completed in the last tick). Failing back when it returns is planned: nothing lost.

The map shows the home data centre's tiers, or, while it is dark, those of the data centre that
took its users.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from game.engine import catalog, flow, regions
from game.engine.latency import Dist
from game.engine.regions import GeoDns, Route
from game.engine.report import TickReport
from game.engine.scenario import Scenario, Settings
from game.engine.state import RunState
from game.engine.tick import Tick
from game.engine.tiers import Queues
from game.engine.topology import FAILED, HEALTHY, Node, Topology
from game.engine.traffic import Traffic

KIND = "datacenter"
REASON = regions.REASON
UP, DOWN, BUILDING = "up", "down", "building"
_SHIFTS_KEPT = 4096  # shifted latency shapes remembered (the same ones come back tick after tick)


class _Share:
    """The level's traffic as one data centre receives it: `share` of every tick's rate."""

    __slots__ = ("base", "share")

    def __init__(self, base: Traffic, share: float) -> None:
        self.base, self.share = base, share

    def rate(self, tick: int) -> float:
        return self.base.rate(tick) * self.share

    def __getattr__(self, name: str) -> object:
        return getattr(self.base, name)


@dataclass(frozen=True, slots=True)
class DatacenterView:
    """One data centre as a screen shows it."""

    region: str
    node_id: str  # "" for the home data centre (the site as built)
    state: str  # UP, DOWN or BUILDING
    share: float  # share of all users it served this tick
    rtt_ms: float  # the round trip from its own region's users


@dataclass(slots=True)
class Geo:
    """The regions' routing and the mirrors' own run state, handed from tick to tick."""

    scenario: Scenario  # the level with no round trip inside it: regions add theirs
    dns: GeoDns
    home: str
    region_of: dict[int, str] = field(default_factory=dict)  # a mirror's order -> its region
    states: dict[str, RunState] = field(default_factory=dict)  # mirror region -> its state
    home_until: int | None = None  # the home data centre is dark until this tick
    routes: tuple[Route, ...] = ()  # the last tick's routes
    shares: Mapping[str, float] = field(default_factory=dict)  # data centre -> share served
    _shifted: dict[tuple[Dist, float], Dist] = field(default_factory=dict)

    @classmethod
    def start(cls, scenario: Scenario) -> Geo | None:
        """The geography of `scenario`; None when it has no [[regions]]."""
        if not scenario.regions:
            return None
        traffic = dataclasses.replace(scenario.traffic, origin_rtt_s=0.0)
        home = scenario.regions[0].name
        dns = GeoDns(scenario.regions, built={home})
        return cls(dataclasses.replace(scenario, traffic=traffic), dns, home)

    def shifted(self, dist: Dist, rtt_s: float) -> Dist:
        """`dist` `rtt_s` later, remembered: the same shapes come back tick after tick."""
        key = (dist, rtt_s)
        shifted = self._shifted.get(key)
        if shifted is None:
            if len(self._shifted) >= _SHIFTS_KEPT:
                self._shifted.clear()
            shifted = self._shifted[key] = dist.shifted(rtt_s)
        return shifted

    def views(self, topology: Topology) -> tuple[DatacenterView, ...]:
        """Every data centre, the home one first, then the mirrors in their regions' order."""
        mirrors = topology.of_kind(KIND)  # one added since the last tick has no region yet
        by_region = {self.region_of[n.order]: n.id for n in mirrors if n.order in self.region_of}
        rtt = {r.name: r.rtt_s[r.name] * 1000 for r in self.dns.regions}
        out = []
        for region in self.dns.regions:
            name = region.name
            node_id = "" if name == self.home else by_region.get(name, "")
            if name != self.home and not node_id:
                continue
            if name in self.dns.down_since:
                state = DOWN
            elif name in self.dns.built:
                state = UP
            else:
                state = BUILDING
            out.append(DatacenterView(name, node_id, state, self.shares.get(name, 0.0), rtt[name]))
        return tuple(out)


def free_regions(scenario: Scenario, topology: Topology) -> int:
    """How many regions could still take a data centre."""
    return max(0, len(scenario.regions) - 1 - len(topology.of_kind(KIND)))


def simulate(
    geo: Geo, t: int, topology: Topology, settings: Settings, state: RunState
) -> TickReport:
    """Tick `t` of a site with regions: route the users, serve each data centre's share."""
    lost, stranded = _sync(geo, t, topology, state)
    dns = geo.dns
    routes = tuple(dns.routes(t))
    geo.routes = routes
    shares = regions.loads(dns.regions, routes, 1.0)
    geo.shares = shares
    rate = geo.scenario.traffic.rate(t)
    reports: dict[str, TickReport] = {}
    for dc in sorted(shares):
        if shares[dc] <= 0.0:
            continue
        dc_state = state if dc == geo.home else geo.states[dc]
        if dc != geo.home:
            dc_state.store_moved = state.store_moved
        tick = Tick(t, geo.scenario, topology, settings, dc_state)
        tick.traffic = _Share(geo.scenario.traffic, shares[dc])  # type: ignore[assignment]
        reports[dc] = flow.simulate(tick)
    return _merged(geo, t, topology, state, reports, rate, lost, stranded)


def _sync(geo: Geo, t: int, topology: Topology, state: RunState) -> tuple[float, float]:
    """The tick's region incidents, then DNS brought up to date with the data centres' health.
    Returns the writes lost to region failovers and the requests that were waiting in the
    queues of a data centre that went dark (they fail)."""
    dns, home = geo.dns, geo.home
    repair = catalog.KINDS[KIND].repair_ticks
    for target in state.incidents.get(t, ()):
        if target == home and home not in dns.down_since:
            geo.home_until = t + repair
            state.events.log(
                t, "failed", home, f"data centre {home} went dark (scheduled incident)"
            )
            dns.fail(home, t)
            dns.back_since.pop(home, None)
        node = _mirror_in(geo, topology, target)
        if node is not None and node.state == HEALTHY:
            topology.fail(node, t, repair)
            state.events.log(t, "failed", node.id, f"data centre {target} went dark ({node.id})")
    if home in dns.down_since and geo.home_until is not None and t >= geo.home_until:
        dns.recover(home, t)
        geo.home_until = None
        state.events.log(t, "booted", home, f"data centre {home} is back")
    lost = stranded = 0.0
    alive = {n.order for n in topology.of_kind(KIND)}
    for order in sorted(set(geo.region_of) - alive):  # a mirror removed: what waited in its
        region = geo.region_of.pop(order)  # queues fails, and its region is free again
        dns.built.discard(region)
        dns.down_since.pop(region, None)
        dns.back_since.pop(region, None)
        gone = geo.states.pop(region, None)
        stranded += gone.queues.total() if gone is not None else 0.0
    for node in topology.of_kind(KIND):
        region = geo.region_of.get(node.order)
        if region is None:
            region = geo.region_of[node.order] = _free_region(geo)
        if node.state == HEALTHY and region not in dns.built:
            dns.built.add(region)
            quiet = dataclasses.replace(geo.scenario, incidents=())
            geo.states[region] = RunState.start(quiet, state.store_moved)
        elif node.state == HEALTHY and region in dns.down_since:
            dns.recover(region, t)
        elif node.state == FAILED and region in dns.built and region not in dns.down_since:
            dns.fail(region, t)
            dns.back_since.pop(region, None)
    for region, since in sorted(dns.down_since.items()):
        dark = state if region == home else geo.states.get(region)
        if since != t or dark is None:
            continue
        stranded += dark.queues.total()
        dark.queues = Queues()
        if dns.built - set(dns.down_since):  # another data centre takes its users over
            lost += regions.failover_lost_writes(dark.replication.write_rate)
            dark.replication.write_rate = 0.0
    return lost, stranded


def _free_region(geo: Geo) -> str:
    taken = set(geo.region_of.values())
    for region in geo.dns.regions[1:]:
        if region.name not in taken:
            return region.name
    raise ValueError("every region has a data centre")  # the rules refuse the move first


def _mirror_in(geo: Geo, topology: Topology, region: str) -> Node | None:
    """The mirror built in `region`, if there is one."""
    return next((n for n in topology.of_kind(KIND) if geo.region_of.get(n.order) == region), None)


def _merged(
    geo: Geo,
    t: int,
    topology: Topology,
    state: RunState,
    reports: dict[str, TickReport],
    rate: float,
    lost: float,
    stranded: float,
) -> TickReport:
    """One report of the tick for the whole site: the data centres' reports added up, their
    paths shifted by each region's round trip, and the users DNS sent to a dark one failed."""
    dns, home = geo.dns, geo.home
    failed: dict[str, float] = {}
    dark = regions.failed_share(dns.regions, geo.routes) * rate + stranded
    if dark > 0:
        failed[REASON] = dark
    base = reports.get(home) or next(iter(reports.values()), None)
    fixed = topology.cost_per_tick()
    cost, served, queued, stale, lost_writes = fixed, 0.0, 0.0, 0.0, lost
    retries = retried = wasted = 0.0
    paths: list[tuple[float, Dist]] = []
    routes: list[str] = []
    events = [] if home in reports else state.events.take()  # else the home report has them
    by_name = {r.name: r for r in dns.regions}
    for dc, report in sorted(reports.items(), key=lambda item: (item[0] != home, item[0])):
        for reason, count in report.failed.items():
            failed[reason] = failed.get(reason, 0.0) + count
        cost += report.cost - fixed
        served += report.served
        queued += report.queued
        stale += report.stale_reads
        lost_writes += report.lost_writes
        retries += report.retries
        retried += report.retried
        wasted += report.wasted
        events.extend(report.events)
        parts = [
            (by_name[route.region].share * route.to[dc], by_name[route.region].rtt_s[dc])
            for route in geo.routes
            if route.to.get(dc, 0.0) > 0.0
        ]
        whole = sum(w for w, _ in parts)
        for (count, dist), way in zip(report.paths, report.routes):
            if way == "edge":  # a CDN edge answers near the user, whichever data centre
                paths.append((count, dist))
                routes.append(way)
                continue
            for weight, rtt in parts:
                paths.append((count * weight / whole, geo.shifted(dist, rtt)))
                routes.append(way)
    if base is None:
        return TickReport(
            tick=t,
            rps=rate,
            offered=rate,
            served=0.0,
            failed=failed,
            queued=0.0,
            cost=fixed,
            stale_reads=0.0,
            lost_writes=lost_writes + state.replication.take_lost(),
            cache_hit_ratio=None,
            replica_lag_s=None,
            tiers=[],
            events=events,
            paths=(),
        )
    return dataclasses.replace(
        base,
        rps=rate,
        offered=rate + retries,
        served=served,
        failed=failed,
        queued=queued,
        cost=cost,
        stale_reads=stale,
        lost_writes=lost_writes,
        events=events,
        paths=tuple(paths),
        routes=tuple(routes),
        retries=retries,
        retried=retried,
        wasted=wasted,
    )
