"""Latency distributions and the run histogram (model.md section 2)."""

import math
from decimal import Decimal, localcontext

import pytest

from game.engine.histogram import BUCKETS_PER_DECADE, HISTOGRAM_MIN_S, LatencyHistogram
from game.engine.latency import MAX_COMPONENTS, Dist
from game.engine.overload import response
from game.engine.queueing import mmc_response
from game.engine.report import TickReport, Totals

TIMES = [0.001 * k for k in range(1, 300, 7)]  # 1 ms .. 0.3 s


def exact_hypoexponential_survival(rates: tuple[float, ...], t: float) -> float:
    """sum_i prod_{j!=i} r_j/(r_j-r_i) * exp(-r_i t) for distinct rates, in 80-digit arithmetic.

    The float version of this formula cancels catastrophically for near-equal rates; with 80
    digits it is an exact reference for them.
    """
    with localcontext() as context:
        context.prec = 80
        exact = [Decimal(r) for r in rates]
        total = Decimal(0)
        for i, r_i in enumerate(exact):
            coefficient = Decimal(1)
            for j, r_j in enumerate(exact):
                if j != i:
                    coefficient *= r_j / (r_j - r_i)
            total += coefficient * (-r_i * Decimal(t)).exp()
        return float(total)


def hypoexponential(*rates: float) -> Dist:
    return Dist(((1.0, 0.0, tuple(rates)),))


# --- construction -------------------------------------------------------------------------


def test_construction_normalises_sorts_and_merges() -> None:
    dist = Dist(((2.0, 0.0, (250.0, 100.0)), (1.0, 0.0, (100.0, 250.0)), (1.0, 0.5, ())))
    assert dist.components == ((0.75, 0.0, (100.0, 250.0)), (0.25, 0.5, ()))


def test_equal_distributions_hash_equal_and_key_a_dict() -> None:
    a = mmc_response(4, 100.0, 300.0).shifted(0.001)
    b = mmc_response(4, 100.0, 300.0).shifted(0.001)
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1


def test_negligible_components_are_dropped() -> None:
    dist = Dist.mixture([(1.0, Dist.exponential(100.0)), (1e-14, Dist.point(5.0))])
    assert dist.components == ((1.0, 0.0, (100.0,)),)
    assert dist == Dist.mixture([(3.0, Dist.exponential(100.0)), (0.0, Dist.point(5.0))])


@pytest.mark.parametrize(
    "components",
    [
        ((-1.0, 0.0, (1.0,)),),
        ((1.0, -0.1, (1.0,)),),
        ((1.0, 0.0, (0.0,)),),
        ((1.0, 0.0, (math.nan,)),),
        ((1.0, 0.0, (math.inf,)),),
        ((0.0, 0.0, (1.0,)),),
        (),
    ],
)
def test_invalid_components_are_rejected(components: tuple) -> None:
    with pytest.raises(ValueError):
        Dist(components)


def test_component_count_stays_bounded_and_keeps_the_mean() -> None:
    backlog = response(tuple(0.1 + 0.1 * (i + 0.5) for i in range(8)), 100.0)  # 8 waits
    path = backlog.convolve(backlog).convolve(mmc_response(4, 100.0, 300.0))
    path = path.convolve(mmc_response(2, 250.0, 300.0))  # 8*8*2*2 = 256 before reduction
    assert len(path.components) <= MAX_COMPONENTS
    expected_mean = 2 * backlog.mean() + mmc_response(4, 100.0, 300.0).mean()
    expected_mean += mmc_response(2, 250.0, 300.0).mean()
    assert path.mean() == pytest.approx(expected_mean, rel=1e-12)
    assert math.isclose(sum(w for w, _, _ in path.components), 1.0, rel_tol=1e-12)


# --- CDF: closed forms and near-equal rates -------------------------------------------------


def test_exponential_and_point() -> None:
    exp = Dist.exponential(50.0)
    for t in TIMES:
        assert exp.cdf(t) == pytest.approx(-math.expm1(-50.0 * t), abs=1e-15)
    assert exp.percentile(0.5) == pytest.approx(math.log(2) / 50.0, rel=1e-9)
    assert exp.percentile(0.99) == pytest.approx(math.log(100) / 50.0, rel=1e-9)
    rtt = Dist.point(0.0005)
    assert rtt.cdf(0.0004999) == 0.0 and rtt.cdf(0.0005) == 1.0
    assert rtt.percentile(0.99) == pytest.approx(0.0005, rel=1e-9)


@pytest.mark.parametrize("k", [2, 3])
def test_erlang_cdf(k: int) -> None:
    """Equal rates are an Erlang block: P(T <= t) = 1 - exp(-rt) * sum_{j<k} (rt)^j/j!."""
    erlang = hypoexponential(*[100.0] * k)
    for t in TIMES:
        x = 100.0 * t
        expected = 1.0 - math.exp(-x) * sum(x**j / math.factorial(j) for j in range(k))
        assert erlang.cdf(t) == pytest.approx(expected, abs=1e-14)


