"""Lost writes and replica lag from the unapplied writes, against a SimPy simulation; and a
primary that dies while its only replica is still booting.

The case: writes at 172/s to a primary whose one async replica (size M) applies 130/s, ship
delay 0.2 s, for 59 s; then the primary dies. The engine used to count w * (d + B / a), about
3,300, against ~2,500 unapplied."""

from __future__ import annotations

import pytest

from game.engine import catalog
from game.engine.actions import Action
from game.engine.replication import backlog_step, replica_lag_s, unapplied_writes
from game.engine.simulation import Simulation
from game.engine.traffic import Mix

from ..engine.scenarios import build, scenario
from . import before
from .des import lost_writes

WRITES, DELAY, FAIL_AT = 172.0, catalog.REPLICATION_DELAY_S, 59
APPLY = catalog.KINDS["replica"].sizes["M"].capacity / catalog.WRITE_UNITS  # 130 writes/s
WRITES_ONLY = Mix(static=0.0, read=0.0, write=1.0, join=0.0)


@pytest.fixture(scope="module")
def simulated() -> tuple[float, float]:
    return lost_writes(WRITES, APPLY, DELAY, float(FAIL_AT), 20, seed=4)


def _backlog() -> float:
    backlog = 0.0
    for _ in range(FAIL_AT):
        backlog = backlog_step(backlog, WRITES, APPLY)
    return backlog


def test_lost_writes_and_lag_agree_with_a_simulation(simulated):
    simulated_lost, simulated_lag = simulated
    backlog = _backlog()
    assert unapplied_writes(backlog, WRITES, DELAY) == pytest.approx(simulated_lost, rel=0.03)
    assert replica_lag_s(backlog, WRITES, APPLY, DELAY) == pytest.approx(simulated_lag, rel=0.03)
    assert before.lost_writes(backlog, WRITES, APPLY, DELAY) > 1.25 * simulated_lost


def test_the_engine_loses_the_unapplied_writes(simulated):
    """The same case through the engine: a primary L taking 172 writes/s, one replica M, the
    primary dies at tick 59. The writes lost and the lag reported the tick before agree with
    the simulation within 3% (the engine's replica starts a tick late: 2,470 and 14.36 s)."""
    simulated_lost, simulated_lag = simulated
    start = build("balancer", "web:M", "web:M", "primary:L", "replica:M")
    sim = Simulation(
        scenario(start, rps=WRITES, mix=WRITES_ONLY, incidents=[(FAIL_AT, "db-1")], duration=80)
    )
    reports = [sim.step() for _ in range(80)]
    lost = sum(r.lost_writes for r in reports)
    assert lost == reports[FAIL_AT].lost_writes  # booked with the tick the primary failed in
    assert lost == pytest.approx(simulated_lost, rel=0.03)
    lag = reports[FAIL_AT - 1].replica_lag_s
    assert lag == pytest.approx(simulated_lag, rel=0.03)
    backlog = lag * WRITES - WRITES * DELAY  # the lag is the span of the unapplied writes
    assert before.lost_writes(backlog, WRITES, APPLY, DELAY) > 1.25 * simulated_lost
    assert before.lag_s(backlog, APPLY, DELAY) > 1.25 * simulated_lag


def test_replica_reads_are_stale_over_the_same_lag():
    """Reads from the lagging replica are stale when their key was written within the lag the
    tick reports (cache.replica_stale_share of d + B / w)."""
    from game.engine import cache

    mix = Mix(static=0.0, read=0.3, write=0.7, join=0.0)  # writes outrun the replica
    start = build("balancer", "web:L", "primary:L", "replica:M")
    sim = Simulation(scenario(start, rps=230.0, mix=mix, keys=10_000, duration=40))
    reports = [sim.step() for _ in range(40)]
    last = reports[-1]
    assert last.replica_lag_s > 5.0
    pop = cache.zipf_popularity(10_000, catalog.DEFAULT_ZIPF_ALPHA)
    share = cache.replica_stale_share(pop, 230.0 * 0.7, last.replica_lag_s)
    reads = next(t for t in last.tiers if t.name == "replicas").served
    assert last.stale_reads == pytest.approx(reads * share, rel=0.02)


