"""Cache maths against model.md §3's checked values and exact per-key sums."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from game.engine.cache import (
    Popularity,
    cache_hit_ratio,
    characteristic_time,
    fifo_hit_ratio,
    lfu_hit_ratio,
    lru_hit_ratio,
    replica_stale_share,
    stale_share,
    ttl_hit_ratio,
    warm_up_factor,
    zipf_popularity,
)

POINT = 0.01  # one percentage point of hit ratio


@functools.cache
def exact_shares(keys: int, alpha: float) -> tuple[float, ...]:
    """Every key's Zipf share, summed key by key: the reference the buckets must match."""
    weights = [rank**-alpha for rank in range(1, keys + 1)]
    total = math.fsum(weights)
    return tuple(w / total for w in weights)


@functools.cache
def popularity(keys: int, alpha: float) -> Popularity:
    return zipf_popularity(keys, alpha)


# --- model.md §3: formula values that matched simulation ---------------------------------------

MODEL_CHECKS = [  # (capacity, policy, hit ratio) at N = 10^4, alpha = 0.8
    (100, lru_hit_ratio, 0.1566),
    (100, fifo_hit_ratio, 0.1336),
    (1000, lru_hit_ratio, 0.4367),
    (1000, fifo_hit_ratio, 0.3942),
    (1000, lfu_hit_ratio, 0.519),  # in-cache LFU, libcachesim: .5224/.5181/.5169 (3 seeds)
    (2000, lru_hit_ratio, 0.5677),
]


@pytest.mark.parametrize(("capacity", "policy", "expected"), MODEL_CHECKS)
def test_model_checked_values(capacity, policy, expected):
    assert policy(popularity(10**4, 0.8), capacity) == pytest.approx(expected, abs=0.1 * POINT)


def test_million_keys_one_percent_cache():
    pop = popularity(10**6, 1.0)
    assert lru_hit_ratio(pop, 10**4) == pytest.approx(0.585, abs=0.1 * POINT)
    # in-cache LFU held .6589/.6586/.6588 after 256 requests per slot (libcachesim, 3 seeds);
    # perfect LFU, the 10^4 most popular keys, would be .680
    assert lfu_hit_ratio(pop, 10**4) == pytest.approx(0.659, abs=0.1 * POINT)


def test_small_in_cache_lfu():
    # 100 slots: which keys the cache ends up holding varies from run to run; libcachesim's held
    # share over 8 seeds: mean .2633, standard error .0018 (perfect LFU: .300)
    assert lfu_hit_ratio(popularity(10**4, 0.8), 100) == pytest.approx(0.2633, abs=0.4 * POINT)


# --- buckets against exact per-key sums ---------------------------------------------------------

ACCURACY_CASES = [(keys, alpha) for keys in (10**4, 10**5) for alpha in (0.6, 0.8, 1.0, 1.2)]


@pytest.mark.parametrize(("keys", "alpha"), ACCURACY_CASES)
def test_lru_and_fifo_match_exact_sums(keys, alpha):
    # Pick T, sum the exact occupancy and hit ratio key by key, then ask the bucketed solver
    # for the hit ratio at that exact occupancy: no root-finding over 10^5 keys needed.
    shares, pop = exact_shares(keys, alpha), popularity(keys, alpha)
    for capacity in (0.01 * keys, 0.1 * keys):
        t = characteristic_time(pop, capacity, "lru")
        occupancy = math.fsum(-math.expm1(-p * t) for p in shares)
        hit = math.fsum(p * -math.expm1(-p * t) for p in shares)
        assert lru_hit_ratio(pop, occupancy) == pytest.approx(hit, abs=0.3 * POINT)

        t = characteristic_time(pop, capacity, "fifo")
        occupancy = math.fsum(p * t / (1 + p * t) for p in shares)
        hit = math.fsum(p * p * t / (1 + p * t) for p in shares)
        assert fifo_hit_ratio(pop, occupancy) == pytest.approx(hit, abs=0.3 * POINT)


