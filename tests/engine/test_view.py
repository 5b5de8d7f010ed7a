"""The site's view says what the engine knows, in the engine's own terms (engine/view.py).

The screens draw only the view, so every fact they rely on is checked here against the engine:
capacities as they are now, rotation, where the database lives, the budget, a failover, DNS,
advice for a saturated tier, and what a move would cost and take out of service.
"""

from __future__ import annotations

import pytest

from game.engine import catalog, rules, view
from game.engine.actions import Action
from game.engine.scenario import Settings
from game.engine.simulation import Simulation
from game.engine.traffic import Mix
from game.engine.view import preview, site_view
from tests.engine.scenarios import STATIC_ONLY, build, scenario

READS_ONLY = Mix(static=0.0, read=1.0, write=0.0, join=0.0)
WEB_S = catalog.KINDS["web"].sizes["S"].capacity


def stepped(sim: Simulation, ticks: int = 1) -> Simulation:
    for _ in range(ticks):
        sim.step()
    return sim


# -- components as they are now -----------------------------------------------------------------


def test_a_booting_server_serves_nothing_and_is_not_in_rotation():
    sim = stepped(Simulation(scenario(build("balancer", "web", "primary"), rps=50)))
    added = sim.apply(Action(sim.tick, "add", kind="web")).component
    booting = site_view(stepped(sim)).node(added)
    assert booting.state == "booting"
    assert booting.capacity == 0.0 and not booting.in_rotation
    assert booting.utilization is None
    assert booting.full_capacity == WEB_S  # what it will serve once up
    up = site_view(stepped(sim, catalog.KINDS["web"].boot_ticks)).node(added)
    assert up.state == "healthy" and up.in_rotation and up.capacity == WEB_S


def test_a_key_value_primary_serves_what_a_key_value_node_serves():
    settings = Settings(store="keyvalue")
    sim = stepped(
        Simulation(scenario(build("web:L", "primary:M"), mix=READS_ONLY, rps=50, settings=settings))
    )
    shown = site_view(sim)
    primary = shown.node("db-1")
    relational = catalog.KINDS["primary"].sizes["M"].capacity
    assert primary.capacity == catalog.KEYVALUE_SPEEDUP * relational
    assert primary.tier == "keyvalue" and primary.in_rotation
    # Reads cost one query unit each, so the tier serves in requests what the node serves.
    assert shown.tiers["keyvalue"].capacity_rps == primary.capacity
    relational_sim = stepped(Simulation(scenario(build("web:L", "primary:M"), mix=READS_ONLY)))
    assert site_view(relational_sim).node("db-1").capacity == relational


def test_a_box_holding_the_database_shows_the_rate_it_completes_with_both():
    sim = stepped(Simulation(scenario(build("box"), rps=20)))
    shown = site_view(sim)
    box = shown.node("box-1")
    assert shown.store_on_box and sim.store_on_box
    assert box.tier == "box" and box.in_rotation
    assert box.capacity == shown.tiers["box"].capacity_rps  # the box tier's, from the engine
    assert box.capacity < WEB_S  # it also does the database's work for every request
    sim.apply(Action(sim.tick, "add", kind="primary"))
    moved = site_view(stepped(sim, catalog.KINDS["primary"].boot_ticks + 1))
    assert not moved.store_on_box and not sim.store_on_box
    assert moved.node("box-1").tier == "web" and moved.node("box-1").capacity == WEB_S


# -- site-wide facts ----------------------------------------------------------------------------


def test_over_budget_is_the_engines_budget_rule():
    assert view.over_budget is rules.over_budget  # one rule, not a copy
    start = build("web", "primary")
    cost = Simulation(scenario(start)).cost_per_tick()
    at_budget = Simulation(scenario(start, budget=cost))
    shown = site_view(at_budget)
    assert shown.cost_per_tick == cost and shown.budget == cost and not shown.over_budget
    add = Action(0, "add", kind="web")
    assert rules.over_budget(cost + catalog.KINDS["web"].sizes["S"].cost, cost)
    reason = at_budget.refusal(add)
    assert reason.startswith("over budget") and preview(at_budget, add).refusal == reason
    assert site_view(Simulation(scenario(start, budget=cost / 2))).over_budget


