"""The simulation says when a failover is under way, and until which tick."""

from __future__ import annotations

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine import catalog
from game.engine.simulation import Simulation

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
