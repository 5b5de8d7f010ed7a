"""The overloaded queue as arrival cohorts with reneging, against a SimPy simulation."""

from __future__ import annotations

import math

import pytest

from game.engine.overload import backlog_of, merged, queue_step, response, wait_atoms
from game.engine.queueing import erlang_c
from game.engine.scenario import Settings
from game.engine.simulation import Simulation
from game.engine.traffic import Spike

from ..engine.scenarios import STATIC_ONLY, build, scenario
from . import before, ciw_runs
from .des import overload_runs


def _run(rates, c, mu, timeout_s):
    cohorts = ()
    out = []
    for lam in rates:
        step = queue_step(cohorts, lam, c, mu, timeout_s)
        cohorts = step.cohorts
        out.append(step)
    return out


ISSUE = [260.0] * 20 + [150.0] * 20  # 2 servers of 100/s, 2 s timeout


def test_issue_case_queue_holds_arrival_rate_times_timeout():
    steps = _run(ISSUE, 2, 100.0, 2.0)
    assert steps[9].backlog == pytest.approx(520.0)  # t = 10: 260 x 2, not 2 x 100 x 2
    assert steps[19].backlog == pytest.approx(520.0)
    old = 0.0
    for lam in ISSUE[:10]:
        old = before.fluid_queue(old, lam, 2, 100.0, 2.0)[2]
    assert old == pytest.approx(400.0)  # what the engine used to carry


def test_issue_case_first_drops_come_a_timeout_after_the_queue_outgrows_the_servers():
    steps = _run(ISSUE, 2, 100.0, 2.0)
    drops = [s.dropped for s in steps]
    assert sum(drops[:8]) == 0.0  # the head reaches 2 s of age at t = 8.67
    assert sum(drops[:10]) == pytest.approx(60.0 * (10 - 26 / 3))  # 80
    assert sum(drops) == pytest.approx(800.0)  # totals as before: 60/s over 13.33 s


PROBES = (6.67, 10.0, 20.0)  # the old engine's first drops; the issue's two probes


@pytest.fixture(scope="module")
def simpy_issue():
    return overload_runs(
        2, 100.0, lambda t: 260.0 if t < 20 else 150.0, 40.0, 2.0, PROBES, 6, seed=3
    )


@pytest.fixture(scope="module")
def ciw_issue():
    return ciw_runs.overload_runs(2, 100.0, ISSUE, 2.0, PROBES, 4, seed=3)


def test_issue_case_against_a_simulation(simpy_issue):
    queue, dropped, total, latency = simpy_issue
    steps = _run(ISSUE, 2, 100.0, 2.0)
    assert steps[9].backlog == pytest.approx(queue[1], rel=0.05)
    assert steps[19].backlog == pytest.approx(queue[2], rel=0.05)
    assert sum(s.dropped for s in steps) == pytest.approx(total, rel=0.05)
    served = sum(s.served for s in steps)
    mean = sum(s.served * (s.mean_wait_s + 1 / 100.0) for s in steps) / served
    assert mean == pytest.approx(latency, rel=0.05)


def test_ciw_agrees_with_the_simpy_simulation(simpy_issue, ciw_issue):
    """A second simulator (Ciw's own reneging) gives the same queue and drops."""
    queue, _, total, _ = simpy_issue
    ciw_queue, _, ciw_total = ciw_issue
    assert ciw_queue[1:] == pytest.approx(queue[1:], rel=0.05)
    assert ciw_total == pytest.approx(total, rel=0.10)


def test_the_engine_carries_the_issue_case_like_the_simulations(simpy_issue, ciw_issue):
    """Two web servers of 100/s behind least connections, 260 req/s for 20 s then 150, 2 s
    timeout, through the whole engine: the queue at t = 10 and 20 s holds about arrival rate x
    timeout (520, as both simulations), the first requests give up at t = 8.67 s (none before
    tick 8, as none in either simulation by 6.67 s, where the old engine began dropping), and
    the total drops agree with both simulations within 5%."""
    start = build("balancer", "web", "web", "primary")
    sim = Simulation(
        scenario(
            start,
            rps=150.0,
            mix=STATIC_ONLY,
            spikes=(Spike(0, 20, 260 / 150),),
            settings=Settings(balancer="least_connections"),
            timeout_s=2.0,
            duration=40,
        )
    )
    reports = [sim.step() for _ in range(40)]
    drops = [r.failed.get("timeout_web", 0.0) for r in reports]
    assert set().union(*(r.failed for r in reports)) == {"timeout_web"}
    for queue, _, total in (simpy_issue[:3], ciw_issue):
        assert reports[9].queued == pytest.approx(queue[1], rel=0.05)
        assert reports[19].queued == pytest.approx(queue[2], rel=0.05)
        assert sum(drops) == pytest.approx(total, rel=0.05)
    for _, dropped, _ in (simpy_issue[:3], ciw_issue):
        assert dropped[0] < 1.0  # nobody gave up by 6.67 s
    assert sum(drops[:8]) == 0.0
    assert sum(drops[:10]) == pytest.approx(80.0)  # the old engine: 200
    assert reports[9].queued == pytest.approx(520.0)  # the old engine: 400