def test_unapplied_writes_are_the_backlog_plus_the_writes_in_flight():
    assert unapplied_writes(0.0, 100.0, 0.2) == pytest.approx(20.0)
    assert unapplied_writes(500.0, 100.0, 0.2) == pytest.approx(520.0)
    # the lag is how long the unapplied writes took to arrive
    assert replica_lag_s(500.0, 100.0, 50.0, 0.2) * 100.0 == pytest.approx(520.0)


def test_lag_without_writes_and_bad_input():
    assert replica_lag_s(0.0, 0.0, 10.0, 0.2) == 0.2
    assert replica_lag_s(30.0, 0.0, 10.0, 0.2) == pytest.approx(3.2)
    assert replica_lag_s(30.0, 5e-324, 10.0, 0.2) == pytest.approx(3.2)  # no measurable span
    assert backlog_step(10.0, 0.0, 50.0) == 0.0
    with pytest.raises(ValueError):
        replica_lag_s(5.0, 0.0, 0.0, 0.2)
    with pytest.raises(ValueError):
        unapplied_writes(-1.0, 1.0, 0.2)


# -- a replica still booting when the primary dies --------------------------------------------

MIX = Mix(static=0.0, read=0.7, write=0.1, join=0.2)


def _booting_case(actions=()):
    """The primary dies at tick 30; the only replica was added at tick 0 and is up at 60."""
    start = build("balancer", "web:L", "web:L", "primary:L")
    sim = Simulation(scenario(start, rps=200.0, mix=MIX, incidents=[(30, "db-1")], duration=300))
    plan = {0: [Action(0, "add", kind="replica", size="L")]}
    for action in actions:
        plan.setdefault(action.tick, []).append(action)
    reports, outcomes = [], []
    for t in range(300):
        outcomes += [sim.apply(a) for a in plan.get(t, ())]
        reports.append(sim.step())
    return sim, reports, outcomes


def test_a_replica_still_booting_is_promoted_once_it_is_up():
    """Writes fail from tick 30 until the replica is up and promoted at max(30 + 30, 60) = 60,
    not for the 240-tick rebuild; it lacks every write since its copy was taken at tick 0."""
    boot = catalog.KINDS["replica"].boot_ticks
    assert boot == 60 and catalog.FAILOVER_TICKS == 30
    sim, reports, outcomes = _booting_case()
    assert all(o.accepted for o in outcomes)
    writes = 200.0 * MIX.write
    failing = [r.tick for r in reports if r.failed.get("primary_down", 0) > 0]
    assert failing == list(range(30, 60))
    promoted = [e for r in reports for e in r.events if e.kind == "promoted"]
    assert [(e.tick, e.component) for e in promoted] == [(60, "replica-1")]
    # written 30 ticks since the copy, plus those in flight
    assert reports[30].lost_writes == pytest.approx(writes * (30 + DELAY))
    assert sum(r.lost_writes for r in reports) == reports[30].lost_writes
    assert reports[61].failed_total == pytest.approx(0.0, abs=1e-6)


def test_a_promote_on_the_tick_the_replica_is_up_is_accepted():
    """The replica's boot ends at tick 60, so a promote at tick 60 sees it healthy: accepted,
    it completes PROMOTE_TICKS later, or sooner if the failover under way ends first."""
    sim, reports, outcomes = _booting_case([Action(60, "promote", target="replica-1")])
    promote = outcomes[-1]
    assert promote.accepted, promote.reason
    healthy = [n for n in sim.nodes() if n.id == "replica-1"]
    assert healthy and healthy[0].kind == "primary"


def test_with_no_replica_left_the_primary_is_rebuilt():
    """The booting replica is removed before it is up: the promotion gives up and the primary
    is rebuilt from backup, REBUILD_TICKS after it failed."""
    sim, reports, _ = _booting_case([Action(45, "remove", target="replica-1")])
    failing = [r.tick for r in reports if r.failed.get("primary_down", 0) > 0]
    assert failing == list(range(30, 30 + catalog.REBUILD_TICKS))
    assert any(e.kind == "failover" for r in reports for e in r.events)
