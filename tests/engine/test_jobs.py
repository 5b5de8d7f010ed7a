"""Slow work: the queue's fluid FIFO, jobs done in the requests or by workers, a full queue,
a queue that goes down, the moves and the view."""

from __future__ import annotations

import pytest

from game.engine import catalog, jobs
from game.engine.actions import Action
from game.engine.scenario import Component, Incident, Jobs, RandomFailures, Scenario
from game.engine.scoring import Goal, Objectives
from game.engine.simulation import Simulation, run
from game.engine.traffic import Mix, Traffic
from game.engine.view import JOBS, WORKERS, add_moves, node_moves, preview, site_view

WORK = Jobs(share=0.25, job_s=0.08)  # each job keeps a size-S server busy for 80 ms
STATIC = Mix(static=1.0, read=0.0, write=0.0, join=0.0)  # the web tier does all the work


def site(*extra: Component, web: int = 4, rps: float = 150.0, **kwargs) -> Scenario:
    start = (
        Component("balancer"),
        *(Component("web") for _ in range(web)),
        Component("primary"),
        *extra,
    )
    return Scenario(
        "jobs",
        "jobs",
        kwargs.pop("duration", 60),
        start=start,
        traffic=Traffic(points=((0, rps),), mix=STATIC),
        jobs=kwargs.pop("work", WORK),
        **kwargs,
    )


def workers(n: int) -> tuple[Component, ...]:
    return tuple(Component("worker") for _ in range(n))


# -- the fluid FIFO ---------------------------------------------------------------------------


def test_the_backlog_takes_the_oldest_and_refuses_the_newest():
    backlog = jobs.Backlog()
    backlog.add(0.0, 1.0, 100.0)
    backlog.add(1.0, 2.0, 50.0)
    assert backlog.take_oldest(40.0) == pytest.approx(40.0)
    assert backlog.oldest() == pytest.approx(0.4)  # 40 of 100 spread over the first second
    assert backlog.drop_newest(30.0) == pytest.approx(30.0)
    assert backlog.depth() == pytest.approx(80.0)
    assert backlog.take_oldest(500.0) == pytest.approx(80.0)  # no more than it holds
    assert not backlog and backlog.oldest() is None


def test_a_queue_the_workers_keep_up_with_holds_nothing():
    backlog = jobs.Backlog()
    report = jobs.step(backlog, 5, arrived=30.0, rate=50.0, limit=1000, queued=True)
    assert (report.done, report.depth, report.oldest_s, report.refused) == (30.0, 0.0, 0.0, 0.0)
    assert report.utilization == pytest.approx(0.6)


def test_arrivals_faster_than_the_workers_queue_up_and_age_from_the_first_one_left():
    backlog = jobs.Backlog()
    first = jobs.step(backlog, 0, arrived=100.0, rate=60.0, limit=1000, queued=True)
    # The workers took the first 60 of the second's arrivals: the oldest left came at 0.6 s.
    assert first.depth == pytest.approx(40.0)
    assert first.oldest_s == pytest.approx(0.4)
    second = jobs.step(backlog, 1, arrived=100.0, rate=60.0, limit=1000, queued=True)
    assert second.depth == pytest.approx(80.0)
    assert second.oldest_s == pytest.approx(2.0 - 1.2)  # 120 taken of 200: up to 1.2 s
    assert second.utilization == pytest.approx(100.0 / 60.0)


def test_a_full_queue_refuses_the_jobs_past_its_size_and_only_new_ones():
    backlog = jobs.Backlog()
    backlog.add(0.0, 1.0, 990.0)
    report = jobs.step(backlog, 1, arrived=100.0, rate=50.0, limit=1000, queued=True)
    assert report.refused == pytest.approx(40.0)
    assert report.depth == pytest.approx(1000.0)
    backlog = jobs.Backlog()
    backlog.add(0.0, 1.0, 1500.0)  # more than it may hold (a smaller queue): new jobs only
    report = jobs.step(backlog, 1, arrived=10.0, rate=0.0, limit=1000, queued=True)
    assert report.refused == pytest.approx(10.0) and report.depth == pytest.approx(1500.0)


