"""Several data centres in the tick (datacenters.py): a region going dark, geo-DNS, a mirror.

The closed forms: a data centre that dies at t0 keeps a share max(0, 1 - s / TTL) of its users
s seconds later (their resolvers still name it), so under a steady rate its region fails
rate x share x TTL / 2 requests in all; the rest are served by the other data centre over its
longer round trip; the writes its primary acknowledged in the cross-region lag are lost."""

from __future__ import annotations

import math

import pytest

from game.engine import catalog, datacenters, regions
from game.engine.actions import Action
from game.engine.regions import Region
from game.engine.scenario import Component, Incident, Scenario
from game.engine.simulation import Simulation, run
from game.engine.traffic import Mix, Traffic
from game.engine.view import preview, site_view

RATE = 120.0
MIX = Mix(static=0.3, read=0.5, write=0.1, join=0.1)
TTL = catalog.DNS_TTL_S
DARK_AT = 40
US = Region("us", 0.7, {"us": 0.040, "eu": 0.130})
EU = Region("eu", 0.3, {"us": 0.130, "eu": 0.030})
BUILD = (Component("balancer"), Component("web"), Component("web"), Component("primary", "M"))
MIRROR = Component("datacenter", "S", "dc-1")


def site(*extra: Component, rps: float = RATE, duration: int = 200, **kwargs) -> Scenario:
    return Scenario(
        "dc",
        "dc",
        duration,
        start=BUILD + extra,
        traffic=Traffic(points=((0, rps),), mix=MIX, origin_rtt_s=kwargs.pop("rtt", 0.060)),
        regions=kwargs.pop("regions", (US, EU)),
        **kwargs,
    )


def dark(region: str = "us", tick: int = DARK_AT) -> tuple[Incident, ...]:
    return (Incident(tick, region),)


def reports(scenario: Scenario, actions=()) -> list:
    sim = Simulation(scenario)
    for action in actions:
        sim.apply(action)
    out = []
    while not sim.done:
        out.append(sim.step())
    return out


def down(report) -> float:
    return report.failed.get("datacenter_down", 0.0)


# -- a region going dark ----------------------------------------------------------------------


def test_the_stale_share_of_the_dark_region_fails_as_the_closed_form():
    ticks = reports(site(MIRROR, incidents=dark()))
    assert sum(down(r) for r in ticks[:DARK_AT]) == 0.0
    failed = sum(down(r) for r in ticks)
    assert failed == pytest.approx(RATE * US.share * TTL / 2, rel=1e-9)
    for s in (0, 1, 17, 59):  # tick by tick: the mean of the line over the tick
        expected = RATE * US.share * regions.stale_share(s, s + 1)
        assert down(ticks[DARK_AT + s]) == pytest.approx(expected, rel=1e-9)
    assert down(ticks[DARK_AT + int(TTL)]) == 0.0


def test_the_rest_are_served_by_the_other_data_centre():
    ticks = reports(site(MIRROR, incidents=dark()))
    for r in ticks[DARK_AT : DARK_AT + 80]:
        assert r.served + sum(r.failed.values()) == pytest.approx(RATE, rel=1e-9)
        assert set(r.failed) <= {"datacenter_down"}


def test_without_a_second_data_centre_the_whole_site_fails_until_it_is_back():
    repair = catalog.KINDS["datacenter"].repair_ticks
    ticks = reports(site(incidents=dark(), duration=DARK_AT + repair + 20))
    for r in ticks[DARK_AT : DARK_AT + repair]:
        assert down(r) == pytest.approx(RATE, rel=1e-12)
        assert r.served == 0.0
    back = ticks[DARK_AT + repair]
    assert down(back) == 0.0 and back.served == pytest.approx(RATE, rel=1e-9)


def test_the_mirror_going_dark_moves_its_region_to_home():
    ticks = reports(site(MIRROR, incidents=dark("eu")))
    assert sum(down(r) for r in ticks) == pytest.approx(RATE * EU.share * TTL / 2, rel=1e-9)


# -- latency: the data centre's own, plus the round trip --------------------------------------


def _mean(report) -> float:
    return math.fsum(c * d.mean() for c, d in report.paths) / report.served


def test_after_the_ttl_every_user_has_the_mirror_s_latency_plus_their_round_trip():
    at = DARK_AT + int(TTL) + 5
    moved = reports(site(MIRROR, incidents=dark()))[at]
    # the same tiers with every user and no round trip: the mirror's own latency
    inside = reports(site(rtt=1e-9, regions=()))[at]
    extra = US.share * US.rtt_s["eu"] + EU.share * EU.rtt_s["eu"]
    assert moved.served == pytest.approx(inside.served, rel=1e-9)
    assert _mean(moved) == pytest.approx(_mean(inside) - 1e-9 + extra, rel=1e-6)
    routes = {w for w in moved.routes}
    assert routes == {"static", "read", "join", "write"}


def test_each_region_goes_to_its_nearest_data_centre_while_both_are_up():
    r = reports(site(MIRROR, duration=5))[2]
    sim = Simulation(site(MIRROR, duration=5))
    sim.step()
    shares = dict(sim.geo.shares)
    assert shares == {"us": pytest.approx(0.7), "eu": pytest.approx(0.3)}
    assert r.served == pytest.approx(RATE, rel=1e-9)


# -- writes lost to a region failover ---------------------------------------------------------


def test_a_region_failover_loses_the_write_rate_times_the_cross_region_lag():
    ticks = reports(site(MIRROR, incidents=dark()))
    writes = RATE * US.share * MIX.write  # the home primary's writes in the tick before
    assert ticks[DARK_AT].lost_writes == pytest.approx(writes * catalog.CROSS_REGION_LAG_S)
    assert sum(r.lost_writes for r in ticks) == pytest.approx(writes * catalog.CROSS_REGION_LAG_S)


