"""One tier of c servers against the reference numbers in model.md section 1."""

import math
from decimal import Decimal, localcontext

import pytest

from game.engine.latency import Dist
from game.engine.queueing import (
    erlang_c,
    mmc_response,
    random_split_response,
    round_robin_response,
    round_robin_sigma,
)
from game.engine.tiers import Group, Queues, serve

MU = 100.0

# c, lambda, P(wait), mean wait ms, mean T ms, p50, p95, p99 ms: the formula column of model.md.
REFERENCE_TABLE = [
    (1, 50.0, 0.500, 10.0, 20.0, 13.9, 59.9, 92.1),
    (1, 80.0, 0.800, 40.0, 50.0, 34.7, 149.8, 230.0),
    (4, 300.0, 0.5094, 5.09, 15.09, 11.56, 41.28, 60.06),
    (8, 700.0, 0.635, 6.35, 16.35, 12.9, 43.2, 62.0),
    (16, 1500.0, 0.730, 7.30, 17.30, 14.0, 44.4, 63.3),
]


@pytest.mark.parametrize("row", REFERENCE_TABLE, ids=lambda row: f"c={row[0]},lam={row[1]:g}")
def test_reference_table(row: tuple) -> None:
    c, lam, waits, mean_wait_ms, mean_ms, p50, p95, p99 = row
    assert erlang_c(c, lam / MU) == pytest.approx(waits, rel=0.01)
    assert 1000 * erlang_c(c, lam / MU) / (c * MU - lam) == pytest.approx(mean_wait_ms, rel=0.01)
    response = mmc_response(c, MU, lam)
    assert 1000 * response.mean() == pytest.approx(mean_ms, rel=0.01)
    for q, expected_ms in ((0.5, p50), (0.95, p95), (0.99, p99)):
        assert 1000 * response.percentile(q) == pytest.approx(expected_ms, rel=0.01)


@pytest.mark.parametrize("lam", [10.0, 50.0, 80.0, 99.0])
def test_mm1_closed_forms(lam: float) -> None:
    response = mmc_response(1, MU, lam)
    assert erlang_c(1, lam / MU) == pytest.approx(lam / MU, rel=1e-12)
    for q, factor in ((0.5, math.log(2)), (0.95, math.log(20)), (0.99, math.log(100))):
        assert response.percentile(q) == pytest.approx(factor / (MU - lam), rel=1e-8)
    assert round_robin_response(1, MU, lam).percentile(0.99) == pytest.approx(
        math.log(100) / (MU - lam), rel=1e-8
    )


@pytest.mark.parametrize("c, lam", [(4, 250.0), (2, 199.0), (16, 1000.0), (4, 299.9999)])
def test_mmc_response_matches_the_model_survival_formula(c: int, lam: float) -> None:
    waits, theta = erlang_c(c, lam / MU), c * MU - lam
    response = mmc_response(c, MU, lam)
    for t in (0.001, 0.01, 0.03, 0.06, 0.1):
        survival = (1 - waits) * math.exp(-MU * t) + waits * (
            theta * math.exp(-MU * t) - MU * math.exp(-theta * t)
        ) / (theta - MU)
        assert response.cdf(t) == pytest.approx(1 - survival, abs=1e-9)


@pytest.mark.parametrize("c, lam", [(1, 0.0), (4, 300.0), (8, 700.0), (16, 1500.0)])
def test_mmc_response_when_theta_equals_mu(c: int, lam: float) -> None:
    """Every reference row has theta = c*mu - lam = mu: model.md's (1 + mu*t) special case."""
    waits = erlang_c(c, lam / MU)
    response = mmc_response(c, MU, lam)
    for t in (0.001, 0.01, 0.03, 0.06, 0.1):
        survival = (1 - waits) * math.exp(-MU * t) + waits * math.exp(-MU * t) * (1 + MU * t)
        assert response.cdf(t) == pytest.approx(1 - survival, abs=1e-14)


