"""Least connections as join-the-shortest-queue: against the exact chain and a simulation."""

from __future__ import annotations

import math

import pytest

from game.engine.jsq import jsq_response, jsq_wait_probability
from game.engine.queueing import erlang_c, mmc_response

from .des import jsq_response_times, quantile
from .jsq_chain import response_percentile, shortest_queue_seen

MU = 100.0


def _levels(rho: float) -> int:
    """Enough total requests that the cut holds under 1e-12 of the mass."""
    return int(28 / -math.log(rho)) + 10


@pytest.mark.parametrize(
    "c, rho", [(2, 0.5), (2, 0.8), (2, 0.95), (3, 0.7), (3, 0.9), (4, 0.5), (4, 0.75), (4, 0.9)]
)
def test_percentiles_agree_with_the_exact_chain(c, rho):
    seen = shortest_queue_seen(c, rho, levels=_levels(rho), spread=6)
    model = jsq_response(c, MU, rho * c * MU)
    for q in (0.5, 0.95, 0.99):
        exact = response_percentile(seen, MU, q)
        assert model.percentile(q) == pytest.approx(exact, rel=0.02), q


@pytest.mark.parametrize("c, rho", [(2, 0.8), (3, 0.9), (4, 0.75), (5, 0.9)])
def test_wait_probability_agrees_with_the_exact_chain(c, rho):
    seen = shortest_queue_seen(c, rho, levels=_levels(rho), spread=6)
    assert jsq_wait_probability(c, MU, rho * c * MU) == pytest.approx(1 - seen[0], rel=0.02)


def test_the_tail_is_longer_than_one_shared_queue_by_what_model_md_says():
    for c, rho, more in ((3, 0.9, 0.10), (4, 0.75, 0.20)):
        lam = rho * c * MU
        ratio = jsq_response(c, MU, lam).percentile(0.99) / mmc_response(c, MU, lam).percentile(
            0.99
        )
        assert ratio == pytest.approx(1 + more, abs=0.02)


@pytest.mark.parametrize("c, rho, requests", [(4, 0.75, 250_000), (16, 0.9, 200_000)])
def test_percentiles_agree_with_a_simulation(c, rho, requests):
    lam = rho * c * MU
    times = jsq_response_times(c, MU, lam, requests, seed=7)
    model = jsq_response(c, MU, lam)
    shared = mmc_response(c, MU, lam)
    for q in (0.95, 0.99):
        simulated = quantile(times, q)
        assert model.percentile(q) == pytest.approx(simulated, rel=0.05)
        assert shared.percentile(q) < 0.9 * simulated  # what the engine uses today misses


def test_one_server_is_mm1_and_an_idle_pool_never_waits():
    assert jsq_wait_probability(1, MU, 60.0) == pytest.approx(0.6)
    assert jsq_response(1, MU, 60.0).percentile(0.99) == pytest.approx(4.60517 / 40, rel=1e-4)
    assert jsq_wait_probability(8, MU, 0.0) == 0.0


def test_waits_less_often_than_a_shared_queue_but_below_one():
    for c in (2, 8, 32, 64, 200):
        for rho in (0.3, 0.8, 0.97):
            p = jsq_wait_probability(c, MU, rho * c * MU)
            assert 0 <= p <= erlang_c(c, rho * c) + 1e-12


def test_refuses_an_unstable_pool():
    with pytest.raises(ValueError):
        jsq_response(3, MU, 300.0)
    with pytest.raises(ValueError):
        jsq_wait_probability(0, MU, 1.0)


def test_ciw_agrees_with_the_exact_chain_and_tells_jsq_from_a_shared_queue():
    """A second simulator (Ciw, its own least-connections router counting the request in
    service), three seeds x 20,000 requests at c = 4, rho = .75: the mean response time and the
    share of requests that wait agree with the exact chain within 3 standard errors, and are
    far from one shared queue's (the engine's old model). The engine, run through a scenario,
    has the chain's mean within 1%."""
    from game.engine.scenario import Settings
    from game.engine.simulation import run

    from ..engine.scenarios import STATIC_ONLY, build, scenario
    from . import ciw_runs

    c, rho = 4, 0.75
    lam = rho * c * MU
    seen = shortest_queue_seen(c, rho, levels=_levels(rho), spread=6)
    exact_mean = sum(p * (j + 1) / MU for j, p in seen.items())
    shared_mean = mmc_response(c, MU, lam).mean()
    means, waited = [], []
    for seed in (1, 2, 3):
        times, waits = ciw_runs.jsq_samples(c, MU, lam, 20_000, seed=seed, warm=2_000)
        means.append(ciw_runs.batch_mean(times))
        waited.append(ciw_runs.batch_mean(waits))
    mean = sum(m for m, _ in means) / 3
    error = math.sqrt(sum(e * e for _, e in means)) / 3
    assert abs(mean - exact_mean) < 3 * error
    assert abs(mean - shared_mean) > 6 * error
    share = sum(m for m, _ in waited) / 3
    share_error = math.sqrt(sum(e * e for _, e in waited)) / 3
    assert abs(share - (1 - seen[0])) < 3 * share_error
    assert abs(share - erlang_c(c, rho * c)) > 6 * share_error
    start = build("balancer", *["web"] * c, "primary")
    settings = Settings(balancer="least_connections")
    engine = run(scenario(start, rps=lam, mix=STATIC_ONLY, settings=settings))
    assert engine.totals.latency.mean() == pytest.approx(exact_mean, rel=0.01)
