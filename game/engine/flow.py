"""The route of one tick's demand: DNS -> CDN -> balancer -> web tier -> cache -> data tier.

Tier by tier, never request by request, so 10 req/s and 10 million req/s cost the same. The
CDN answers most static requests at the edge; the rest reach the origin, where the balancer
spreads them over the healthy web servers (without one, DNS sends everyone to the oldest
server). The web tier's reads go through the cache tier (cache_tier.py), and what the cache
misses, with joins and writes, to the store (data_tier.py). While the database still lives on
the single box, the box does all of it. Where the level's requests carry slow work, the web
tier does it inside the requests or puts it on the message queue for the workers (jobs.py).
Where users sign in, the requests of users whose session was lost fail until they sign in
again, and with a session store up every session request looks its session up there
(sessions.py).
"""

from __future__ import annotations

from game.engine import cache_tier, catalog, data_tier, jobs, sessions, shapes
from game.engine.cache_tier import rate_grid
from game.engine.latency import Dist
from game.engine.report import TickReport
from game.engine.scenario import Jobs, Sessions
from game.engine.tick import Tick
from game.engine.tiers import LEAST_CONNECTIONS, ROUND_ROBIN, Group
from game.engine.topology import FAILED, HEALTHY, WEB_KINDS


def simulate(tick: Tick) -> TickReport:
    """Route tick `tick.t`'s demand through the site and report it."""
    traffic, topology = tick.traffic, tick.topology
    store_on_box = tick.state.store_on_box
    rate = traffic.rate(tick.t)
    mix = traffic.mix
    arriving = rate + tick.retries_in  # retries are arrivals like any other (retries.py)
    static, reads = arriving * mix.static, arriving * mix.read
    writes, joins = arriving * mix.write, arriving * mix.join

    edge = 0.0
    edge_ok = bool(topology.pool("cdn").nodes)
    if edge_ok:
        edge = static * catalog.CDN_HIT_RATIO
        tick.path("edge", edge, shapes.point(traffic.edge_rtt_s + catalog.CDN_EDGE_SERVICE_S))
        static -= edge
    origin = static + reads + writes + joins
    balancer = _balancer_state(tick)
    extra_cost = edge * catalog.CDN_COST_PER_MILLION / 1e6
    if balancer == HEALTHY:
        extra_cost += origin * catalog.BALANCER_COST_PER_MILLION / 1e6

    r, w = rate_grid(reads), rate_grid(writes)  # on the grid, for the cache and the replicas
    hit = cache_tier.hit_ratio(tick, reads, r, w)
    units = reads * (1 - hit) * catalog.READ_UNITS
    units += writes * catalog.WRITE_UNITS + joins * catalog.JOIN_UNITS
    demand = units / origin if origin > 0 else 0.0
    name = "box" if store_on_box else "web"
    spec = tick.job_spec
    queued = spec is not None and bool(topology.pool("queue").nodes)
    slow = jobs.inline_factor(spec) if spec is not None and not queued else 1.0
    asking, session_share = origin, 0.0
    if tick.session_spec is not None:
        asking, session_share = _signed_out(tick, tick.session_spec, origin, balancer)
    web_groups, admitted = _web_groups(tick, asking, balancer, demand, slow)
    shed = balancer == HEALTHY and tick.settings.shed
    web = tick.serve(name, web_groups, admitted, queue="web", shed=shed)
    served, web_dist = web.served, web.dist
    if session_share > 0 and sessions.store_up(topology):
        served, web_dist = _session_store(tick, served, web_dist, session_share)
    elif tick.queues and tick.queues.under(sessions.STORE + ":"):  # the store went: its queue fails
        tick.serve(sessions.STORE, [], 0.0)
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
    s_share, r_share, w_share, j_share = [x / whole for x in composition]
    rtt = shapes.point(traffic.origin_rtt_s)
    if spec is not None:  # the requests whose jobs a full queue refuses fail
        served -= _jobs(tick, spec, served, queued)
    if store_on_box:
        tick.path("box", served, rtt, web_dist)
        tick.stale(served * r_share * hit * cache_tier.stale_share(tick, r, w))
    else:
        tick.path("static", served * s_share, rtt, web_dist)
        web_reads, web_writes, web_joins = served * r_share, served * w_share, served * j_share
        misses, cache_dist = cache_tier.serve_reads(tick, web_reads, web_dist, hit, r, w)
        data_tier.serve(tick, web_dist, cache_dist, misses, web_joins, web_writes, w)
    cost = topology.cost_per_tick() + extra_cost
    return tick.report(rate, cost, hit if topology.of_kind("cache") else None)


