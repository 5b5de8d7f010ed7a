"""Sharding: the primary's keys split by hash over N shards, each its own queue.

Closed forms: under Zipf popularity the shard that holds the hottest key gets p1 + (1 - p1) / N
of the keyed requests (in expectation over the hash), each other shard (1 - p1) / N; uniform
keys give every shard 1 / N. A scatter-gather join waits for the slowest of N shards: for N
independent exponential answers of rate mu, P(max <= t) = (1 - exp(-mu t))^N."""

from __future__ import annotations

import math
import random

import pytest

from game.engine import cache, catalog, sharding
from game.engine.actions import Action
from game.engine.latency import Dist
from game.engine.scenario import Component, Scenario, Settings
from game.engine.simulation import Simulation, run
from game.engine.traffic import Mix, Traffic
from game.engine.view import node_moves, preview, site_view

WRITES = Mix(static=0.0, read=0.0, write=1.0, join=0.0)
KEYS, ALPHA = 10_000, 1.0


def site(rps: float, shards: int = 1, mix: Mix = WRITES, alpha: float = ALPHA, **kw) -> Scenario:
    return Scenario(
        "shards",
        "shards",
        kw.pop("duration", 40),
        start=(
            Component("balancer"),
            *(Component("web", "XL") for _ in range(4)),
            Component("primary", kw.pop("size", "S")),
        ),
        settings=Settings(shards=shards, balancer="least_connections"),
        traffic=Traffic(points=((0, rps),), mix=mix, keys=KEYS, zipf_alpha=alpha),
        **kw,
    )


def shard(n: int) -> Action:
    return Action(0, "configure", target="database", setting="shards", value=n)


def primary_tier(report):
    return next(t for t in report.tiers if t.name == "primary")


# -- the hot shard from key popularity ------------------------------------------------------


def zipf_p1(keys: int, alpha: float) -> float:
    return 1.0 / math.fsum(i**-alpha for i in range(1, keys + 1))


@pytest.mark.parametrize("n", [2, 4, 8])
@pytest.mark.parametrize("alpha", [0.8, 1.0, 1.3])
def test_the_hot_shard_gets_the_hottest_key_and_its_even_share_of_the_rest(n, alpha):
    p1 = zipf_p1(KEYS, alpha)
    assert sharding.hot_share(KEYS, alpha, n) == pytest.approx(p1 + (1 - p1) / n, rel=1e-9)
    shares = sharding.shares(KEYS, alpha, n)
    assert len(shares) == n and math.fsum(shares) == pytest.approx(1.0)
    assert shares[1:] == pytest.approx([(1 - p1) / n] * (n - 1))


def test_the_hot_share_matches_keys_hashed_at_random():
    """Monte Carlo over hashes: put every key on a random shard, the hottest key's shard's
    share of the popularity averages to the closed form."""
    n, keys, alpha = 4, 2_000, 1.0
    weights = [i**-alpha for i in range(1, keys + 1)]
    total = math.fsum(weights)
    rng = random.Random(7)
    draws = []
    for _ in range(400):
        where = [rng.randrange(n) for _ in range(keys)]
        draws.append(math.fsum(w for w, s in zip(weights, where) if s == where[0]) / total)
    mean = math.fsum(draws) / len(draws)
    spread = math.sqrt(math.fsum((d - mean) ** 2 for d in draws) / len(draws))
    expected = sharding.hot_share(keys, alpha, n)
    assert abs(mean - expected) < 4 * spread / math.sqrt(len(draws))


def test_uniform_keys_give_every_shard_an_equal_share():
    # alpha 0: every key equally popular; with many keys the hottest one is a negligible share
    shares = sharding.shares(1_000_000, 0.0, 4)
    assert shares == pytest.approx([0.25] * 4, rel=1e-5)


def test_the_hot_shard_melts_while_the_others_idle():
    # writes of 2 units on S shards (150 units/s): 4 shards, p1 = 0.102 at alpha 1 on 10^4 keys
    rps = 200.0
    report = run(site(rps, shards=4), seed=1).last
    tier = primary_tier(report)
    hot, *cold = tier.shards
    capacity = catalog.KINDS["primary"].sizes["S"].capacity
    expected = sharding.shares(KEYS, ALPHA, 4)
    assert hot == pytest.approx(rps * expected[0] * catalog.WRITE_UNITS / capacity)
    assert cold == pytest.approx([rps * expected[1] * catalog.WRITE_UNITS / capacity] * 3)
    assert tier.utilization == hot  # the tier reports its hottest shard
    assert hot < 1.0 and all(c < hot for c in cold)
    # a hotter key: the same traffic drowns its shard, the others still idle
    melted = run(site(rps, shards=4, alpha=1.6), seed=1)
    tier = primary_tier(melted.last)
    assert tier.shards[0] > 1.0 and max(tier.shards[1:]) < 0.5
    assert melted.totals.failed.get("timeout_primary", 0) > 0


