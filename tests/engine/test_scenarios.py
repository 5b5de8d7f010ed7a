"""Whole-engine behaviour: each incident gives the failure a player would expect, at the size
the model predicts."""

import math

import pytest

from game.engine import catalog
from game.engine.actions import Action
from game.engine.scenario import Settings
from game.engine.simulation import Simulation, run
from game.engine.traffic import Mix, Spike

from ..model.jsq_chain import response_percentile, shortest_queue_seen
from .scenarios import STATIC_ONLY, build, scenario

MIX = Mix(static=0.0, read=0.7, write=0.1, join=0.2)


def _ticks(sim: Simulation, n: int):
    return [sim.step() for _ in range(n)]


def _tier(report, name):
    return next(t for t in report.tiers if t.name == name)


# -- closed forms through the whole engine --------------------------------------------------


@pytest.mark.parametrize(
    "lam, expected_ms",
    [(50.0, (13.9, 59.9, 92.1)), (80.0, (34.7, 149.8, 230.0))],
)
def test_one_server_matches_mm1(lam, expected_ms):
    """One web server (mu = 100 req/s), no network delay: the run's percentiles are M/M/1's."""
    result = run(scenario(build("web", "primary"), rps=lam, mix=STATIC_ONLY))
    for q, want in zip((0.50, 0.95, 0.99), expected_ms):
        assert result.totals.percentile_ms(q) == pytest.approx(want, rel=0.03)


def _exact_jsq_ms(c: int, rho: float, q: float) -> float:
    """The p-quantile of join-the-shortest-queue from its exact Markov chain (tests/model)."""
    seen = shortest_queue_seen(c, rho, levels=int(28 / -math.log(rho)) + 10, spread=6)
    return 1000.0 * response_percentile(seen, 100.0, q)


def test_pool_with_least_connections_is_join_the_shortest_queue():
    """Four servers behind least connections at 300 req/s: each request waits in the queue of
    the server it was sent to, so the percentiles are JSQ's (exact chain: 12.20/48.84/73.18
    ms), not one shared M/M/4 queue's (model.md: 11.56/41.28/60.06 ms)."""
    start = build("balancer", "web", "web", "web", "web", "primary")
    result = run(
        scenario(start, rps=300.0, mix=STATIC_ONLY, settings=Settings(balancer="least_connections"))
    )
    for q in (0.50, 0.95, 0.99):
        assert result.totals.percentile_ms(q) == pytest.approx(_exact_jsq_ms(4, 0.75, q), rel=0.03)
    assert result.totals.percentile_ms(0.99) > 1.15 * 60.06
    assert result.totals.availability == pytest.approx(1.0)


def test_round_robin_tail_sits_between_random_and_least_connections():
    """c=2, mu=100, lam=160: round robin p99 is 177 ms (model.md), least connections' 131 ms
    (the exact JSQ chain; one shared queue would give 119 ms)."""
    start = build("balancer", "web", "web", "primary")
    rr = run(scenario(start, rps=160.0, mix=STATIC_ONLY))
    lc = run(
        scenario(start, rps=160.0, mix=STATIC_ONLY, settings=Settings(balancer="least_connections"))
    )
    assert rr.totals.percentile_ms(0.99) == pytest.approx(177.0, rel=0.03)
    assert lc.totals.percentile_ms(0.99) == pytest.approx(_exact_jsq_ms(2, 0.8, 0.99), rel=0.03)


def test_overload_step_tracks_the_fluid_backlog():
    """300 -> 500 -> 300 req/s at c=4, mu=100 (model.md): the queue at t=12/15/18 s is 204/504/204
    in the reference; the fluid backlog is that minus the ~4 requests of steady queue."""
    start = build("balancer", "web", "web", "web", "web", "primary")
    spike = (Spike(10, 5, 500 / 300),)
    settings = Settings(balancer="least_connections")
    sim = Simulation(
        scenario(start, rps=300.0, mix=STATIC_ONLY, spikes=spike, settings=settings, timeout_s=60)
    )
    queued = [r.queued for r in _ticks(sim, 20)]
    for t, reference in ((12, 204), (15, 504), (18, 204)):
        assert queued[t - 1] == pytest.approx(reference, rel=0.03)
    timed = run(
        scenario(
            start,
            rps=300.0,
            mix=STATIC_ONLY,
            spikes=spike,
            settings=settings,
            timeout_s=1.0,
            duration=30,
        )
    )
    assert timed.totals.failed.get("timeout_web", 0) == pytest.approx(100.0, rel=0.02)


# -- failures and their reasons ---------------------------------------------------------------