def _signed_out(
    tick: Tick, spec: Sessions, origin: float, balancer: str | None
) -> tuple[float, float]:
    """The origin's requests of signed-out users fail (they cannot get past the sign-in until
    they have signed in again); returns the requests that go on, and the share of those that
    carry a session."""
    events, t = tick.state.events, tick.t

    def lost(node_id: str, share: float) -> None:
        held = f"{node_id} held {share:.0%} of the users' sessions"
        events.log(t, "signed_out", node_id, f"{held}: signed out for {spec.relogin_s:g} s")

    logins, topology = tick.state.logins, tick.topology
    out = sessions.step(logins, topology, t, spec.relogin_s, balancer, tick.settings.balancer, lost)
    if balancer == FAILED:  # nobody gets as far as the sign-in
        return origin, 0.0
    failing = 0.0
    for reason, share in sorted(out.items()):
        count = origin * spec.share * min(1.0, share)
        tick.fail(reason, count)
        failing += count
    asking = max(0.0, origin - failing)
    session_requests = max(0.0, origin * spec.share - failing)
    return asking, session_requests / asking if asking > 0 else 0.0


def _session_store(
    tick: Tick, served: float, web_dist: Dist | None, session_share: float
) -> tuple[float, Dist | None]:
    """The session requests the web tier served look their sessions up in the store: those
    it answers go on, slower by the lookup; those that time out in its queue fail."""
    pool = tick.topology.pool(sessions.STORE)
    servers = len(pool.nodes)
    plain = served * (1 - session_share)
    asked = served * session_share
    group = Group(f"{sessions.STORE}:pool", servers, pool.capacity / servers, 1.0)
    lookups = sessions.lookups(asked)
    store = tick.serve(sessions.STORE, [group], lookups)
    answered = store.served / catalog.SESSION_LOOKUPS
    if web_dist is None or store.dist is None or answered <= 0:
        return plain + answered, web_dist
    hop = shapes.point(catalog.HOP_S)
    looked_up = shapes.path((web_dist, hop, store.dist))
    total = plain + answered
    if plain <= 0:
        return total, looked_up
    parts = ((round(plain / total, 4), web_dist), (round(answered / total, 4), looked_up))
    return total, shapes.mixture(parts)


def _jobs(tick: Tick, spec: Jobs, served: float, queued: bool) -> float:
    """The tick's jobs: done in the requests, or put on the queue for the workers; how many
    the queue refused (their requests fail as queue_full)."""
    topology = tick.topology
    rate = float(sum(jobs.worker_rate(n.size, spec) for n in topology.pool("worker").nodes))
    queue = topology.of_kind("queue")
    limit = catalog.KINDS["queue"].items[queue[0].size] if queue else 0
    report = jobs.step(tick.state.jobs, tick.t, served * spec.share, rate, limit, queued)
    tick.jobs = report
    tick.fail("queue_full", report.refused)
    return report.refused


def _balancer_state(tick: Tick) -> str | None:
    return tick.topology.front_door(tick.t)


def _web_groups(
    tick: Tick, origin: float, balancer: str | None, demand: float, slow: float
) -> tuple[list[Group], float]:
    """Where the origin's requests go, and how many of them reach a web server. `slow`: how
    many times longer a request keeps a server busy for the jobs it does itself (jobs.py)."""
    topology = tick.topology
    if balancer == FAILED:
        tick.fail("balancer_down", origin)
        return [], 0.0
    if balancer != HEALTHY:
        target = topology.of_kind(*WEB_KINDS)[0]  # DNS answers with the oldest server
        if target.state != HEALTHY:
            tick.fail("box_down" if target.kind == "box" else "dns_server_down", origin)
            return [], 0.0
        mu = _web_mu(tick, target.kind, target.size, demand, slow)
        tick.dns_target = target.id
        return [Group("web:pool", 1, mu, 1.0)], origin
    counts = [
        (_web_mu(tick, kind, size, demand, slow), n) for (kind, size), n in topology.healthy_web()
    ]
    healthy = sum(n for _, n in counts)
    unnoticed = topology.recently_failed_web(tick.t, catalog.HEALTH_CHECK_TICKS)
    rotation = healthy + unnoticed
    if rotation == 0:
        tick.fail("no_healthy_server", origin)
        return [], 0.0
    if unnoticed:
        tick.fail("server_down", origin * unnoticed / rotation)
    if not healthy:
        return [], 0.0
    admitted = origin * healthy / rotation
    if tick.settings.balancer == ROUND_ROBIN:
        by_mu: dict[float, int] = {}
        for mu, n in counts:
            by_mu[mu] = by_mu.get(mu, 0) + n
        groups = [
            Group(f"web:{mu:g}", n, mu, n / healthy, ROUND_ROBIN, healthy)
            for mu, n in sorted(by_mu.items())
        ]
        return groups, admitted
    mean_mu = sum(mu * n for mu, n in counts) / healthy
    return [Group("web:pool", healthy, mean_mu, 1.0, LEAST_CONNECTIONS)], admitted


def _web_mu(tick: Tick, kind: str, size: str, demand: float, slow: float) -> float:
    """Requests per second a web server completes; the box also does the database's work.

    `demand` is the database work of an average request, in query units; `slow` stretches the
    web work by the jobs the requests do themselves."""
    mu = catalog.KINDS[kind].sizes[size].capacity / slow
    if kind != "box" or not tick.state.store_on_box:
        return mu
    db_capacity = catalog.KINDS["primary"].sizes[size].capacity
    return 1 / (1 / mu + demand / db_capacity)