def test_with_nowhere_to_fail_over_no_write_is_lost():
    ticks = reports(site(incidents=dark()))
    assert sum(r.lost_writes for r in ticks) == 0.0


# -- building, pricing, refusing --------------------------------------------------------------


def test_a_mirror_costs_its_share_of_the_site_and_serves_once_built():
    sim = Simulation(site(duration=400))
    move = Action(0, "add", kind="datacenter", size="S")
    own = sim.topology.cost_per_tick()
    assert preview(sim, move).cost_change == pytest.approx(own * catalog.MIRROR_COST_SHARE)
    assert sim.apply(move).accepted
    assert [v.region for v in site_view(sim).datacenters] == ["us"]  # not placed before a tick
    assert sim.topology.cost_per_tick() == pytest.approx(own * (1 + catalog.MIRROR_COST_SHARE))
    boot = catalog.KINDS["datacenter"].boot_ticks
    for _ in range(boot):
        sim.step()
        assert "eu" not in sim.geo.shares
    sim.step()
    assert sim.geo.shares["eu"] == pytest.approx(EU.share)
    views = {v.region: v.state for v in sim.geo.views(sim.topology)}
    assert views == {"us": datacenters.UP, "eu": datacenters.UP}


def test_a_server_added_beside_a_mirror_costs_its_price_in_each_data_centre():
    sim = Simulation(site(MIRROR))
    price = catalog.KINDS["web"].sizes["S"].cost
    move = Action(0, "add", kind="web", size="S")
    assert preview(sim, move).cost_change == pytest.approx(price * (1 + catalog.MIRROR_COST_SHARE))


def test_a_mirror_of_a_sharded_primary_pays_for_every_shard_again():
    from game.engine.scenario import Settings

    sharded = Simulation(site(MIRROR, settings=Settings(shards=2)))
    primary = catalog.KINDS["primary"].sizes["M"].cost
    web, balancer = catalog.KINDS["web"].sizes["S"].cost, catalog.KINDS["balancer"].sizes["S"].cost
    own = balancer + 2 * web + 2 * primary  # one data centre, its primary in two shards
    assert sharded.topology.cost_per_tick() == pytest.approx(own * (1 + catalog.MIRROR_COST_SHARE))
    resize = Action(0, "resize", target="db-1", size="L")
    step = catalog.KINDS["primary"].sizes["L"].cost - primary
    assert preview(sharded, resize).cost_change == pytest.approx(
        2 * step * (1 + catalog.MIRROR_COST_SHARE)
    )


def test_a_second_data_centre_is_refused_without_a_second_region_or_a_free_one():
    one = Simulation(site(regions=()))
    assert "one region" in one.refusal(Action(0, "add", kind="datacenter", size="S"))
    full = Simulation(site(MIRROR))
    assert "every region" in full.refusal(Action(0, "add", kind="datacenter", size="S"))


# -- determinism and levels without regions ---------------------------------------------------


def test_same_level_same_actions_same_run():
    scenario = site(MIRROR, incidents=dark())
    a, b = run(scenario), run(scenario)
    assert a.scores == b.scores
    assert [(r.served, r.failed, r.lost_writes) for r in reports(scenario)] == [
        (r.served, r.failed, r.lost_writes) for r in reports(scenario)
    ]


def test_one_region_round_trip_as_the_origin_s_plays_as_no_regions():
    alone = Region("home", 1.0, {"home": 0.060})
    with_one = run(site(regions=(alone,), incidents=dark("nowhere")))
    without = run(site(regions=()))
    assert Simulation(site(regions=())).geo is None
    assert with_one.scores["availability"] == without.scores["availability"]
    assert with_one.scores["cost"] == without.scores["cost"]
    assert with_one.scores["latency_ms"] == pytest.approx(without.scores["latency_ms"], rel=1e-6)


@pytest.mark.parametrize(
    "bad, words",
    [
        ((US,), "round trip to every region"),
        ((US, Region("eu", 0.5, EU.rtt_s)), "sum to 1"),
        ((US, Region("us", 0.3, EU.rtt_s)), "names must differ"),
        ((US, Region("eu", 0.3, {"us": 0.1, "eu": 2.0})), "at most"),
    ],
)
def test_bad_regions_are_refused_with_a_reason(bad, words):
    with pytest.raises(ValueError, match=words):
        site(regions=bad)


def test_a_mirror_removed_gives_its_users_back_and_its_region_to_the_next_one():
    sim = Simulation(site(MIRROR, duration=400))
    sim.step()
    assert sim.geo.shares["eu"] == pytest.approx(EU.share)
    assert sim.apply(Action(1, "remove", target="dc-1")).accepted
    added = sim.apply(Action(1, "add", kind="datacenter", size="S"))
    assert added.accepted
    report = sim.step()
    assert sim.geo.shares == {"us": pytest.approx(1.0)}  # the new one is being built
    assert report.served == pytest.approx(RATE, rel=1e-9)
    while sim.tick < 2 + catalog.KINDS["datacenter"].boot_ticks:
        sim.step()
    assert sim.geo.shares["eu"] == pytest.approx(EU.share)
    assert [v.node_id for v in sim.geo.views(sim.topology)] == ["", added.component]


def test_an_incident_naming_the_mirror_darkens_its_region_as_naming_the_region_does():
    by_id = reports(site(MIRROR, incidents=(Incident(DARK_AT, "dc-1"),)))
    by_region = reports(site(MIRROR, incidents=dark("eu")))
    assert [down(r) for r in by_id] == [down(r) for r in by_region]
    assert sum(down(r) for r in by_id) > 0