def test_shards_cost_n_times_the_primary():
    one, four = Simulation(site(10.0)), Simulation(site(10.0, shards=4))
    primary = catalog.KINDS["primary"].sizes["S"].cost
    assert four.cost_per_tick() - one.cost_per_tick() == pytest.approx(3 * primary)


def test_one_primary_cannot_take_what_eight_shards_can():
    rps = 300.0  # 600 units/s of writes: beyond an S primary, within 8 S shards' hot one
    alone = run(site(rps), seed=1)
    sharded = run(site(rps, shards=8), seed=1)
    assert alone.scores["availability"] < 0.9
    assert sharded.scores["availability"] == pytest.approx(1.0)


# -- resharding -------------------------------------------------------------------------------


def test_resharding_serves_at_reduced_capacity_for_its_window_and_refuses_database_moves():
    sim = Simulation(site(60.0, duration=200))
    for _ in range(10):
        sim.step()
    before = primary_tier(sim.last)
    outcome = sim.apply(shard(2))
    assert outcome.accepted
    assert sim.resharding_until == 10 + catalog.RESHARD_TICKS
    report = sim.step()
    capacity = catalog.KINDS["primary"].sizes["S"].capacity
    hot = sharding.hot_share(KEYS, ALPHA, 2)
    reduced = 60.0 * hot * catalog.WRITE_UNITS / (capacity * catalog.RESHARD_CAPACITY_SHARE)
    assert primary_tier(report).shards[0] == pytest.approx(reduced)
    assert before.utilization == pytest.approx(60.0 * catalog.WRITE_UNITS / capacity)
    for move in (
        shard(4),
        Action(0, "configure", target="database", setting="store", value="keyvalue"),
        Action(0, "resize", target="db-1", size="M"),
    ):
        reason = sim.refusal(move)
        assert "moving between shards" in reason and str(sim.resharding_until) in reason
    while sim.tick < 10 + catalog.RESHARD_TICKS:
        sim.step()
    assert sim.resharding_until is None and not sim.refusal(shard(4))
    full = primary_tier(sim.step()).shards[0]
    assert full == pytest.approx(reduced * catalog.RESHARD_CAPACITY_SHARE)


def test_sharding_is_refused_where_the_level_does_not_unlock_it_or_the_store_is_keyvalue():
    locked = site(10.0, unlocked=frozenset({"configure", "web"}))
    assert "not unlocked" in Simulation(locked).refusal(shard(2))
    assert not Simulation(site(10.0, unlocked=frozenset({"configure", "shards"}))).refusal(shard(2))
    sim = Simulation(site(10.0))
    assert "whole number" in sim.refusal(shard(2.5))
    assert "between 1 and" in sim.refusal(shard(catalog.MAX_SHARDS + 1))
    keyvalue = Simulation(
        Scenario("kv", "kv", 10, start=(Component("box"),), settings=Settings(store="keyvalue"))
    )
    assert keyvalue.refusal(shard(2))  # the database is still on the box, and is key-value
    with pytest.raises(ValueError, match="relational"):
        Settings(store="keyvalue", shards=2)


def test_the_budget_counts_the_new_shards():
    primary = catalog.KINDS["primary"].sizes["S"].cost
    sim = Simulation(site(10.0, budget=Simulation(site(10.0)).cost_per_tick() + primary))
    assert not sim.refusal(shard(2))
    assert "over budget" in sim.refusal(shard(4))


# -- joins: scatter-gather waits for the slowest shard -----------------------------------------


@pytest.mark.parametrize("n", [2, 4, 8])
@pytest.mark.parametrize("q", [p / 100 for p in catalog.LATENCY_PERCENTILES])
def test_the_slowest_of_n_exponentials_has_the_closed_form_percentiles(n, q):
    mu = 50.0
    slowest = sharding.slowest(((Dist.exponential(mu), n),))
    exact = -math.log(1 - q ** (1 / n)) / mu  # F(t)^n = q
    assert slowest.percentile(q) == pytest.approx(exact, rel=1e-6)
    # the mean of the max of n exponentials is H_n / mu (the atoms keep it within a few %)
    harmonic = math.fsum(1 / k for k in range(1, n + 1))
    assert slowest.mean() == pytest.approx(harmonic / mu, rel=0.05)
    # between the kept quantiles a percentile lies between its neighbours' exact values
    above = min(x for x in sharding.QUANTILES if x > q)
    got = slowest.percentile(0.5 * (q + above))
    assert exact <= got <= -math.log(1 - above ** (1 / n)) / mu
    assert sharding.slowest(((Dist.exponential(mu), 1),)) == Dist.exponential(mu)


def test_the_slowest_of_a_hot_and_cold_shards_is_the_product_of_their_cdfs():
    hot, cold = Dist.exponential(20.0), Dist.exponential(80.0)
    slowest = sharding.slowest(((hot, 1), (cold, 3)))
    t = slowest.percentile(0.95)
    assert hot.cdf(t) * cold.cdf(t) ** 3 == pytest.approx(0.95, abs=0.006)