def test_dead_primary_with_a_replica_fails_writes_until_promotion():
    start = build("balancer", "web:L", "web:L", "primary:L", "replica:L")
    sim = Simulation(scenario(start, rps=200.0, mix=MIX, incidents=[(50, "db-1")], duration=200))
    reports = _ticks(sim, 200)
    writes_per_tick = 200.0 * MIX.write
    down = sum(r.failed.get("primary_down", 0) for r in reports)
    assert down == pytest.approx(writes_per_tick * catalog.FAILOVER_TICKS, rel=0.02)
    # The writes the replica had not applied are lost: write rate x replication delay.
    lost = sum(r.lost_writes for r in reports)
    assert lost == pytest.approx(writes_per_tick * catalog.REPLICATION_DELAY_S, rel=0.05)
    after = reports[50 + catalog.FAILOVER_TICKS + 1]
    assert after.failed_total == pytest.approx(0.0, abs=1e-6)
    assert any(
        e.kind == "promoted" and e.component == "replica-1" for r in reports for e in r.events
    )
    # Reads kept flowing through the failover: only writes failed.
    during = reports[60]
    assert during.served == pytest.approx(200.0 * (1 - MIX.write), rel=0.02)


def test_dead_primary_without_replica_waits_for_a_rebuild():
    start = build("balancer", "web:L", "web:L", "primary:L")
    sim = Simulation(scenario(start, rps=100.0, mix=MIX, incidents=[(10, "db-1")], duration=400))
    reports = _ticks(sim, 400)
    data_share = MIX.read + MIX.write + MIX.join
    down = sum(r.failed.get("primary_down", 0) for r in reports)
    assert down == pytest.approx(100.0 * data_share * catalog.REBUILD_TICKS, rel=0.02)
    assert sum(r.lost_writes for r in reports) == 0


def test_dead_replica_moves_its_reads_to_the_other_replica():
    start = build("balancer", "web:L", "web:L", "primary:L", "replica:M", "replica:M")
    sim = Simulation(
        scenario(start, rps=150.0, mix=MIX, incidents=[(20, "replica-1")], duration=40)
    )
    reports = _ticks(sim, 40)
    before, after = _tier(reports[19], "replicas"), _tier(reports[25], "replicas")
    assert (before.servers, after.servers) == (2, 1)
    assert after.utilization == pytest.approx(2 * before.utilization, rel=0.01)
    assert reports[25].failed_total == pytest.approx(0.0, abs=1e-6)


def test_dead_cache_node_sends_its_share_of_reads_to_the_database():
    start = build("balancer", "web:L", "web:L", "primary:XL", "cache", "cache")
    mix = Mix(static=0.0, read=0.9, write=0.1, join=0.0)
    sim = Simulation(scenario(start, rps=300.0, mix=mix, incidents=[(20, "cache-1")], duration=30))
    reports = _ticks(sim, 30)
    hit_before, hit_after = reports[19].cache_hit_ratio, reports[21].cache_hit_ratio
    assert hit_after == pytest.approx(hit_before / 2, rel=0.01)
    reads = 300.0 * 0.9
    db_before = _tier(reports[19], "primary").offered
    db_after = _tier(reports[21], "primary").offered
    assert db_after - db_before == pytest.approx(reads * (hit_before - hit_after), rel=0.01)


def test_without_a_balancer_dns_sends_everything_to_one_server():
    start = build("web", "web", "web", "primary:XL")
    result = run(scenario(start, rps=250.0, mix=STATIC_ONLY, duration=60))
    web = _tier(result.last, "web")
    assert web.servers == 1
    assert web.utilization == pytest.approx(2.5)
    assert result.totals.failed["timeout_web"] > 0.5 * 150 * 40
    balanced = run(
        scenario(
            build("balancer", "web", "web", "web", "primary:XL"),
            rps=250.0,
            mix=STATIC_ONLY,
            duration=60,
        )
    )
    assert balanced.totals.availability > 0.999


def test_a_key_value_store_cannot_serve_joins():
    start = build("balancer", "web:L", "web:L", "primary:L")
    result = run(
        scenario(start, rps=100.0, mix=MIX, settings=Settings(store="keyvalue"), duration=50)
    )
    assert result.totals.failed["store_cannot_join"] == pytest.approx(
        100.0 * MIX.join * 50, rel=1e-6
    )
    assert set(result.totals.failed) == {"store_cannot_join"}


def test_a_dead_web_server_behind_a_balancer_costs_only_the_health_check_window():
    start = build("balancer", "web", "web", "primary:XL")
    sim = Simulation(
        scenario(start, rps=100.0, mix=STATIC_ONLY, incidents=[(10, "web-1")], duration=40)
    )
    reports = _ticks(sim, 40)
    lost = sum(r.failed.get("server_down", 0) for r in reports)
    assert lost == pytest.approx(50.0 * catalog.HEALTH_CHECK_TICKS, rel=1e-6)
    assert sum(r.failed_total for r in reports) == pytest.approx(lost)


