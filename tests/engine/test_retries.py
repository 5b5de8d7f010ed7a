"""Client retries: the schedule (backoff spreading, caps, budget, attempts), wasted work, and
retries as real arrivals in a run."""

from __future__ import annotations

import dataclasses

import pytest

from game.engine import catalog, retries
from game.engine.actions import Action
from game.engine.overload import backlog_of
from game.engine.scenario import Component, Incident, Retries, Scenario, Settings
from game.engine.simulation import Simulation, run
from game.engine.traffic import Mix, Spike, Traffic

# -- the schedule -----------------------------------------------------------------------------


def test_immediate_retries_come_the_next_tick():
    policy = Retries("immediate")
    assert retries.spread(policy, 1) == ((1, 1.0),)
    assert retries.spread(policy, 4) == ((1, 1.0),)


def test_backoff_without_jitter_doubles_up_to_the_cap():
    policy = Retries("backoff", base_s=1.5, cap_s=5.0, jitter=False)
    assert [retries.spread(policy, n) for n in (1, 2, 3, 4)] == [
        ((2, 1.0),),  # 1.5 s: the second tick ahead
        ((3, 1.0),),  # 3 s
        ((5, 1.0),),  # 6 s, capped at 5
        ((5, 1.0),),
    ]


def test_jitter_spreads_a_retry_evenly_over_its_window():
    policy = Retries("backoff", base_s=1.25, cap_s=30.0, jitter=True)
    second = retries.spread(policy, 2)  # 2.5 s
    assert [k for k, _ in second] == [1, 2, 3]
    assert [s for _, s in second] == pytest.approx([0.4, 0.4, 0.2])
    window = retries.spread(policy, 3)  # 5 s: five ticks, a fifth each
    assert [k for k, _ in window] == [1, 2, 3, 4, 5]
    assert [s for _, s in window] == pytest.approx([0.2] * 5)
    capped = retries.spread(dataclasses.replace(policy, cap_s=4.0), 9)
    assert len(capped) == 4 and sum(s for _, s in capped) == pytest.approx(1.0)


def test_a_tick_s_failures_come_back_as_retries_and_keep_their_reasons_when_they_give_up():
    schedule = retries.Schedule()
    policy = Retries("immediate", attempts=2)
    settled = schedule.settle(policy, 100.0, {"timeout_web": 30.0, "server_down": 10.0})
    assert settled.retried == pytest.approx(40.0)
    assert settled.failed == {}
    assert schedule.arriving() == pytest.approx((40.0,))
    # The next tick: no first attempts fail, the 40 second attempts all fail, for good.
    settled = schedule.settle(policy, 0.0, {"timeout_web": 40.0})
    assert settled.retried == 0.0
    assert settled.failed == pytest.approx({"timeout_web": 40.0})
    assert not schedule


def test_failures_split_over_attempt_numbers_and_last_attempts_give_up():
    schedule = retries.Schedule()
    policy = Retries("immediate", attempts=2)
    schedule.settle(policy, 100.0, {"timeout_web": 50.0})  # 50 second attempts on their way
    # 100 first attempts and 50 second attempts; 60 fail: 40 first, 20 second attempts.
    settled = schedule.settle(policy, 100.0, {"timeout_web": 60.0})
    assert settled.retried == pytest.approx(40.0)
    assert settled.failed == pytest.approx({"timeout_web": 20.0})


def test_a_retry_budget_caps_retries_at_a_share_of_first_attempts():
    schedule = retries.Schedule()
    policy = Retries("immediate", attempts=5, budget=0.1)
    settled = schedule.settle(policy, 200.0, {"timeout_web": 150.0, "shed": 50.0})
    assert settled.retried == pytest.approx(20.0)
    assert settled.failed == pytest.approx({"timeout_web": 135.0, "shed": 45.0})
    assert schedule.pending() == pytest.approx(20.0)


def test_no_policy_retries_nothing():
    schedule = retries.Schedule()
    for policy in (None, Retries("none")):
        settled = schedule.settle(policy, 100.0, {"timeout_web": 5.0})
        assert settled.failed == {"timeout_web": 5.0} and settled.retried == 0.0
    assert not schedule


def test_the_schedule_is_bounded_by_the_catalog():
    schedule = retries.Schedule()
    policy = Retries("backoff", attempts=catalog.MAX_RETRY_ATTEMPTS, cap_s=catalog.MAX_RETRY_CAP_S)
    for _ in range(500):
        schedule.settle(policy, 100.0, {"timeout_web": 100.0 + schedule.pending() * 0.01})
    assert len(schedule._ahead) <= retries.HORIZON
    assert all(len(row) <= catalog.MAX_RETRY_ATTEMPTS - 1 for row in schedule._ahead)


def test_retries_check_their_numbers():
    for bad in (
        {"policy": "sometimes"},
        {"attempts": 0},
        {"attempts": catalog.MAX_RETRY_ATTEMPTS + 1},
        {"base_s": 5.0, "cap_s": 2.0},
        {"cap_s": catalog.MAX_RETRY_CAP_S + 1},
        {"budget": 1.5},
        {"server_timeout_s": 0.0},
    ):
        with pytest.raises(ValueError):
            Retries(**bad)


# -- wasted work ------------------------------------------------------------------------------


def test_waits_are_cut_at_the_client_timeout():
    in_time, late = retries.split_waits(((100.0, 1.0, 3.0), (50.0, 0.0, 0.0), (10.0, 4, 4)), 2.0)
    assert late == pytest.approx(60.0)
    assert [piece for piece in in_time] == [(50.0, 1.0, 2.0), (50.0, 0.0, 0.0)]