def test_erlang_by_convolution() -> None:
    assert Dist.exponential(100.0).convolve(Dist.exponential(100.0)) == hypoexponential(100, 100)


def test_two_distinct_rates() -> None:
    a, b = 100.0, 250.0
    dist = Dist.exponential(a).convolve(Dist.exponential(b))
    for t in TIMES:
        expected = 1.0 - (b * math.exp(-a * t) - a * math.exp(-b * t)) / (b - a)
        assert dist.cdf(t) == pytest.approx(expected, abs=1e-14)


def test_erlang_block_next_to_a_distinct_rate() -> None:
    """Exp(r) + Exp(r) + Exp(s) against its partial fractions, worked by hand."""
    r, s = 100.0, 250.0
    dist = hypoexponential(r, r, s)
    for t in TIMES:
        survival = (
            s / (s - r) * math.exp(-r * t) * (1.0 + r * t)
            - s * r / (s - r) ** 2 * math.exp(-r * t)
            + (r / (s - r)) ** 2 * math.exp(-s * t)
        )
        assert dist.cdf(t) == pytest.approx(1.0 - survival, abs=1e-14)


@pytest.mark.parametrize("gap", [1e-12, 1e-9, 1e-6, 1e-5, 1e-4, 2e-4, 1e-3, 1e-2, 0.1])
@pytest.mark.parametrize("others", [(), (250.0,), ("chain",)])
def test_near_equal_rates_stay_accurate(gap: float, others: tuple) -> None:
    """Rates that nearly coincide (100, 100.0001, 250, ...) against 80-digit arithmetic."""
    rates = [100.0, 100.0 * (1 + gap)]
    if others == ("chain",):
        rates.append(100.0 * (1 + 2 * gap))
    else:
        rates.extend(others)
    dist = hypoexponential(*rates)
    errors = [1.0 - dist.cdf(t) - exact_hypoexponential_survival(tuple(rates), t) for t in TIMES]
    assert max(map(abs, errors)) < 3e-8


def test_the_brief_example_100_100_0001_250() -> None:
    rates = (100.0, 100.0001, 250.0)
    dist = hypoexponential(*rates)
    for t in TIMES:
        assert 1.0 - dist.cdf(t) == pytest.approx(
            exact_hypoexponential_survival(rates, t), abs=1e-12
        )


# --- means, mixtures, convolution ---------------------------------------------------------


def test_means_add_and_mix() -> None:
    web = mmc_response(4, 100.0, 300.0)
    db = mmc_response(2, 250.0, 300.0)
    assert web.convolve(db).mean() == pytest.approx(web.mean() + db.mean(), rel=1e-12)
    assert web.shifted(0.002).mean() == pytest.approx(web.mean() + 0.002, rel=1e-12)
    mixed = Dist.mixture([(3.0, web), (1.0, db)])
    assert mixed.mean() == pytest.approx(0.75 * web.mean() + 0.25 * db.mean(), rel=1e-12)


def test_two_tier_percentiles_do_not_add() -> None:
    """model.md: summing per-tier p99s overstates a web -> db p99 by ~26%."""
    web = mmc_response(4, 100.0, 300.0)
    db = mmc_response(2, 250.0, 300.0)
    path = web.convolve(db)
    summed = web.percentile(0.99) + db.percentile(0.99)
    assert path.percentile(0.99) < summed
    assert summed / path.percentile(0.99) == pytest.approx(1.26, abs=0.02)
    assert path.mean() == pytest.approx(web.mean() + db.mean(), rel=1e-12)


def test_a_few_percent_of_misses_set_the_p99() -> None:
    """A cache hit/miss mixture: once misses pass ~1%, the p99 is a miss."""
    hit = Dist.exponential(2000.0).shifted(0.0005)
    miss = mmc_response(2, 250.0, 300.0).shifted(0.05)
    assert Dist.mixture([(0.995, hit), (0.005, miss)]).percentile(0.99) < 0.01
    assert Dist.mixture([(0.98, hit), (0.02, miss)]).percentile(0.99) > 0.05


# --- the histogram ------------------------------------------------------------------------


def test_empty_histogram() -> None:
    histogram = LatencyHistogram()
    assert histogram.count == 0.0
    assert histogram.percentile(0.99) is None
    assert histogram.mean() is None
    histogram.add(Dist.exponential(100.0), 0.0)
    assert histogram.percentile(0.5) is None


SMOOTH = {
    "M/M/1 lam=50": mmc_response(1, 100.0, 50.0),
    "M/M/1 lam=80": mmc_response(1, 100.0, 80.0),
    "M/M/4 lam=300": mmc_response(4, 100.0, 300.0),
    "web -> db": mmc_response(4, 100.0, 300.0).convolve(mmc_response(2, 250.0, 300.0)),
    "web -> db + rtt": mmc_response(4, 100.0, 300.0)
    .convolve(mmc_response(2, 250.0, 300.0))
    .shifted(0.001),
}