def test_model_md_step_300_500_300_at_four_servers():
    rates = [300.0] * 10 + [500.0] * 5 + [300.0] * 10
    steps = _run(rates, 4, 100.0, math.inf)
    assert [round(steps[t - 1].backlog) for t in (12, 15, 18)] == [200, 500, 200]
    # model.md's simulated mean queue 204/504/204 also counts the stochastic queue that exists
    # below capacity, Lq = lam * Wq of M/M/4 at 300 req/s (~1.5): adding it, within 3%
    below_capacity = 300.0 * erlang_c(4, 3.0) / (4 * 100.0 - 300.0)
    for t, reference in ((12, 204.0), (15, 504.0), (18, 204.0)):
        assert steps[t - 1].backlog + below_capacity == pytest.approx(reference, rel=0.03)
    steps = _run(rates, 4, 100.0, 1.0)
    assert sum(s.dropped for s in steps) == pytest.approx(100.0)
    assert sum(s.dropped for s in steps[:15]) == 0.0  # the first give up at t = 15


def test_a_tier_that_keeps_up_holds_no_queue_and_serves_without_waiting():
    step = queue_step((), 150.0, 2, 100.0, 2.0)
    assert (step.served, step.backlog, step.dropped, step.mean_wait_s) == (150.0, 0.0, 0.0, 0.0)


def test_a_queue_drains_at_the_spare_capacity():
    cohorts = queue_step((), 300.0, 2, 100.0, 5.0).cohorts  # 100 queued
    assert backlog_of(cohorts) == pytest.approx(100.0)
    step = queue_step(cohorts, 150.0, 2, 100.0, 5.0)
    assert step.backlog == pytest.approx(50.0)
    assert step.served == pytest.approx(200.0)


def test_requests_are_conserved():
    cohorts = ()
    offered = served = dropped = 0.0
    for lam in [0, 250, 400, 400, 90, 0, 500, 10, 10, 10, 0, 0, 0]:
        step = queue_step(cohorts, float(lam), 3, 100.0, 1.5)
        cohorts = step.cohorts
        offered += lam
        served += step.served
        dropped += step.dropped
        assert len(cohorts) <= math.ceil(1.5) + 1
    assert offered == pytest.approx(served + dropped + backlog_of(cohorts))


def test_no_server_drops_everything_and_bad_input_is_refused():
    cohorts = queue_step((), 300.0, 2, 100.0, 5.0).cohorts
    step = queue_step(cohorts, 40.0, 0, 100.0, 5.0)
    assert step.dropped == pytest.approx(140.0) and step.cohorts == ()
    with pytest.raises(ValueError):
        queue_step((), -1.0, 2, 100.0, 1.0)
    with pytest.raises(ValueError):
        queue_step(((0.0, -1.0, 5.0),), 1.0, 2, 100.0, 1.0)


def test_the_served_requests_latency_carries_their_waits():
    steps = _run(ISSUE, 2, 100.0, 2.0)
    waits = wait_atoms(steps[15])
    assert waits == pytest.approx((2.0,) * 8)  # pinned: every served request waited 2 s
    assert response(waits, 100.0).mean() == pytest.approx(2.0 + 0.01)
    assert wait_atoms(queue_step((), 0.0, 2, 100.0, 1.0)) == ()


def test_wait_atoms_are_the_mid_quantiles_of_the_served_waits():
    """Found exactly: against a fine numerical inversion of the waits' distribution."""
    cohorts = ()
    for lam in (300.0, 300.0, 150.0, 120.0):
        step = queue_step(cohorts, lam, 2, 100.0, 5.0)
        cohorts = step.cohorts
        pieces = [(min(a, b), max(a, b), n) for n, a, b in step.waits]
        total = sum(n for *_, n in pieces)
        for k, wait in enumerate(wait_atoms(step)):
            target = (k + 0.5) / 8 * total
            below = sum(
                n * min(1, max(0, (wait - lo) / (hi - lo))) if hi > lo else n * (wait >= lo)
                for lo, hi, n in pieces
            )
            assert below == pytest.approx(target, rel=1e-9, abs=1e-9)


def test_merged_queues_add_where_their_arrivals_overlap():
    a = ((-2.0, -1.0, 100.0), (-1.0, 0.0, 50.0))
    b = ((-1.5, -0.5, 20.0),)
    out = merged(a, b)
    assert backlog_of(out) == pytest.approx(backlog_of(a) + backlog_of(b))
    assert out == ((-2.0, -1.5, 100.0), (-1.5, -1.0, 120.0), (-1.0, -0.5, 70.0), (-0.5, 0.0, 50.0))
    assert merged(a, ()) == a
