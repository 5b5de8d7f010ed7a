"""Advice names only moves the level unlocks and the site lacks (engine/view.py)."""

from __future__ import annotations

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.scenario import Settings
from game.engine.simulation import Simulation
from game.engine.traffic import Mix
from game.engine.view import site_view
from tests.engine.scenarios import build, scenario

READS_ONLY = Mix(static=0.0, read=1.0, write=0.0, join=0.0)


def _saturated(*parts: str, rps: float, settings: Settings | None = None):
    sim = Simulation(scenario(build(*parts), rps=rps, mix=READS_ONLY, settings=settings))
    for _ in range(5):
        sim.step()
    return site_view(sim).advice


def test_advice_for_busy_replicas_names_a_cache_only_while_there_is_none():
    without = _saturated("web:XL", "web:XL", "balancer", "primary", "replica", rps=900)
    assert without is not None and without.tier in ("primary", "replicas")
    assert "cache" in [a.kind for a in without.remedies]
    # A one-second TTL keeps the hit ratio low, so the replicas stay saturated behind the cache.
    with_cache = _saturated(
        "web:XL", "web:XL", "balancer", "primary", "replica", "cache",
        rps=1200, settings=Settings(ttl_s=1.0),
    )  # fmt: skip
    assert with_cache is not None and with_cache.tier in ("primary", "replicas")
    assert with_cache.remedies  # still advice: another replica, a bigger one
    assert "cache" not in [a.kind for a in with_cache.remedies]


def test_a_busy_cache_tier_is_still_advised_another_cache_node():
    from game.engine.advice import advice_for as _advice
    from game.engine.report import TierReport

    sim = Simulation(scenario(build("web", "primary", "cache"), rps=10))
    sim.step()
    busy = TierReport("cache", "cache", 1, 100.0, 120.0, 100.0, 0, 20.0, 1.2, None)
    advice = _advice(sim, {"cache": busy})
    assert [(a.verb, a.kind) for a in advice.remedies] == [("add", "cache")]


def test_level_one_advises_only_what_it_unlocks():
    level = load_pack(BUILTIN_PACKS / "core").level("launch-day")
    unlocked = level.scenario.unlocked
    sim = Simulation(level.scenario, seed=1)
    advised = []
    while not sim.done:
        sim.step()
        advice = site_view(sim).advice
        if advice is not None:
            advised.extend(advice.remedies)
    assert advised, "launch day saturates its box at some point"
    assert all((a.kind if a.verb == "add" else a.verb) in unlocked for a in advised)


def test_a_box_booting_after_a_resize_says_what_its_new_size_serves():
    """At the tick of a resize the last report still has the old size's rate: the view gives
    the new size's, not the old one's."""
    from game.engine import catalog
    from game.engine.actions import Action

    level = load_pack(BUILTIN_PACKS / "core").level("launch-day")
    sim = Simulation(level.scenario, seed=1)
    for _ in range(5):
        sim.step()
    sim.apply(Action(sim.tick, "resize", target="box-1", size="L"))
    box = site_view(sim).node("box-1")
    assert box.state == "booting" and box.capacity == 0.0
    assert box.full_capacity == catalog.KINDS["box"].sizes["L"].capacity


def test_a_saturated_pool_that_can_grow_is_not_advised_a_resize():
    """A resize restarts the server: advised beside "add a web server", it would take a member
    of a tier already at its limit out for its boot. It is advised only where nothing else is."""
    pool = _saturated("balancer", "web", "web", "primary:XL", rps=190)
    assert pool is not None and pool.tier == "web"
    assert [(a.verb, a.kind) for a in pool.remedies] == [("add", "web")]
    level = load_pack(BUILTIN_PACKS / "core").level("bigger-box")  # web and resize only
    sim = Simulation(level.scenario, seed=1)
    verbs = set()
    while not sim.done:
        sim.step()
        advice = site_view(sim).advice
        if advice is not None:
            verbs |= {a.verb for a in advice.remedies}
    assert "resize" in verbs  # where no add is unlocked, the resize is the advice
