"""The message queue: the engine's fluid queue of jobs against a job-by-job simulation (SimPy).

Requests arrive at a rate with a spike; a share of them brings a job (Poisson arrivals at
share x rate). A job joins one FIFO queue holding at most the queue's size (a job arriving to a
full queue is refused); the size-S workers each run one job at a time, exponential with the
mean the engine gives a job on a size-S server. At the end of every second the simulation notes
the jobs in the queue (waiting or being run) and how long the oldest of them has waited, and
these are averaged over RUNS seeded runs. The engine runs the same site: a balancer, web servers
that keep up, a queue of size S and the same workers.

The tolerance, and why. The engine's queue is fluid: the mean path of the simulated one. Where
the queue is far from empty and from full the two should differ by the simulation's noise
alone (RUNS runs: a few jobs); there the depth is held within 15 jobs. Where the queue empties
(or fills) the simulated runs do so over a spread of seconds, and their mean stays above the
fluid path by up to about 0.4 x sqrt(jobs arrived and done since the queue began to grow),
the mean of a random walk held at zero: here 0.4 x sqrt(16,700) = 52 jobs. So the depth is
held within 60 jobs at every second, the second the queue empties within 3 s of the
simulation's median run, the oldest job's age within 2 s at every second, and a full queue's
refusals within 3% of the simulated total.

Measured (RUNS = 60, seeds 1-60): spike case (5 workers, 150 req/s tripled for 45 s; the queue
peaks at 2,250 jobs in the engine, 2,255 in the simulation, and its oldest job at 36.0 s and
35.5 s): largest depth gap where the queue is far from empty 11 jobs; largest anywhere 57 jobs,
at second 164, as the queue empties (the engine's empties at 164, the median run's at 164.5);
largest age gap 1.6 s. Full-queue case (4 workers, the rush lasting 100 s): largest depth gap
37 jobs, as the queue reaches its size; refused 1,251 simulated vs 1,250 in the engine.
"""

# ruff: noqa: B023  (each run's callbacks close over that run's environment, used only in it)

from __future__ import annotations

import math
import random
import statistics
from collections import deque

import pytest
import simpy

from game.engine import catalog, jobs
from game.engine.scenario import Component, Jobs, Scenario
from game.engine.simulation import Simulation
from game.engine.traffic import Mix, Spike, Traffic

SHARE, JOB_S = 0.25, 0.08  # a quarter of the requests bring a job of 80 ms on a size-S server
BASE_RPS, SPIKE_X = 150.0, 3.0
RUNS = 60
SPIKE = {"spike": (30, 45), "full": (30, 100)}  # start and length of each case's spike
WORKERS = {"spike": 5, "full": 4}
HORIZON = {"spike": 240, "full": 240}
LIMIT = catalog.KINDS["queue"].items["S"]
FAR = 200  # jobs from empty and from full: where only the simulation's noise may differ
JOB_RATE = 1.0 / jobs.worker_rate("S", Jobs(SHARE, JOB_S))  # mean seconds a worker runs a job


def rate(case: str, t: float) -> float:
    start, length = SPIKE[case]
    return SHARE * BASE_RPS * (SPIKE_X if start <= t < start + length else 1.0)


def des_queue(case: str, seed: int) -> tuple[list[float], list[float], float]:
    """Per second (at its end): jobs in the queue and the oldest one's age; and jobs refused."""
    rng = random.Random(seed)
    env = simpy.Environment()
    horizon = HORIZON[case]
    queue: deque[float] = deque()  # arrival times of the jobs waiting
    running: list[float] = []  # arrival times of the jobs being run
    idle: list[simpy.Event] = []
    depth, age = [0.0] * horizon, [0.0] * horizon
    refused = [0]

    def arrive() -> None:
        if len(queue) + len(running) >= LIMIT:
            refused[0] += 1
            return
        queue.append(env.now)
        if idle:
            idle.pop().succeed()

    def worker():
        while True:
            if not queue:
                wake = env.event()
                idle.append(wake)
                yield wake
                continue
            born = queue.popleft()
            running.append(born)
            yield env.timeout(rng.expovariate(1.0 / JOB_RATE))
            running.remove(born)

    def source():
        while env.now < horizon:
            gap = rng.expovariate(rate(case, env.now))
            edge = math.floor(env.now) + 1.0
            if env.now + gap > edge:  # the rate changes at whole seconds: redraw from there
                yield env.timeout(edge - env.now)
                continue
            yield env.timeout(gap)
            arrive()

    def observer():  # at the end of each second, as the engine reports its ticks
        for t in range(horizon):
            yield env.timeout(1.0)
            depth[t] = float(len(queue) + len(running))
            oldest = min(running, default=queue[0] if queue else None)
            if queue and oldest is not None:
                oldest = min(oldest, queue[0])
            age[t] = env.now - oldest if oldest is not None else 0.0

    for _ in range(WORKERS[case]):
        env.process(worker())
    env.process(source())
    env.process(observer())
    env.run(until=horizon + 0.5)
    return depth, age, float(refused[0])


