"""Random failures strike only the kinds a level lists; a standby balancer takes the address."""

from dataclasses import replace
from pathlib import Path

import pytest

from game.content.errors import LevelError
from game.content.loader import parse_level
from game.engine import catalog
from game.engine.actions import Action
from game.engine.scenario import RandomFailures
from game.engine.simulation import Simulation, run
from tests.engine.scenarios import build, scenario

POOL = build("balancer", "web:M", "web:M", "web:M", "primary:L", "replica:L", "cache:M")


def failed_ids(level, seed: int) -> set[str]:
    sim = Simulation(level, seed)
    ids = set()
    while not sim.done:
        sim.step()
        ids.update(e.component for e in sim.take_events() if e.kind == "failed")
        ids.update(e.component for e in sim.last.events if e.kind == "failed")
    return ids


def flaky(kinds: tuple[str, ...], scale: float = 0.02):
    """A pool whose components fail every minute or so, on average."""
    level = scenario(POOL, rps=200.0, duration=600)
    return replace(level, failures=RandomFailures(True, scale, kinds))


def test_a_lone_primary_never_fails_when_only_web_fails_at_random():
    for seed in range(5):
        failed = failed_ids(flaky(("web",)), seed)
        assert failed and all(i.startswith("web-") for i in failed), (seed, failed)


def test_a_listed_kind_does_fail_at_random():
    # The same site with the primary listed: its MTBF scaled to 72 ticks in a 600-tick run.
    assert any("db-1" in failed_ids(flaky(("web", "primary")), seed) for seed in range(5))


def test_a_replica_promoted_to_primary_no_longer_fails_at_random():
    """The failure filter follows a node's role, not the kind it was added as."""
    primary_failures = promoted = 0
    for seed in range(8):
        sim = Simulation(flaky(("replica",), 0.05), seed)
        sim.apply(Action(0, "promote", target="replica-1"))
        while not sim.done:
            primary = {n.id for n in sim.nodes() if n.kind == "primary"}
            promoted += "replica-1" in primary
            sim.step()
            failed = {
                e.component for e in sim.take_events() + sim.last.events if e.kind == "failed"
            }
            primary_failures += len(failed & primary)
    assert promoted > 0
    assert primary_failures == 0


def test_by_default_random_failures_spare_the_kinds_a_pool_cannot_cover():
    assert RandomFailures().kinds == catalog.RANDOM_FAILURE_KINDS
    assert "balancer" not in catalog.RANDOM_FAILURE_KINDS
    assert "primary" not in catalog.RANDOM_FAILURE_KINDS
    for seed in range(3):
        failed = failed_ids(flaky(RandomFailures().kinds, 0.005), seed)
        assert failed and not failed & {"lb-1", "db-1"}, failed


def test_an_unknown_kind_is_refused_by_name():
    with pytest.raises(ValueError, match="'gremlin'.*not a component kind"):
        RandomFailures(True, 1.0, ("web", "gremlin"))


def test_results_differ_across_seeds_with_random_failures_and_not_without():
    on = flaky(("web", "cache", "replica"), 0.05)
    scores = {round(run(on, seed=s).scores["availability"], 12) for s in range(6)}
    assert len(scores) > 1
    off = replace(on, failures=RandomFailures())
    assert len({run(off, seed=s).scores["availability"] for s in range(6)}) == 1


# -- the standby balancer --------------------------------------------------------------------------

DOWN_AT = 100


def down_ticks(start, actions=(), incidents=((DOWN_AT, "lb-1"),), duration=300) -> list[int]:
    """The ticks at which requests failed because no balancer answered."""
    level = scenario(start, rps=100.0, duration=duration, incidents=incidents)
    sim = Simulation(level)
    pending = sorted(actions, key=lambda a: a.tick)
    ticks = []
    while not sim.done:
        while pending and pending[0].tick == sim.tick:
            assert sim.apply(pending.pop(0)).accepted
        report = sim.step()
        if report.failed.get("balancer_down", 0) > 0:
            ticks.append(report.tick)
    return ticks


def test_a_lone_balancer_takes_the_site_down_until_it_is_repaired():
    repair = catalog.KINDS["balancer"].repair_ticks
    ticks = down_ticks(build("balancer", "web", "web", "primary"))
    assert ticks == list(range(DOWN_AT, DOWN_AT + repair))


def test_a_standby_takes_over_the_address_after_the_failover():
    ticks = down_ticks(build("balancer", "balancer", "web", "web", "primary"))
    assert ticks == list(range(DOWN_AT, DOWN_AT + catalog.BALANCER_FAILOVER_TICKS))


def test_a_standby_added_during_play_takes_over_once_it_is_up():
    add = Action(10, "add", kind="balancer")
    ticks = down_ticks(build("balancer", "web", "web", "primary"), [add])
    assert ticks == list(range(DOWN_AT, DOWN_AT + catalog.BALANCER_FAILOVER_TICKS))


def test_the_standby_dying_costs_nothing_and_keeps_the_address_once_it_holds_it():
    start = build("balancer", "balancer", "web", "web", "primary")
    assert down_ticks(start, incidents=((DOWN_AT, "lb-2"),)) == []
    # lb-2 took over at the first failure; lb-1, repaired, is now the standby.
    later = DOWN_AT + catalog.KINDS["balancer"].repair_ticks + 20
    ticks = down_ticks(start, incidents=((DOWN_AT, "lb-1"), (later, "lb-1")))
    assert ticks == list(range(DOWN_AT, DOWN_AT + catalog.BALANCER_FAILOVER_TICKS))


def test_a_site_has_two_balancers_at_most():
    level = scenario(build("balancer", "balancer", "web", "primary"), duration=50)
    sim = Simulation(level)
    outcome = sim.apply(Action(0, "add", kind="balancer"))
    assert not outcome.accepted and "2 load balancers at most" in outcome.reason


# -- the level file's [failures] table -------------------------------------------------------------

MINIMAL = Path(__file__).parent.parent / "data" / "level_minimal.toml"


def test_a_level_lists_the_kinds_that_fail_at_random():
    text = MINIMAL.read_text() + '\n[failures]\nrandom = true\nkinds = ["web", "cache"]\n'
    _, level = parse_level(text, "level.toml")
    assert level.failures == RandomFailures(True, 1.0, ("web", "cache"))
    _, default = parse_level(MINIMAL.read_text() + "\n[failures]\nrandom = true\n", "level.toml")
    assert default.failures.kinds == catalog.RANDOM_FAILURE_KINDS


@pytest.mark.parametrize(
    ("kinds", "words"),
    [
        ('["web", "gremlin"]', 'failures.kinds[1]: must be one of "box", "web"'),
        ('["web", "web"]', 'failures.kinds[1]: "web" is listed twice; list it once'),
    ],
)
def test_a_kind_that_cannot_fail_is_named_with_its_line(kinds, words):
    text = MINIMAL.read_text() + f"\n[failures]\nrandom = true\nkinds = {kinds}\n"
    with pytest.raises(LevelError) as error:
        parse_level(text, "level.toml")
    line = text.splitlines().index(f"kinds = {kinds}") + 1
    assert f"level.toml:{line}: {words}" in str(error.value)
