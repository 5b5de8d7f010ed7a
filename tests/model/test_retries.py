"""Metastable failure: the engine's retries against a request-by-request simulation (SimPy).

Clients send requests at a rate with a spike; each attempt joins one FIFO queue in front of c
servers. A client waits `CLIENT_TIMEOUT_S` for its attempt to be taken up; then it gives up
and (attempts and budget allowing) retries. The servers do not know: they take the oldest
request, drop it unstarted only once it is older than their own timeout, and otherwise serve
it, even when its client has gone (wasted work). With load shedding the balancer refuses an
attempt at once when the queue already holds more than the timeout's worth of work, and no
work is started for a client that has gone.

The spike takes the site over capacity for 30 s; then first attempts return to 85% of
capacity. Both models must agree that immediate retries keep the site down long after the
spike (every answer comes too late, and the retries keep the load above capacity), and that a
retry budget with backoff, or shedding, brings it back, and roughly when.

Measured (seed 13; the simulation on seeds 1-3 recovered at 178, 183 and 186 s with the budget,
60 s with shedding): share of first attempts answered in 120-240 s with immediate retries,
simulation 0.0000, engine 0.0000; back to 90% answered, backoff with a 10% budget, simulation
174 s, engine 185 s; shedding, 60 s in both (the spike ends at 60 s).
"""

# ruff: noqa: B023  (each run's callbacks close over that run's environment, used only in it)

from __future__ import annotations

import math
import random
from collections import deque

import pytest
import simpy

from game.engine.scenario import Component, Retries, Scenario, Settings
from game.engine.simulation import Simulation
from game.engine.traffic import Mix, Spike, Traffic

SERVERS, MU = 2, 100.0  # two web servers of size S (catalog: 100 req/s each)
BASE_RPS, SPIKE_AT, SPIKE_TICKS, SPIKE_X = 170.0, 30, 30, 1.8
HORIZON = 240
CLIENT_TIMEOUT_S, SERVER_TIMEOUT_S = 2.0, 10.0
SPIKE_END = SPIKE_AT + SPIKE_TICKS

IMMEDIATE = Retries("immediate", 3, server_timeout_s=SERVER_TIMEOUT_S)
BACKOFF_BUDGET = Retries(
    "backoff", 3, base_s=1.0, cap_s=8.0, jitter=True, budget=0.1, server_timeout_s=SERVER_TIMEOUT_S
)


def first_rate(t: float) -> float:
    return BASE_RPS * (SPIKE_X if SPIKE_AT <= t < SPIKE_END else 1.0)


def des_goodput(policy: Retries, shed: bool, seed: int) -> tuple[list[float], list[float]]:
    """Per second: (first attempts, attempts answered in time), from one simulated run."""
    rng = random.Random(seed)
    env = simpy.Environment()
    queue: deque[list] = deque()  # [born, attempt number, started, gave up]
    idle: list[simpy.Event] = []
    first = [0.0] * HORIZON
    good = [0.0] * HORIZON
    tokens = [0.0]  # the retry budget: each first attempt earns `budget` retries
    shed_at = SERVERS * MU * CLIENT_TIMEOUT_S  # queued work worth more than the timeout

    def submit(attempt: int) -> None:
        if attempt == 1:
            first[min(HORIZON - 1, int(env.now))] += 1
            tokens[0] = min(10.0, tokens[0] + policy.budget)
        if shed and len(queue) >= shed_at:
            failed(attempt)  # refused at once: no work is done on it
            return
        entry = [env.now, attempt, False, False]
        queue.append(entry)
        if idle:
            idle.pop().succeed()
        env.timeout(CLIENT_TIMEOUT_S).callbacks.append(lambda _e, x=entry: timed_out(x))

    def timed_out(entry: list) -> None:
        if not entry[2]:
            entry[3] = True
            failed(entry[1])

    def failed(attempt: int) -> None:
        if attempt >= policy.attempts:
            return
        if policy.budget > 0:
            if tokens[0] < 1.0:
                return
            tokens[0] -= 1.0
        if policy.policy == "backoff":
            delay = rng.uniform(0.0, min(policy.cap_s, policy.base_s * 2.0 ** (attempt - 1)))
        else:  # immediate: within the next second (the engine's next tick)
            delay = rng.uniform(0.0, 1.0)
        env.timeout(delay).callbacks.append(lambda _e, n=attempt + 1: submit(n))

    def server():
        while True:
            if not queue:
                wake = env.event()
                idle.append(wake)
                yield wake
                continue
            entry = queue.popleft()
            if env.now - entry[0] > SERVER_TIMEOUT_S:
                continue  # the server's own timeout: dropped unstarted
            if shed and entry[3]:
                continue  # shedding also never starts work whose client has gone
            if not entry[3]:
                entry[2] = True  # taken up in time: its client gets the answer
                good[min(HORIZON - 1, int(env.now))] += 1
            yield env.timeout(rng.expovariate(MU))  # the work is done either way

    def source():
        while env.now < HORIZON:
            gap = rng.expovariate(first_rate(env.now))
            edge = math.floor(env.now) + 1.0
            if env.now + gap > edge:  # the rate changes at whole seconds: redraw from there
                yield env.timeout(edge - env.now)
                continue
            yield env.timeout(gap)
            if env.now < HORIZON:
                submit(1)

    for _ in range(SERVERS):
        env.process(server())
    env.process(source())
    env.run(until=HORIZON)
    return first, good