def test_erlang_c_edges() -> None:
    assert erlang_c(4, 0.0) == 0.0
    big = erlang_c(1000, 990.0)
    assert 0.0 < big < 1.0 and math.isfinite(big)
    assert erlang_c(3, 2.9999) == pytest.approx(1.0, abs=1e-3)


def test_balancer_example() -> None:
    """c=2, mu=100, lam=160: round-robin, shared queue and random choice (p50/p95/p99 ms)."""
    cases = {
        round_robin_response: (26.6, 115.2, 177.0),
        mmc_response: (20.4, 79.1, 119.4),
        random_split_response: (34.7, 149.8, 230.3),
    }
    for response, expected in cases.items():
        dist = response(2, MU, 160.0)
        for q, expected_ms in zip((0.5, 0.95, 0.99), expected):
            assert 1000 * dist.percentile(q) == pytest.approx(expected_ms, rel=0.01)


@pytest.mark.parametrize(
    "c, lam",
    [(1, 50.0), (2, 160.0), (4, 399.0), (10, 999.999), (1000, 50_000.0), (1000, 99_999.9)],
)
def test_round_robin_sigma_solves_its_equation(c: int, lam: float) -> None:
    """Against a 50-digit bisection; 1 - sigma (which sets the response rate) to 1e-9."""
    with localcontext() as context:
        context.prec = 50
        lam_, mu_ = Decimal(lam), Decimal(MU)
        lo, hi = Decimal(0), Decimal(1)  # x = 1 - sigma; h(x) = 1 - x - (1 + mu*x/lam)^-c
        for _ in range(120):
            mid = (lo + hi) / 2
            if 1 - mid - (1 + mu_ * mid / lam_) ** -c > 0:
                lo = mid
            else:
                hi = mid
        exact_escape = float(lo)
    sigma = round_robin_sigma(c, MU, lam)
    assert 0.0 <= sigma < 1.0
    assert 1 - sigma == pytest.approx(exact_escape, rel=1e-9)
    residual = sigma - (lam / (lam + MU * (1 - sigma))) ** c
    assert abs(residual) < 1e-12


def test_round_robin_sigma_reduces_to_utilisation_for_one_server() -> None:
    assert round_robin_sigma(1, MU, 80.0) == pytest.approx(0.8, rel=1e-12)
    assert round_robin_sigma(5, MU, 0.0) == 0.0


def test_round_robin_sits_between_shared_queue_and_random() -> None:
    for c, lam in ((2, 160.0), (8, 700.0), (100, 9500.0)):
        p99 = [f(c, MU, lam).percentile(0.99) for f in (mmc_response, round_robin_response)]
        assert p99[0] < p99[1] < random_split_response(c, MU, lam).percentile(0.99)


def test_random_split_is_c_mm1_queues() -> None:
    assert random_split_response(4, MU, 300.0) == Dist.exponential(25.0)


def test_a_steady_shared_queue_times_out_the_waits_beyond_the_timeout() -> None:
    """Arrivals whose M/M/c wait exceeds the timeout fail: a share C * exp(-theta * timeout)
    (the tier computes it on its 1% shape grid)."""
    c, lam = 4, 300.0
    waits = erlang_c(c, lam / MU)
    group = [Group("web:pool", c, MU, 1.0)]
    for timeout_s, share in ((0.0, waits), (0.01, waits * math.exp(-1.0)), (math.inf, 0.0)):
        outcome = serve(Queues(), group, lam, timeout_s)
        assert outcome.dropped == pytest.approx(lam * share, rel=0.02, abs=1e-12)
        assert outcome.served + outcome.dropped == pytest.approx(lam)


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang_c(0, 0.5),
        lambda: erlang_c(2, 2.0),
        lambda: erlang_c(2, -1.0),
        lambda: mmc_response(4, MU, 400.0),
        lambda: mmc_response(4, 0.0, 10.0),
        lambda: round_robin_sigma(2, MU, 200.0),
        lambda: round_robin_response(0, MU, 10.0),
        lambda: random_split_response(2, MU, 250.0),
    ],
)
def test_out_of_domain_input_raises(call) -> None:
    with pytest.raises(ValueError):
        call()