def test_a_cost_a_rounding_error_over_the_budget_is_within_it():
    """1.0 + 1.6 + 3.2 is 5.800000000000001 in floats: a budget of 5.8 holds it, in the view
    and in the refusal alike."""
    start = build("box", "cache", "cache:M")
    sim = Simulation(scenario(start, budget=5.8))
    assert sim.cost_per_tick() > 5.8
    assert not site_view(sim).over_budget
    sim.apply(Action(0, "remove", target="cache-2"))
    assert sim.refusal(Action(0, "add", kind="cache", size="M")) == ""
    assert sim.refusal(Action(0, "add", kind="cache", size="L")).startswith("over budget")
    assert rules.over_budget(5.8 + 1e-6, 5.8) and not rules.over_budget(5.8, None)


def test_mid_failover_the_view_says_until_when():
    start = build("web", "primary", "replica")
    sim = Simulation(scenario(start, rps=50, incidents=[(3, "db-1")]))
    assert site_view(stepped(sim, 3)).failover_until is None
    shown = site_view(stepped(sim))
    assert shown.failover_until == 3 + catalog.FAILOVER_TICKS == sim.failover_until
    assert site_view(stepped(sim, catalog.FAILOVER_TICKS)).failover_until is None


def test_without_a_balancer_only_the_server_dns_picks_is_in_rotation():
    shown = site_view(stepped(Simulation(scenario(build("web", "web", "primary"), rps=50))))
    assert shown.dns_target == "web-1"
    picked, idle = shown.node("web-1"), shown.node("web-2")
    assert picked.in_rotation and picked.capacity == WEB_S and picked.utilization > 0
    assert not idle.in_rotation and idle.capacity == 0.0 and idle.utilization == 0.0
    balanced = site_view(stepped(Simulation(scenario(build("balancer", "web", "web", "primary")))))
    assert balanced.dns_target is None
    assert all(n.in_rotation for n in balanced.of_kind("web"))


# -- advice -------------------------------------------------------------------------------------


def _busy(rps: float, *extra: str, unlocked=None, budget=None) -> tuple[Simulation, view.SiteView]:
    """One S web server (100 req/s) serving static requests at `rps`: utilization rps/100."""
    start = build("web", "primary", *extra)
    sim = Simulation(scenario(start, rps=rps, mix=STATIC_ONLY, unlocked=unlocked, budget=budget))
    return sim, site_view(stepped(sim))


def test_advice_appears_at_the_saturation_line():
    assert _busy(WEB_S * catalog.SATURATED_AT * 0.999)[1].advice is None
    advice = _busy(WEB_S * catalog.SATURATED_AT)[1].advice
    assert advice is not None and advice.tier == "web"
    assert advice.utilization == pytest.approx(catalog.SATURATED_AT)


def test_advice_names_only_moves_unlocked_lacking_and_accepted():
    sim, shown = _busy(95)
    assert [(a.verb, a.kind, a.target, a.size) for a in shown.advice.remedies] == [
        ("add", "web", "", "S"),
        ("add", "balancer", "", "S"),
    ]  # no resize: it is advised only where nothing else is (test_advice.py)
    assert all(sim.refusal(a) == "" for a in shown.advice.remedies)
    _, with_balancer = _busy(95, "balancer")
    assert with_balancer.advice.remedies  # still advice, but not a second balancer
    assert all(a.kind != "balancer" for a in with_balancer.advice.remedies)
    _, only_web = _busy(95, unlocked=frozenset({"web"}))
    assert [(a.verb, a.kind) for a in only_web.advice.remedies] == [("add", "web")]
    sim, broke = _busy(95, budget=sim.cost_per_tick())  # every remedy costs more
    assert broke.advice.tier == "web" and broke.advice.remedies == ()
    assert sim.refusal(Action(0, "add", kind="web")).startswith("over budget")


# -- move previews ------------------------------------------------------------------------------


def test_a_resize_takes_its_component_out_for_its_boot_time():
    sim = Simulation(scenario(build("balancer", "web", "web", "primary", "replica")))
    for node_id, kind in (("web-1", "web"), ("db-1", "primary"), ("replica-1", "replica")):
        moved = preview(sim, Action(0, "resize", target=node_id, size="M"))
        boot = catalog.KINDS[kind].boot_ticks
        assert moved.allowed and moved.outage == moved.ready_in == boot
        assert moved.out_of_service == node_id
        sizes = catalog.KINDS[kind].sizes
        assert moved.cost_change == pytest.approx(sizes["M"].cost - sizes["S"].cost)