def test_without_a_queue_the_jobs_are_done_in_the_requests_and_the_backlog_waits():
    backlog = jobs.Backlog()
    backlog.add(0.0, 1.0, 10.0)
    report = jobs.step(backlog, 3, arrived=25.0, rate=100.0, limit=0, queued=False)
    assert report.done == 25.0 and report.depth == pytest.approx(10.0)
    assert report.utilization is None  # no worker can reach the jobs the queue holds


def test_the_job_s_time_is_for_a_size_s_server_and_bigger_ones_are_quicker():
    assert jobs.inline_factor(WORK) == pytest.approx(1 + 0.25 * 0.08 * 100)  # 3x the work
    s, xl = jobs.worker_rate("S", WORK), jobs.worker_rate("XL", WORK)
    assert s == pytest.approx(1 / 0.08)
    web = catalog.KINDS["web"].sizes
    assert xl / s == pytest.approx(web["XL"].capacity / web["S"].capacity)


# -- runs -----------------------------------------------------------------------------------


def test_jobs_done_in_the_requests_take_the_web_tier_over_capacity():
    # 150 req/s on four S servers is 38% busy without jobs; doing them makes it 3x the work.
    inline = run(site())
    web = next(t for t in inline.last.tiers if t.name == "web")
    assert web.utilization == pytest.approx(150 * 3 / 400)
    assert inline.totals.failed.get("timeout_web", 0) > 0
    queued = run(site(Component("queue"), *workers(3)))
    web = next(t for t in queued.last.tiers if t.name == "web")
    assert web.utilization == pytest.approx(150 / 400)
    assert queued.totals.availability == 1.0
    assert queued.scores["latency_ms"] < inline.scores["latency_ms"] / 5


def test_the_workers_drain_the_queue_and_the_score_keeps_the_oldest_job():
    result = run(site(Component("queue"), *workers(2)))  # 25 jobs/s for 37.5 arriving
    last = result.last.jobs
    assert last.rate == pytest.approx(25.0) and last.queued
    assert last.depth == pytest.approx(12.5 * 60)
    assert last.oldest_s == pytest.approx(60 * (1 - 25 / 37.5))
    assert result.scores["job_age_s"] == pytest.approx(last.oldest_s)
    assert result.totals.peak_job_depth == pytest.approx(last.depth)
    assert result.totals.jobs_done == pytest.approx(25.0 * 60)


def test_a_full_queue_fails_the_requests_whose_jobs_it_refuses():
    limit = catalog.KINDS["queue"].items["S"]
    result = run(site(Component("queue"), duration=200))  # no worker: 37.5 jobs/s pile up
    refused = result.totals.failed["queue_full"]
    assert refused == pytest.approx(37.5 * 200 - limit)
    assert result.totals.jobs_refused == pytest.approx(refused)
    assert result.totals.served == pytest.approx(150 * 200 - refused)
    assert "queue_full" in catalog.FAILURE_REASONS


def test_a_queue_that_fails_sends_the_jobs_back_into_the_requests_and_keeps_its_own():
    incidents = (Incident(20, "mq"),)
    scenario = site(Component("queue", id="mq"), *workers(1), incidents=incidents, duration=120)
    sim = Simulation(scenario)
    reports = [sim.step() for _ in range(120)]
    held = reports[19].jobs.depth
    assert held > 0  # one worker (12.5/s) falls behind 37.5 jobs/s
    down = reports[20].jobs
    assert not down.queued and down.depth == pytest.approx(held)
    web = next(t for t in reports[20].tiers if t.name == "web")
    assert web.utilization == pytest.approx(150 * 3 / 400)
    repair = catalog.KINDS["queue"].repair_ticks
    assert reports[20 + repair - 1].jobs.depth == pytest.approx(held)
    assert reports[20 + repair].jobs.queued