@pytest.mark.parametrize(("keys", "alpha"), ACCURACY_CASES)
def test_lfu_matches_exact_sums(keys, alpha):
    # The in-cache LFU formula key by key: take the bucketed fill time T, the exact capacity C
    # that fills in T, and solve k for that C over the exact shares; the buckets must agree.
    shares, pop = np.array(exact_shares(keys, alpha)), popularity(keys, alpha)
    for capacity in (10, 100, keys // 100, keys // 10, keys // 2):
        t = characteristic_time(pop, capacity, "lru")
        exact_capacity = float(np.sum(-np.expm1(-shares * t)))
        qt = shares * t
        left = np.exp(-qt) * (1 + qt / (1 + qt))
        rate = shares * np.log1p(qt)
        lo, hi = 0.0, 1.0  # x = 1/k: the sum of u falls as x grows
        while np.sum(left * np.exp(-hi * rate)) > keys - exact_capacity:
            hi *= 2
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (
                (mid, hi)
                if np.sum(left * np.exp(-mid * rate)) > keys - exact_capacity
                else (lo, mid)
            )
        exact = float(np.sum(shares * (1 - left * np.exp(-lo * rate))))
        assert lfu_hit_ratio(pop, exact_capacity) == pytest.approx(exact, abs=0.3 * POINT)


@pytest.mark.parametrize(("keys", "alpha"), ACCURACY_CASES)
def test_lfu_lies_between_lru_and_perfect_lfu(keys, alpha):
    shares, pop = exact_shares(keys, alpha), popularity(keys, alpha)
    for capacity in (10, 100, keys // 100, keys // 10, keys // 2):
        perfect = math.fsum(shares[:capacity])  # the capacity most popular keys
        assert lru_hit_ratio(pop, capacity) < lfu_hit_ratio(pop, capacity) < perfect


@pytest.mark.parametrize(("keys", "alpha"), ACCURACY_CASES)
def test_ttl_without_writes_matches_exact_sums(keys, alpha):
    shares, pop = exact_shares(keys, alpha), popularity(keys, alpha)
    read_rps = 2000.0
    for ttl in (0.5, 60.0):
        exact = math.fsum(p * (p * read_rps * ttl) / (1 + p * read_rps * ttl) for p in shares)
        assert ttl_hit_ratio(pop, read_rps, ttl) == pytest.approx(exact, abs=0.3 * POINT)


def test_staleness_matches_exact_sums():
    shares, pop = exact_shares(10**4, 0.8), popularity(10**4, 0.8)
    read_rps, write_rps, ttl = 3000.0, 300.0, 30.0
    hits = [p * (p * read_rps * ttl) / (1 + p * read_rps * ttl) for p in shares]
    stale = [1 - -math.expm1(-p * write_rps * ttl) / (p * write_rps * ttl) for p in shares]
    exact = math.fsum(h * s for h, s in zip(hits, stale)) / math.fsum(hits)
    got = stale_share(pop, read_rps, ttl, write_rps, invalidate_on_write=False, race_window_s=0)
    assert got == pytest.approx(exact, abs=0.3 * POINT)

    lag = 0.5
    exact = math.fsum(p * -math.expm1(-p * write_rps * lag) for p in shares)
    assert replica_stale_share(pop, write_rps, lag) == pytest.approx(exact, abs=0.3 * POINT)


def test_buckets_cover_every_key_once():
    for keys, alpha in ((10**4, 0.8), (10**9, 1.0), (100, 2.0), (65, 0.5)):
        pop = zipf_popularity(keys, alpha)
        assert len(pop.buckets) <= 64
        assert sum(n for n, _ in pop.buckets) == keys
        assert math.fsum(n * q for n, q in pop.buckets) == pytest.approx(1, abs=1e-12)
        assert [n for n, _ in pop.buckets[:16]] == [1.0] * 16  # the hot keys stay exact


# --- TTL and staleness behaviour ----------------------------------------------------------------


def test_ttl_hit_rises_with_ttl_and_falls_with_writes():
    pop = popularity(10**5, 0.9)
    by_ttl = [ttl_hit_ratio(pop, 1000.0, ttl, write_rps=50.0) for ttl in (0.1, 1, 10, 100, 1000)]
    assert by_ttl == sorted(by_ttl) and by_ttl[0] < by_ttl[-1]
    by_writes = [ttl_hit_ratio(pop, 1000.0, 60.0, write_rps=w) for w in (0, 10, 100, 1000)]
    assert by_writes == sorted(by_writes, reverse=True) and by_writes[0] > by_writes[-1]
    # without invalidation writes do not shorten an entry's life
    no_invalidation = ttl_hit_ratio(pop, 1000.0, 60.0, write_rps=1000.0, invalidate_on_write=False)
    assert no_invalidation == pytest.approx(by_writes[0], abs=1e-12)


def test_stale_share_rises_with_ttl_and_invalidation_cuts_it():
    pop = popularity(10**5, 0.9)
    read_rps, write_rps, race = 3000.0, 100.0, 0.005
    kept = [stale_share(pop, read_rps, ttl, write_rps, False, race) for ttl in (1, 10, 100, 1000)]
    assert kept == sorted(kept) and kept[0] < kept[-1]
    for ttl in (10, 100, 1000):
        invalidated = stale_share(pop, read_rps, ttl, write_rps, True, race)
        assert invalidated < stale_share(pop, read_rps, ttl, write_rps, False, race) / 100
    assert stale_share(pop, read_rps, 100, 0.0, False, race) == 0.0


def test_replica_staleness_rises_with_lag():
    pop = popularity(10**4, 0.8)
    shares = [replica_stale_share(pop, 100.0, lag) for lag in (0, 0.1, 1, 10, math.inf)]
    assert shares[0] == 0.0 and shares == sorted(shares)
    assert shares[-1] == pytest.approx(1, abs=1e-12)
    assert replica_stale_share(pop, 0.0, 10.0) == 0.0


# --- capacity and TTL together -----------------------------------------------------------------


@pytest.mark.parametrize("policy", ["lru", "fifo", "lfu"])
def test_combined_hit_reduces_to_whichever_bound_is_active(policy):
    pop = popularity(10**4, 0.8)
    alone = {"lru": lru_hit_ratio, "fifo": fifo_hit_ratio, "lfu": lfu_hit_ratio}[policy]
    assert cache_hit_ratio(pop, 1000, policy, 500.0, math.inf) == pytest.approx(alone(pop, 1000))
    ttl_only = ttl_hit_ratio(pop, 500.0, 30.0, 20.0)
    assert cache_hit_ratio(pop, 10**4, policy, 500.0, 30.0, 20.0) == pytest.approx(ttl_only)
    both = cache_hit_ratio(pop, 1000, policy, 500.0, 30.0, 20.0)
    assert 0 < both <= min(alone(pop, 1000), ttl_only)


def test_expiring_lfu_is_the_ttl_cache_when_capacity_does_not_bind():
    # 500 reads in a 1 s TTL cannot fill 9,000 slots: no eviction, so the TTL cache's hit ratio
    pop = popularity(10**4, 0.8)
    ttl_only = ttl_hit_ratio(pop, 500.0, 1.0, 20.0)
    assert cache_hit_ratio(pop, 9000, "lfu", 500.0, 1.0, 20.0) == pytest.approx(ttl_only)


def test_expiring_lfu_rises_with_capacity_and_stays_under_the_ttl_bound():
    pop = popularity(10**5, 0.9)
    by_capacity = [cache_hit_ratio(pop, c, "lfu", 2000.0, 300.0, 50.0) for c in (10, 10**3, 10**4)]
    assert by_capacity == sorted(by_capacity) and by_capacity[0] < by_capacity[-1]
    assert by_capacity[-1] < ttl_hit_ratio(pop, 2000.0, 300.0, 50.0)
    # without invalidation writes leave the entries alone: the same as no writes
    kept = cache_hit_ratio(pop, 10**3, "lfu", 2000.0, 300.0, 50.0, invalidate_on_write=False)
    assert kept == pytest.approx(cache_hit_ratio(pop, 10**3, "lfu", 2000.0, 300.0))


# --- warm-up after a restart -------------------------------------------------------------------


def test_warm_up_matches_model():
    # model.md's check: N = 10^4, alpha = 0.8; these values hold at a cache of 1000 items (10%).
    pop, capacity = popularity(10**4, 0.8), 1000
    t_c = characteristic_time(pop, capacity, "lru")
    for fraction, expected in ((0.1, 0.41), (0.25, 0.61), (0.5, 0.79)):
        assert warm_up_factor(pop, capacity, fraction * t_c) == pytest.approx(
            expected, abs=2 * POINT
        )
    assert warm_up_factor(pop, capacity, 0) == 0.0
    assert warm_up_factor(pop, capacity, t_c) == 1.0
    assert warm_up_factor(pop, capacity, 10 * t_c) == 1.0


# --- edge cases --------------------------------------------------------------------------------


def test_single_key():
    pop = zipf_popularity(1, 1.0)
    assert pop.buckets == ((1.0, 1.0),)
    assert lru_hit_ratio(pop, 0.5) == pytest.approx(0.5)  # 1 - exp(-T) = 0.5 is the hit ratio too
    assert fifo_hit_ratio(pop, 0.5) == pytest.approx(0.5)
    assert lfu_hit_ratio(pop, 0.5) == pytest.approx(0.5)
    assert lru_hit_ratio(pop, 1) == 1.0
    assert ttl_hit_ratio(pop, 10.0, 1.0) == pytest.approx(10 / 11)


def test_uniform_popularity_hits_in_proportion_to_capacity():
    pop = zipf_popularity(10**6, 0.0)
    for policy in (lru_hit_ratio, fifo_hit_ratio, lfu_hit_ratio):
        assert policy(pop, 2.5e5) == pytest.approx(0.25, abs=1e-9)


@pytest.mark.parametrize("policy", ["lru", "fifo", "lfu"])
def test_capacity_limits(policy):
    pop = popularity(10**4, 0.8)
    assert cache_hit_ratio(pop, 0, policy, 100.0, math.inf) == 0.0
    assert cache_hit_ratio(pop, 10**4, policy, 100.0, math.inf) == pytest.approx(1, abs=1e-12)
    assert cache_hit_ratio(pop, math.inf, policy, 100.0, math.inf) == pytest.approx(1, abs=1e-12)
    assert cache_hit_ratio(pop, 5000, policy, 100.0, 0.0) == 0.0
    assert cache_hit_ratio(pop, 5000, policy, 0.0, 60.0) == 0.0


def test_characteristic_time_limits():
    pop = popularity(10**4, 0.8)
    assert characteristic_time(pop, 0, "lru") == 0.0
    assert characteristic_time(pop, 10**4, "fifo") == math.inf
    assert 1000 < characteristic_time(pop, 1000, "lru") < characteristic_time(pop, 1000, "fifo")


def test_a_billion_keys():
    pop = zipf_popularity(10**9, 1.0)
    capacities = (0, 10**3, 10**6, 10**8, 10**9 - 1, 10**9)
    for policy in (lru_hit_ratio, lfu_hit_ratio):
        hits = [policy(pop, c) for c in capacities]
        assert hits == sorted(hits) and hits[0] == 0.0 and hits[-1] == pytest.approx(1, abs=1e-12)
    # perfect LFU, the harmonic ratio H(10^6) / H(10^9), bounds in-cache LFU from above
    euler_gamma = 0.5772156649
    perfect = (math.log(1e6) + euler_gamma) / (math.log(1e9) + euler_gamma)
    assert lru_hit_ratio(pop, 10**6) < lfu_hit_ratio(pop, 10**6) < perfect


def test_outputs_stay_finite_shares():
    for keys in (1, 7, 1000, 10**9):
        for alpha in (0.0, 0.5, 1.0, 3.0):
            pop = zipf_popularity(keys, alpha)
            for capacity in (0, 0.5, keys / 3, keys - 0.5, keys):
                for policy in ("lru", "fifo", "lfu"):
                    for ttl in (0.0, 1.0, math.inf):
                        hit = cache_hit_ratio(pop, capacity, policy, 1e4, ttl, 1e3)
                        assert 0 <= hit <= 1
                warm = warm_up_factor(pop, capacity, 10.0)
                assert 0 <= warm <= 1
            for ttl in (0.0, 1.0, math.inf):
                for invalidate in (True, False):
                    assert 0 <= stale_share(pop, 1e4, ttl, 1e3, invalidate, 0.01) <= 1
            assert 0 <= replica_stale_share(pop, 1e3, math.inf) <= 1


def test_invalid_input_is_rejected():
    pop = popularity(10**4, 0.8)
    bad_calls = [
        lambda: zipf_popularity(0, 1.0),
        lambda: zipf_popularity(100, -0.1),
        lambda: zipf_popularity(100, math.nan),
        lambda: lru_hit_ratio(pop, -1),
        lambda: lfu_hit_ratio(pop, math.nan),
        lambda: cache_hit_ratio(pop, 10, "mru", 100.0, 60.0),
        lambda: characteristic_time(pop, 10, "lfu"),
        lambda: ttl_hit_ratio(pop, -1.0, 60.0),
        lambda: ttl_hit_ratio(pop, 100.0, -1.0),
        lambda: ttl_hit_ratio(pop, 100.0, 60.0, write_rps=math.inf),
        lambda: stale_share(pop, 100.0, 60.0, 10.0, True, -0.1),
        lambda: replica_stale_share(pop, 10.0, -1.0),
        lambda: warm_up_factor(pop, 10, -1.0),
        lambda: Popularity(keys=2, alpha=0.0, buckets=((2.0, 0.4),)),
    ]
    for call in bad_calls:
        with pytest.raises(ValueError):
            call()