def test_a_store_switch_takes_the_data_tier_out_for_the_migration():
    sim = Simulation(scenario(build("web", "primary", "replica")))
    switch = Action(0, "configure", target="database", setting="store", value="keyvalue")
    moved = preview(sim, switch)
    assert moved.allowed and moved.outage == moved.ready_in == catalog.STORE_SWITCH_TICKS
    assert moved.out_of_service == "the data tier"
    sim.apply(switch)
    assert {n.state for n in sim.nodes() if n.kind in ("primary", "replica")} == {"booting"}
    assert all(
        n.until == catalog.STORE_SWITCH_TICKS
        for n in sim.nodes()
        if n.kind in ("primary", "replica")
    )


def test_a_promotion_stops_writes_for_its_time():
    sim = Simulation(scenario(build("web", "primary", "replica"), rps=50))
    moved = preview(sim, Action(0, "promote", target="replica-1"))
    assert moved.allowed and moved.outage == moved.ready_in == catalog.PROMOTE_TICKS
    assert moved.out_of_service == "writes"
    sim.apply(Action(0, "promote", target="replica-1"))
    assert sim.failover_until == catalog.PROMOTE_TICKS


@pytest.mark.parametrize(
    "unlocked, budget, action, words",
    [
        (frozenset({"web"}), None, Action(5, "add", kind="cache"), "not unlocked"),
        (frozenset({"web"}), None, Action(5, "resize", target="web-1", size="M"), "not unlocked"),
        (None, 2.8, Action(5, "add", kind="web"), "over budget"),
        (None, 2.8, Action(5, "resize", target="web-1", size="M"), "over budget"),
        (None, None, Action(5, "remove", target="db-1"), "promote a replica"),
    ],
)
def test_a_refused_move_carries_the_engines_reason(unlocked, budget, action, words):
    sim = Simulation(scenario(build("web", "primary"), unlocked=unlocked, budget=budget))
    moved = preview(sim, action)
    assert not moved.allowed and words in moved.refusal
    assert moved.action.tick == 0  # whoever makes it stamps the tick
    outcome = sim.apply(action)
    assert not outcome.accepted and outcome.reason == moved.refusal


def test_the_moves_on_offer_are_priced_by_the_same_preview():
    sim = Simulation(scenario(build("balancer", "web", "primary", "replica", "cache")))
    for moves in (view.add_moves(sim), view.node_moves(sim, "replica-1")):
        assert moves
        for move in moves:
            assert move == preview(sim, move.action)
            assert move.refusal == sim.refusal(move.action)
    verbs = {m.action.verb for m in view.node_moves(sim, "replica-1")}
    assert verbs == {"resize", "remove", "promote", "rule"}  # rule: its pool's scale rule
    assert view.node_moves(sim, "no-such") == ()


@pytest.mark.parametrize("balancer", ["round_robin", "least_connections"])
def test_each_web_server_shows_its_own_load_under_round_robin(balancer):
    """Round robin gives every server the same share, so a small one beside a big one is the
    busier; least connections (one shared queue in the model) evens them out."""
    built = build("balancer", "web:XL", "web", "primary:XL")
    settings = Settings(balancer=balancer)
    sim = Simulation(scenario(built, rps=200, mix=STATIC_ONLY, settings=settings))
    for _ in range(3):
        sim.step()
    shown = site_view(sim)
    tier = next(t for t in sim.last.tiers if t.name == "web")
    web = shown.of_kind("web")
    caps = [catalog.KINDS["web"].sizes[n.size].capacity for n in web]
    loads = [n.utilization for n in web]
    # the pool's load is their capacity-weighted mean either way
    assert sum(u * c for u, c in zip(loads, caps)) / sum(caps) == pytest.approx(tier.utilization)
    if balancer == "round_robin":
        assert loads[1] / loads[0] == pytest.approx(caps[0] / caps[1])  # S busier by XL / S
    else:
        assert loads[0] == pytest.approx(loads[1]) == pytest.approx(tier.utilization)