def engine_goodput(policy: Retries, shed: bool) -> tuple[list[float], list[float]]:
    """Per tick: (first attempts, requests served), from the engine on the same site."""
    scenario = Scenario(
        id="retry-storm-model",
        title="retry storm",
        duration=HORIZON,
        start=(Component("balancer"), Component("web"), Component("web"), Component("primary")),
        settings=Settings(retries=policy, shed=shed),
        traffic=Traffic(
            points=((0, BASE_RPS),),
            spikes=(Spike(SPIKE_AT, SPIKE_TICKS, SPIKE_X),),
            mix=Mix(static=1.0, read=0.0, write=0.0, join=0.0),  # the web tier does it all
        ),
        timeout_s=CLIENT_TIMEOUT_S,
    )
    sim = Simulation(scenario)
    first, good = [], []
    while not sim.done:
        report = sim.step()
        first.append(report.rps)
        good.append(report.served)
    return first, good


def recovered_at(first: list[float], good: list[float], window: int = 5) -> int | None:
    """The first second after the spike from which `window` seconds answer >= 90% of first
    attempts (None: never within the horizon)."""
    for t in range(SPIKE_END, HORIZON - window):
        if sum(good[t : t + window]) >= 0.9 * sum(first[t : t + window]):
            return t
    return None


def share_answered(first: list[float], good: list[float], start: int, end: int) -> float:
    return sum(good[start:end]) / sum(first[start:end])


@pytest.fixture(scope="module")
def runs():
    cases = {
        "immediate": (IMMEDIATE, False),
        "backoff+budget": (BACKOFF_BUDGET, False),
        "shedding": (IMMEDIATE, True),
    }
    return {
        name: (des_goodput(policy, shed, seed=13), engine_goodput(policy, shed))
        for name, (policy, shed) in cases.items()
    }


def test_before_the_spike_both_models_answer_everything(runs):
    for des, engine in runs.values():
        assert share_answered(*des, 5, SPIKE_AT) > 0.99
        assert share_answered(*engine, 5, SPIKE_AT) > 0.99


def test_immediate_retries_keep_the_site_down_after_the_spike(runs):
    des, engine = runs["immediate"]
    # Long after the trigger, first attempts are 85% of capacity, yet almost nothing is
    # answered in time, in both models.
    late = (SPIKE_END + 60, HORIZON)
    assert share_answered(*des, *late) < 0.05
    assert share_answered(*engine, *late) < 0.05
    assert recovered_at(*des) is None
    assert recovered_at(*engine) is None


@pytest.mark.parametrize(
    ("case", "within_s"),
    [("backoff+budget", 15), ("shedding", 5)],
)
def test_a_way_out_recovers_and_both_models_agree_when(runs, case, within_s):
    des, engine = runs[case]
    des_at, engine_at = recovered_at(*des), recovered_at(*engine)
    assert des_at is not None and engine_at is not None
    assert abs(des_at - engine_at) <= within_s, (des_at, engine_at)
    end = (min(HORIZON - 20, max(des_at, engine_at) + 10), HORIZON)
    assert share_answered(*des, *end) > 0.97
    assert share_answered(*engine, *end) > 0.97