def test_random_failures_strike_workers_when_the_level_lists_them():
    failures = RandomFailures(True, mtbf_scale=0.01, kinds=("worker",))
    sim = Simulation(site(Component("queue"), *workers(4), duration=300, failures=failures))
    events = []
    for _ in range(300):
        events += [e for e in sim.step().events if e.kind == "failed"]
    assert events and all(e.component.startswith("worker-") for e in events)


def test_only_a_level_with_jobs_scores_the_oldest_job():
    assert "job_age_s" not in run(site(work=None)).scores
    goals = (Goal("availability", 0.9, 0.95, 0.99), Goal("job_age_s", 60, 30, 10))
    with pytest.raises(ValueError, match="only a level with"):
        site(work=None, objectives=Objectives(goals))
    assert run(site(Component("queue"), *workers(4), objectives=Objectives(goals))).stars == 3


@pytest.mark.parametrize(("share", "job_s"), [(0.0, 0.1), (1.5, 0.1), (0.2, 0.0), (0.2, 61.0)])
def test_jobs_out_of_bounds_are_refused(share, job_s):
    with pytest.raises(ValueError):
        Jobs(share, job_s)


# -- moves and the view ---------------------------------------------------------------------------


def test_queue_and_workers_are_offered_only_where_requests_carry_jobs():
    kinds = {m.action.kind for m in add_moves(Simulation(site(work=None)))}
    assert not kinds & set(catalog.JOB_KINDS)
    plain = Simulation(site(work=None))
    assert "no slow work" in plain.refusal(Action(0, "add", kind="queue", size="S"))
    offered = {m.action.kind for m in add_moves(Simulation(site()))}
    assert set(catalog.JOB_KINDS) <= offered
    move = preview(Simulation(site()), Action(0, "add", kind="worker", size="M"))
    assert move.allowed and move.cost_change == catalog.KINDS["worker"].sizes["M"].cost
    assert move.ready_in == catalog.KINDS["worker"].boot_ticks


def test_a_queue_holding_jobs_cannot_be_removed():
    sim = Simulation(site(Component("queue", id="mq")))
    remove = Action(0, "remove", target="mq")
    assert sim.refusal(remove) == ""
    sim.step()
    assert "still holds jobs" in sim.refusal(remove)
    moves = {m.action.verb: m for m in node_moves(sim, "mq")}
    assert not moves["remove"].allowed
    assert {m.action.size for m in node_moves(sim, "mq") if m.action.verb == "resize"} == {"M", "L"}


def test_the_view_shows_depth_oldest_job_and_the_workers_load():
    sim = Simulation(site(Component("queue", "M"), *workers(2)))
    view = site_view(sim)
    assert view.jobs is not None and view.jobs.depth == 0.0
    assert view.jobs.limit == catalog.KINDS["queue"].items["M"]
    for _ in range(10):
        sim.step()
    view = site_view(sim)
    assert view.jobs.depth == pytest.approx(125.0)
    assert view.jobs.oldest_s == pytest.approx(10 * (1 - 25 / 37.5))
    assert view.jobs.utilization == pytest.approx(37.5 / 25)
    worker = view.of_kind("worker")[0]
    assert worker.unit == JOBS and worker.full_capacity == pytest.approx(12.5)
    assert worker.in_rotation and worker.utilization == pytest.approx(37.5 / 25)
    queue = view.of_kind("queue")[0]
    assert queue.keys == catalog.KINDS["queue"].items["M"] and queue.unit == ""
    # The workers are the busiest: the advice says so, and offers one more.
    assert view.advice is not None and view.advice.tier == WORKERS
    assert [a.kind for a in view.advice.remedies] == ["worker"]
    assert site_view(Simulation(site(work=None))).jobs is None


def test_a_web_tier_doing_the_jobs_is_advised_a_queue():
    sim = Simulation(site(web=2, rps=70.0))
    sim.step()
    advice = site_view(sim).advice
    assert advice is not None and advice.tier == "web"
    assert any(a.verb == "add" and a.kind == "queue" for a in advice.remedies)