def engine_queue(case: str) -> tuple[list[float], list[float], float]:
    """Per tick: the engine's queue depth and oldest job's age, and the jobs it refused."""
    start, length = SPIKE[case]
    web = tuple(Component("web") for _ in range(8))  # 450 req/s at the spike: 56% busy
    workers = tuple(Component("worker") for _ in range(WORKERS[case]))
    scenario = Scenario(
        id="queue-model",
        title="queue",
        duration=HORIZON[case],
        start=(Component("balancer"), *web, Component("primary"), Component("queue"), *workers),
        traffic=Traffic(
            points=((0, BASE_RPS),),
            spikes=(Spike(start, length, SPIKE_X),),
            mix=Mix(static=1.0, read=0.0, write=0.0, join=0.0),  # the web tier does it all
        ),
        jobs=Jobs(SHARE, JOB_S),
    )
    sim = Simulation(scenario)
    depth, age, refused = [], [], 0.0
    while not sim.done:
        report = sim.step()
        assert report.jobs is not None and report.jobs.queued
        depth.append(report.jobs.depth)
        age.append(report.jobs.oldest_s)
        refused += report.jobs.refused
    return depth, age, refused


def simulated(case: str) -> tuple[list[float], list[float], float, float]:
    """The runs' mean depth and oldest age per second, mean refusals, and the median second
    their queue empties after the spike."""
    runs = [des_queue(case, seed) for seed in range(1, RUNS + 1)]
    n = HORIZON[case]
    depth = [statistics.fmean(r[0][t] for r in runs) for t in range(n)]
    age = [statistics.fmean(r[1][t] for r in runs) for t in range(n)]
    refused = statistics.fmean(r[2] for r in runs)
    return depth, age, refused, statistics.median(emptied(r[0], case) for r in runs)


def emptied(depth: list[float], case: str) -> float:
    """The first second after the spike that ends with (almost) no job in the queue (the
    horizon: none does)."""
    start, length = SPIKE[case]
    return next((t for t in range(start + length, len(depth)) if depth[t] < 10), len(depth))


@pytest.fixture(scope="module")
def spike():
    return simulated("spike"), engine_queue("spike")


@pytest.fixture(scope="module")
def full():
    return simulated("full"), engine_queue("full")


def test_the_spike_queues_thousands_of_jobs_in_both_models(spike):
    (des_depth, des_age, des_refused, _), (depth, age, refused) = spike
    assert max(des_depth) > 2000 and max(depth) > 2000
    assert max(des_age) > 30 and max(age) > 30
    assert des_refused == refused == 0  # the queue holds it all
    start, _ = SPIKE["spike"]
    # Before the spike, and once the workers have caught up, the queue is (almost) empty.
    assert max(depth[:start]) == 0.0 and max(des_depth[:start]) < 10
    assert depth[-1] == 0.0 and des_depth[-1] < 10


def test_depth_and_oldest_age_follow_the_simulation_at_every_second(spike):
    (des_depth, des_age, _, des_empty), (depth, age, _) = spike
    gaps = [abs(a - b) for a, b in zip(des_depth, depth)]
    far = [g for g, d in zip(gaps, depth) if FAR < d < LIMIT - FAR]
    assert len(far) > 100  # most of the spike and the drain
    assert max(far) < 15, max(far)
    assert max(gaps) < 60, max(gaps)
    assert max(abs(a - b) for a, b in zip(des_age, age)) < 2.0
    assert abs(emptied(depth, "spike") - des_empty) <= 3
    # The peaks come at the same second, give or take one.
    assert abs(des_depth.index(max(des_depth)) - depth.index(max(depth))) <= 1


def test_a_full_queue_refuses_as_many_jobs_as_the_simulation(full):
    (des_depth, _, des_refused, _), (depth, _, refused) = full
    assert max(depth) == pytest.approx(LIMIT)
    assert max(des_depth) > LIMIT - 5
    assert des_refused > 1000
    assert refused == pytest.approx(des_refused, rel=0.03)
    assert max(abs(a - b) for a, b in zip(des_depth, depth)) < 60