@pytest.mark.parametrize("name", SMOOTH)
@pytest.mark.parametrize("q", [0.5, 0.95, 0.99])
def test_histogram_percentiles_within_one_percent(name: str, q: float) -> None:
    dist = SMOOTH[name]
    histogram = LatencyHistogram()
    histogram.add(dist, 300.0)
    assert histogram.percentile(q) == pytest.approx(dist.percentile(q), rel=0.01)


def test_histogram_of_a_mixture_matches_the_mixture() -> None:
    hit = Dist.exponential(2000.0).shifted(0.0005)
    miss = mmc_response(2, 250.0, 300.0).shifted(0.02)
    histogram = LatencyHistogram()
    histogram.add(hit, 970.0)
    histogram.add(miss, 30.0)
    mixture = Dist.mixture([(0.97, hit), (0.03, miss)])
    for q in (0.5, 0.95, 0.99):
        assert histogram.percentile(q) == pytest.approx(mixture.percentile(q), rel=0.01)
    assert histogram.mean() == pytest.approx(mixture.mean(), rel=1e-12)
    assert histogram.count == 1000.0


def test_huge_and_tiny_counts_give_the_same_percentiles() -> None:
    dist = SMOOTH["web -> db + rtt"]
    huge, tiny = LatencyHistogram(), LatencyHistogram()
    for _ in range(900):
        huge.add(dist, 1e7)
        tiny.add(dist, 1e-3)
    for q in (0.5, 0.95, 0.99):
        assert huge.percentile(q) == pytest.approx(tiny.percentile(q), rel=1e-9)
    assert huge.count == pytest.approx(9e9)


def test_point_mass_lands_in_its_bucket() -> None:
    histogram = LatencyHistogram()
    histogram.add(Dist.point(0.5), 10.0)
    index = math.floor(BUCKETS_PER_DECADE * math.log10(0.5 / HISTOGRAM_MIN_S))
    low = HISTOGRAM_MIN_S * 10 ** (index / BUCKETS_PER_DECADE)
    high = HISTOGRAM_MIN_S * 10 ** ((index + 1) / BUCKETS_PER_DECADE)
    assert low <= 0.5 < high
    assert low <= histogram.percentile(0.01) <= histogram.percentile(0.99) <= high
    assert histogram.mean() == pytest.approx(0.5)


def test_out_of_range_latencies_land_in_the_end_buckets() -> None:
    histogram = LatencyHistogram()
    histogram.add(Dist.point(1e-7), 1.0)
    histogram.add(Dist.point(500.0), 1.0)
    assert histogram.percentile(0.25) <= HISTOGRAM_MIN_S * 10 ** (1 / BUCKETS_PER_DECADE)
    assert 90.0 <= histogram.percentile(0.75) <= 100.0
    assert histogram.mean() == pytest.approx((1e-7 + 500.0) / 2)


def test_run_totals_equal_adding_every_tick_to_one_histogram() -> None:
    web, db = SMOOTH["M/M/4 lam=300"], SMOOTH["web -> db"]
    one = LatencyHistogram()
    one.add(web, 100.0)
    one.add(db, 50.0)
    totals = Totals()
    totals.add(_report(((100.0, web),)))
    totals.add(_report(((50.0, db),)))
    assert totals.latency.count == one.count == 150.0
    for q in (0.5, 0.95, 0.99):
        assert totals.percentile_ms(q) == pytest.approx(1000 * one.percentile(q), rel=1e-12)
    assert totals.latency.mean() == pytest.approx(one.mean(), rel=1e-12)


def test_a_runs_histogram_holds_every_tick_s_paths() -> None:
    """Totals add each tick's paths (count, latency) and fill the histogram when it is read:
    far-apart paths (an edge hit and a slow backlog), one of them in both ticks, give the
    histogram of one that took every path's requests."""
    near, far = Dist.point(0.0005).convolve(Dist.exponential(2000.0)), Dist.point(20.0)
    one = LatencyHistogram()
    one.add(near, 30.0 + 12.5)
    one.add(far, 2.0)
    totals = Totals()
    for paths in (((30.0, near), (2.0, far)), ((12.5, near),)):
        totals.add(_report(paths))
    assert totals.latency == one
    assert totals.latency.count == 44.5
    totals.add(_report(((1.0, far),)))  # read again after more ticks: it holds those too
    one.add(far, 1.0)
    assert totals.latency == one


def _report(paths) -> TickReport:
    return TickReport(
        tick=0,
        rps=0.0,
        offered=0.0,
        served=sum(n for n, _ in paths),
        failed={},
        queued=0.0,
        cost=0.0,
        stale_reads=0.0,
        lost_writes=0.0,
        cache_hit_ratio=None,
        replica_lag_s=None,
        tiers=[],
        events=[],
        paths=paths,
    )


def test_histogram_rejects_bad_input() -> None:
    histogram = LatencyHistogram()
    with pytest.raises(ValueError):
        histogram.add(Dist.exponential(1.0), -1.0)
    with pytest.raises(ValueError):
        histogram.add(Dist.exponential(1.0), math.nan)
    with pytest.raises(ValueError):
        histogram.percentile(1.0)
    with pytest.raises(ValueError):
        Dist.exponential(1.0).percentile(0.0)
