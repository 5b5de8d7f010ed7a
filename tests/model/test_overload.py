"""The overloaded queue as arrival cohorts with reneging, against a SimPy simulation."""

from __future__ import annotations

import math

import pytest

from game.engine import queueing
from game.engine.overload import backlog_of, queue_step, served_response

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
        old = queueing.fluid_step(old, lam, 2, 100.0, 2.0).backlog
    assert old == pytest.approx(400.0)  # what the engine carries today


def test_issue_case_first_drops_come_a_timeout_after_the_queue_outgrows_the_servers():
    steps = _run(ISSUE, 2, 100.0, 2.0)
    drops = [s.dropped for s in steps]
    assert sum(drops[:8]) == 0.0  # the head reaches 2 s of age at t = 8.67
    assert sum(drops[:10]) == pytest.approx(60.0 * (10 - 26 / 3))  # 80
    assert sum(drops) == pytest.approx(800.0)  # totals as before: 60/s over 13.33 s


def test_issue_case_against_a_simulation():
    queue, dropped, total, latency = overload_runs(
        2, 100.0, lambda t: 260.0 if t < 20 else 150.0, 40.0, 2.0, (10.0, 20.0), 6, seed=3
    )
    steps = _run(ISSUE, 2, 100.0, 2.0)
    assert steps[9].backlog == pytest.approx(queue[0], rel=0.05)
    assert steps[19].backlog == pytest.approx(queue[1], rel=0.05)
    assert sum(s.dropped for s in steps) == pytest.approx(total, rel=0.05)
    served = sum(s.served for s in steps)
    mean = sum(s.served * (s.mean_wait_s + 1 / 100.0) for s in steps) / served
    assert mean == pytest.approx(latency, rel=0.05)


def test_model_md_step_300_500_300_at_four_servers():
    rates = [300.0] * 10 + [500.0] * 5 + [300.0] * 10
    steps = _run(rates, 4, 100.0, math.inf)
    assert [round(steps[t - 1].backlog) for t in (12, 15, 18)] == [200, 500, 200]
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


def test_served_response_carries_the_waits():
    steps = _run(ISSUE, 2, 100.0, 2.0)
    dist = served_response(steps[15], 100.0)
    assert dist.mean() == pytest.approx(2.0 + 0.01)  # pinned: every served request waited 2 s
    assert served_response(queue_step((), 0.0, 2, 100.0, 1.0), 100.0) is None
