"""What the simulation says about the moment: a failover under way, the server DNS picks."""

from __future__ import annotations

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine import catalog
from game.engine.actions import Action
from game.engine.simulation import Simulation
from game.engine.topology import HEALTHY

LEVEL = load_pack(BUILTIN_PACKS / "core").level("primary-down")


def test_failover_until_spans_the_automatic_promotion() -> None:
    sim = Simulation(LEVEL.scenario)
    replica = LEVEL.reference.actions[0]
    assert replica.verb == "add" and replica.kind == "replica"
    seen: list[tuple[int, int | None]] = []
    while not sim.done:
        if sim.tick == replica.tick:
            assert sim.apply(replica).accepted
        seen.append((sim.tick, sim.failover_until))
        sim.step()
    spans = [(t, until) for t, until in seen if until is not None]
    assert spans, "the primary fails in this level and a replica is promoted"
    start, until = spans[0]
    # The primary fails during tick start - 1; the promotion completes during tick `until`.
    assert until == start - 1 + catalog.FAILOVER_TICKS
    assert all(u == until for _, u in spans)  # one promotion, one deadline
    assert [t for t, _ in spans] == list(range(start, until + 1))  # and then it is over


def test_dns_target_names_the_one_server_without_a_balancer() -> None:
    level = load_pack(BUILTIN_PACKS / "core").level("one-address")
    sim = Simulation(level.scenario)
    first = sim.step()
    oldest = next(n.id for n in sim.nodes() if n.kind == "web")
    assert first.dns_target == oldest
    assert sim.apply(Action(sim.tick, "add", kind="balancer", size="S")).accepted
    targets = [sim.step().dns_target for _ in range(catalog.KINDS["balancer"].boot_ticks + 1)]
    booted = targets.index(None)  # from then on the balancer spreads the requests
    assert set(targets[:booted]) == {oldest}  # until it is up, DNS answers with one server
    assert sim.topology.of_kind("balancer")[0].state == HEALTHY
    assert all(t is None for t in targets[booted:])


def test_the_limit_refusal_is_plain_english() -> None:
    level = load_pack(BUILTIN_PACKS / "core").level("moving-out")  # a box; primaries unlocked
    sim = Simulation(level.scenario)
    assert sim.apply(Action(0, "add", kind="primary", size="S")).accepted
    refused = sim.apply(Action(0, "add", kind="primary", size="S"))
    assert not refused.accepted
    assert refused.reason == "a site has one database primary at most, and yours has it"