def test_abandoned_requests_are_those_older_than_the_client_timeout():
    cohorts = ((-5.0, -1.0, 100.0), (-1.0, 0.0, 50.0))
    assert retries.abandoned(cohorts, 2.0) == pytest.approx(300.0)
    assert retries.trimmed(cohorts, 2.0) == ((-2.0, -1.0, 100.0), (-1.0, 0.0, 50.0))


def _storm(policy: Retries | None, shed: bool = False, **changes) -> Scenario:
    scenario = Scenario(
        id="storm",
        title="storm",
        duration=150,
        start=(Component("balancer"), Component("web"), Component("web"), Component("primary")),
        settings=Settings(retries=policy, shed=shed),
        traffic=Traffic(
            points=((0, 170.0),),
            spikes=(Spike(30, 30, 1.8),),
            mix=Mix(static=1.0, read=0.0, write=0.0, join=0.0),
        ),
    )
    return dataclasses.replace(scenario, **changes)


def _reports(scenario: Scenario, actions=()):
    sim = Simulation(scenario)
    pending = sorted(actions, key=lambda a: a.tick)
    out = []
    while not sim.done:
        while pending and pending[0].tick == sim.tick:
            assert sim.apply(pending.pop(0)).accepted
        out.append(sim.step())
    return sim, out


def test_every_request_ends_served_or_failed_once():
    for policy, shed in ((Retries("immediate"), False), (Retries("backoff", budget=0.2), False)):
        sim, reports = _reports(_storm(policy, shed, duration=400))
        first = sum(r.rps for r in reports)
        totals = sim.totals
        assert totals.offered == pytest.approx(first + totals.retries)
        assert totals.served + totals.failed_total + _in_flight(sim) == pytest.approx(
            first, rel=1e-9
        )


def _in_flight(sim: Simulation) -> float:
    """User requests not settled yet: queued ones whose clients still wait, and retries on
    their way."""
    queued = sum(
        backlog_of(c) - retries.abandoned(c, sim.scenario.timeout_s)
        for c in sim.state.queues.under("")
    )
    return queued + sim.state.retries.pending()


def test_a_dead_server_strands_its_queue_without_counting_a_client_twice():
    scenario = _storm(
        Retries("immediate"),
        start=(Component("balancer"), Component("web"), Component("primary")),
        incidents=(Incident(70, "web-1"),),
        duration=400,
    )
    scenario = dataclasses.replace(
        scenario, traffic=dataclasses.replace(scenario.traffic, points=((0, 85.0),))
    )
    sim, reports = _reports(scenario)
    assert reports[70].failed_total + reports[70].retried > 0
    first = sum(r.rps for r in reports)
    totals = sim.totals
    assert totals.served + totals.failed_total + _in_flight(sim) == pytest.approx(first, rel=1e-9)


def test_retries_are_real_arrivals_and_the_work_on_gone_clients_is_counted():
    _, reports = _reports(_storm(Retries("immediate")))
    storm = reports[50]
    assert storm.offered > storm.rps * 2  # two retries behind most first attempts
    assert storm.wasted == pytest.approx(200.0)  # the servers are busy, answering nobody
    assert storm.served == pytest.approx(0.0, abs=1e-6)
    tier = next(t for t in storm.tiers if t.name == "web")
    assert tier.offered == pytest.approx(storm.offered)


def test_shedding_ships_mid_storm_and_the_site_comes_back():
    stuck = run(_storm(Retries("immediate")))
    shed = Action(80, "configure", target="balancer", setting="shed", value=True)
    _, reports = _reports(_storm(Retries("immediate")), [shed])
    assert stuck.totals.served < sum(r.served for r in reports)
    assert reports[-1].served == pytest.approx(170.0)
    assert reports[85].failed.get("shed", 0.0) > 0.0
    assert all(r.wasted == 0 for r in reports[81:])


def test_a_client_update_with_a_budget_ends_the_storm():
    update = [
        Action(70, "configure", target="clients", setting="policy", value="backoff"),
        Action(70, "configure", target="clients", setting="budget", value=0.1),
    ]
    _, reports = _reports(_storm(Retries("immediate"), duration=400), update)
    assert reports[140].served == pytest.approx(0.0, abs=1e-6)  # the queue is still draining
    assert reports[-1].served == pytest.approx(170.0)


def test_client_updates_and_shedding_are_refused_where_they_mean_nothing():
    sim = Simulation(_storm(None))
    update = Action(0, "configure", target="clients", setting="policy", value="backoff")
    assert sim.refusal(update) == "the clients of this level do not retry"
    shed = Action(0, "configure", target="balancer", setting="shed", value=True)
    assert sim.refusal(shed) == "this level's servers already drop a request at the timeout"
    sim = Simulation(_storm(Retries("immediate")))
    assert sim.refusal(update) == ""
    assert sim.refusal(shed) == ""
    assert "policy" in sim.refusal(dataclasses.replace(update, value="often"))
    assert sim.refusal(dataclasses.replace(update, setting="budget", value=True))
    assert sim.refusal(dataclasses.replace(update, value="immediate")) == (
        "that is already the setting"
    )


def test_backoff_without_a_budget_spreads_the_storm_but_does_not_end_it():
    update = Action(70, "configure", target="clients", setting="policy", value="backoff")
    _, reports = _reports(_storm(Retries("immediate"), duration=400), [update])
    assert sum(r.served for r in reports[300:]) == pytest.approx(0.0, abs=1e-6)
    # Every attempt still fails, so each first attempt brings its two retries.
    late = reports[300:]
    assert sum(r.retries for r in late) == pytest.approx(2 * sum(r.rps for r in late), rel=0.05)


def test_a_run_with_retries_is_deterministic():
    policy = Retries("backoff", budget=0.2)
    first, second = run(_storm(policy)), run(_storm(policy))
    assert first.scores == second.scores