def test_a_dead_lone_server_takes_the_site_down():
    sim = Simulation(
        scenario(
            build("web", "primary"),
            rps=50.0,
            mix=STATIC_ONLY,
            incidents=[(10, "web-1")],
            duration=100,
        )
    )
    reports = _ticks(sim, 100)
    down = sum(r.failed.get("dns_server_down", 0) for r in reports)
    assert down == pytest.approx(50.0 * catalog.KINDS["web"].repair_ticks, rel=1e-6)


# -- actions --------------------------------------------------------------------------------


def _state(sim):
    return [(n.id, n.kind, n.size, n.state) for n in sim.nodes()], sim.settings, sim.cost_per_tick()


@pytest.mark.parametrize(
    "action, words",
    [
        (Action(0, "add", kind="web", size="XL"), "over budget"),
        (Action(0, "add", kind="rocket"), "cannot add"),
        (Action(0, "add", kind="cdn"), "not unlocked"),
        (Action(0, "remove", target="web-9"), "no component"),
        (Action(0, "resize", target="web-1", size="XXL"), "sizes"),
        (Action(0, "resize", target="web-1", size="S"), "already"),
        (Action(0, "remove", target="db-1"), "promote a replica"),
        (Action(0, "promote", target="web-1"), "only a replica"),
        (Action(0, "configure", target="cache", setting="ttl", value="soon"), "number"),
        (Action(0, "configure", target="moon", setting="x", value=1), "no settings"),
        (Action(0, "fly"), "unknown action"),
    ],
)
def test_refused_actions_say_why_and_change_nothing(action, words):
    sc = scenario(
        build("web", "primary"),
        budget=5.0,
        unlocked=frozenset({"web", "remove", "resize", "promote", "configure"}),
    )
    sim = Simulation(sc)
    before = _state(sim)
    outcome = sim.apply(action)
    assert not outcome.accepted
    assert words in outcome.reason
    assert _state(sim) == before
    assert any(e.kind == "refused" for e in sim.step().events)


def test_web_servers_wait_for_the_database_to_leave_the_box():
    sim = Simulation(scenario(build("box"), rps=20.0))
    assert "database primary first" in sim.apply(Action(0, "add", kind="web")).reason
    assert sim.apply(Action(0, "add", kind="primary")).accepted
    _ticks(sim, catalog.KINDS["primary"].boot_ticks + 1)
    assert not sim.store_on_box
    assert sim.apply(Action(0, "add", kind="web")).accepted


def test_a_new_server_takes_traffic_only_after_booting():
    sim = Simulation(scenario(build("balancer", "web", "primary:XL"), rps=150.0, mix=STATIC_ONLY))
    sim.apply(Action(0, "add", kind="web"))
    boot = catalog.KINDS["web"].boot_ticks
    reports = _ticks(sim, boot + 2)
    assert _tier(reports[boot - 1], "web").servers == 1
    assert _tier(reports[boot + 1], "web").servers == 2


def test_resizing_restarts_the_server():
    sim = Simulation(scenario(build("web", "primary"), rps=50.0, mix=STATIC_ONLY))
    assert sim.apply(Action(0, "resize", target="web-1", size="M")).accepted
    reports = _ticks(sim, catalog.KINDS["web"].boot_ticks + 1)
    assert reports[0].failed.get("dns_server_down", 0) == pytest.approx(50.0)
    assert reports[-1].failed_total == pytest.approx(0.0, abs=1e-9)
    assert _tier(reports[-1], "web").capacity_rps == catalog.KINDS["web"].sizes["M"].capacity


def test_a_restarting_box_fails_its_requests_as_the_box_down():
    """While the single box restarts, requests fail because the box is down, not for want of a
    web server: the box is the web server."""
    sim = Simulation(scenario(build("box"), rps=50.0, mix=STATIC_ONLY))
    assert sim.apply(Action(0, "resize", target="box-1", size="L")).accepted
    first = _ticks(sim, 1)[0]
    assert first.failed == {"box_down": pytest.approx(50.0)}


@pytest.mark.parametrize("balancer", ["round_robin", "least_connections"])
def test_a_nearly_idle_tier_is_served_without_error(balancer):
    """Traffic far below a tier's capacity (a big cache tier, many web servers) is served."""
    start = build("balancer", *["web:XL"] * 40, "primary:XL", "cache:L", "cache:L", "cdn")
    result = run(scenario(start, rps=10.0, settings=Settings(balancer=balancer), duration=20))
    assert result.totals.availability == pytest.approx(1.0)
    assert result.totals.served == pytest.approx(200.0, rel=1e-6)