def test_a_join_on_shards_waits_for_the_slowest():
    joins = Mix(static=0.0, read=0.0, write=0.0, join=1.0)
    rps = 30.0  # 120 units/s of joins: one S primary at 80%, each of four shards at 20%

    def last(shards: int):
        sim = Simulation(site(rps, shards=shards, mix=joins, duration=20))
        while not sim.done:
            report = sim.step()
        return report, sim.result().scores

    one, one_scores = last(1)
    four, four_scores = last(4)
    # a join's work splits over the shards: each gets a quarter of it
    assert primary_tier(four).shards == pytest.approx([primary_tier(one).utilization / 4] * 4)
    assert four_scores["availability"] == pytest.approx(1.0)
    # the join's path is the web tier, the round trip and the slowest of the four shards
    shard_dist = primary_tier(four).dist  # every shard alike here: the mixture is one of them
    web = next(t for t in four.tiers if t.name == "web").dist
    join = four.paths[four.routes.index("join")][1]
    waited = join.mean() - web.mean() - catalog.DEFAULT_ORIGIN_RTT_S - catalog.HOP_S
    slowest = sharding.slowest(((shard_dist, 4),))
    assert waited == pytest.approx(slowest.mean(), rel=1e-3)
    assert waited > 1.8 * shard_dist.mean()  # the last of four answers, not a typical one


def test_no_effect_at_one_shard_and_determinism():
    scenario = site(200.0, mix=Mix(static=0.1, read=0.5, write=0.3, join=0.1), duration=60)
    plain = Scenario(
        scenario.id,
        scenario.title,
        scenario.duration,
        start=scenario.start,
        settings=Settings(balancer="least_connections"),
        traffic=scenario.traffic,
    )
    assert run(scenario, seed=3).scores == run(plain, seed=3).scores
    sharded = site(200.0, shards=4, mix=Mix(static=0.1, read=0.5, write=0.3, join=0.1))
    assert run(sharded, seed=3).scores == run(sharded, seed=3).scores
    assert run(sharded, seed=3).scores != run(scenario, seed=3).scores


def test_reads_past_a_cache_spread_evenly_writes_by_key():
    groups, lam = sharding.groups(KEYS, ALPHA, 4, 150.0, 100.0, 0.0, 0.0, reads_even=True)
    assert [g.share for g in groups] == pytest.approx([0.25] * 4)
    groups, lam = sharding.groups(KEYS, ALPHA, 4, 150.0, 0.0, 0.0, 100.0, reads_even=True)
    assert [g.share for g in groups] == pytest.approx(list(sharding.shares(KEYS, ALPHA, 4)))
    assert cache.zipf_popularity(KEYS, ALPHA).buckets[0][0] == 1  # the hottest key stands alone


# -- the view ---------------------------------------------------------------------------------


def test_the_view_prices_a_resharding_and_shows_each_shards_load():
    sim = Simulation(site(200.0, duration=100))
    primary = catalog.KINDS["primary"].sizes["S"].cost
    move = preview(sim, shard(4))
    assert move.allowed and move.cost_change == pytest.approx(3 * primary)
    assert move.ready_in == move.outage == catalog.RESHARD_TICKS
    assert move.out_of_service == sharding.SLOWED
    offered = {m.action.value for m in node_moves(sim, "db-1") if m.action.setting == "shards"}
    assert offered == set(catalog.SHARD_CHOICES) - {1}
    locked = Simulation(site(10.0, unlocked=frozenset({"configure"})))
    assert not [m for m in node_moves(locked, "db-1") if m.action.setting == "shards"]
    sim.apply(shard(4))
    sim.step()
    node = site_view(sim).node("db-1")
    assert node.shards == 4 and node.cost == pytest.approx(4 * primary)
    assert node.resharding_until == catalog.RESHARD_TICKS
    assert node.shard_loads == primary_tier(sim.last).shards and len(node.shard_loads) == 4
    assert node.utilization == max(node.shard_loads)
    # a resize of a sharded primary is priced for every shard
    size_m = catalog.KINDS["primary"].sizes["M"].cost
    resize = preview(sim, Action(0, "resize", target="db-1", size="M"))
    assert resize.cost_change == pytest.approx(4 * (size_m - primary))


def test_a_saturated_primary_is_advised_to_shard_where_the_level_unlocks_it():
    melting = site(400.0, duration=100)  # 800 units/s of writes on an S primary
    sim = Simulation(melting)
    sim.step()
    advice = site_view(sim).advice
    assert advice is not None and advice.tier == "primary"
    assert advice.remedies[0] == shard(2)
    sim.apply(shard(2))
    while sim.resharding_until is not None:  # the keys move, then the next count is advised
        sim.step()
    sim.step()
    assert site_view(sim).advice.remedies[0] == shard(4)
    locked = Simulation(site(400.0, duration=5, unlocked=frozenset({"configure", "replica"})))
    locked.step()
    assert all(a.setting != "shards" for a in site_view(locked).advice.remedies)
