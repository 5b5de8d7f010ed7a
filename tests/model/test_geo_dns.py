"""Geo-DNS during a region outage, request by request (SimPy), against regions.py.

Resolvers each take Poisson requests from their users and look the site up on demand: a request
finding no answer, or one older than the TTL, asks DNS, which names the nearest data centre up
at that moment, and the answer is kept for the TTL. After warm-up the eu data centre dies; a
request sent by a cached answer to it fails. The engine says a share max(0, 1 - s / TTL) of the
region's requests fail s seconds after (for a resolver idle a mean 1 / rate between answers the
exact share is TTL / (TTL + 1 / rate) of that, 0.968 here), and that a failover to the other
region's replica loses write rate x cross-region lag."""

# ruff: noqa: B023  (the processes close over this run's environment, used only in it)

from __future__ import annotations

import random

import pytest
import simpy

from game.engine import catalog, regions
from game.engine.regions import GeoDns, Region

from .des import lost_writes

TTL = float(catalog.DNS_TTL_S)
RESOLVERS, RATE = 4000, 0.5  # 2,000 requests a second from the eu region
FAIL_AT = TTL / 2  # the resolvers start in their steady state
AFTER = int(TTL) + 20  # seconds watched after the failure
WINDOW = 10  # seconds compared at a time
EU = Region("eu", 1.0, {"eu": 0.020, "us": 0.110})


def _outage(seed: int) -> tuple[list[int], list[int]]:
    """Requests and failed requests in each second after the failure."""
    env = simpy.Environment()
    rng = random.Random(seed)
    sent = [0] * AFTER
    failed = [0] * AFTER

    def resolver():
        # start in the steady state: holding an answer a share TTL / (TTL + 1 / RATE) of the
        # time, of an age spread evenly over the TTL; otherwise waiting for a request
        answer, expires = "", -1.0
        if rng.random() < TTL / (TTL + 1.0 / RATE):
            answer, expires = "eu", rng.uniform(0.0, TTL)
        while env.now < FAIL_AT + AFTER:
            yield env.timeout(rng.expovariate(RATE))
            now = env.now
            if now >= expires:
                answer, expires = ("us" if now >= FAIL_AT else "eu"), now + TTL
            if now >= FAIL_AT and now < FAIL_AT + AFTER:
                k = int(now - FAIL_AT)
                sent[k] += 1
                failed[k] += answer == "eu"

    for _ in range(RESOLVERS):
        env.process(resolver())
    env.run()
    return sent, failed


@pytest.fixture(scope="module")
def outage() -> tuple[list[int], list[int]]:
    return _outage(seed=13)


def test_the_requests_failing_after_an_outage_follow_the_ttl_line(outage):
    sent, failed = outage
    dns = GeoDns((EU,), built={"eu", "us"})
    dns.fail("eu", FAIL_AT)
    engine = [dns.routes(FAIL_AT + k)[0].failed for k in range(AFTER)]
    idle = TTL / (TTL + 1.0 / RATE)  # the share of time a resolver holds an answer
    for start in range(0, AFTER, WINDOW):
        window = slice(start, start + WINDOW)
        simulated = sum(failed[window]) / sum(sent[window])
        predicted = idle * sum(engine[window]) / WINDOW
        # 4,000 resolvers' expiry times (sd <= 0.008) and 20,000 requests a window (<= 0.004)
        assert simulated == pytest.approx(predicted, abs=0.025), start
    assert sum(engine) == pytest.approx(TTL / 2)
    total = sum(failed) / (sum(sent) / AFTER)  # seconds of the region's traffic lost
    assert total == pytest.approx(idle * TTL / 2, rel=0.03)


def test_a_region_failover_loses_the_writes_within_the_cross_region_lag():
    """The cross-region replica applies quickly (no backlog): the loss is w x lag."""
    writes = 200.0
    simulated, _ = lost_writes(writes, 5000.0, catalog.CROSS_REGION_LAG_S, 30.0, 40, seed=7)
    assert regions.failover_lost_writes(writes) == pytest.approx(simulated, rel=0.05)
