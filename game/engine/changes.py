"""What happens to the site at the start of a tick, before any request arrives.

Boots first (`bring_up`): a new or resized component, a repair or the end of a migration that
ends at tick t is up before the player's moves of tick t, so a move sees the site the tick
runs with (a replica whose boot ends at t can be promoted at t). Then, when the tick is
simulated (`start_tick`), in a fixed order: the tick's scheduled incidents, the random failures
that fall due, and a promotion that completes. A primary that fails starts a failover when a
healthy replica can take over, waits for a replica that is still booting, and is rebuilt from
backup when there is no replica at all.
"""

from __future__ import annotations

from game.engine import catalog
from game.engine.replication import Promotion
from game.engine.scenario import Settings
from game.engine.state import RunState
from game.engine.topology import BOOTING, FAILED, HEALTHY, Node, Topology


def bring_up(topology: Topology, state: RunState, t: int) -> None:
    """The components whose boot or repair ends by tick `t` are up."""
    for node in topology.ready_due(t):
        topology.mark_ready(node, t)
        state.events.log(t, "booted", node.id, f"{node.id} is up")
        if node.kind == "replica":
            state.replication.booted(node.id)
        if node.kind == "primary" and not state.store_moved:
            state.store_moved = True
            state.events.log(t, "moved", node.id, f"the database moved off the box to {node.id}")
    until = state.resharding_until
    if until is not None and t >= until:
        state.resharding_until = None
        primary = topology.of_kind("primary")
        name = primary[0].id if primary else ""
        text = f"the keys have moved: {topology.shards} shards serve at full capacity"
        state.events.log(t, "booted", name, text)


def start_tick(topology: Topology, settings: Settings, state: RunState, t: int) -> None:
    """The failures of tick `t`, and a promotion that completes at it."""
    for target in state.incidents.get(t, ()):
        node = topology.nodes.get(target)
        if node is not None and node.state != FAILED:
            _fail(topology, settings, state, node, t, scheduled=True)
    for node in topology.failures_due(t):
        _fail(topology, settings, state, node, t, scheduled=False)
    promotion = state.replication.completing(t)
    if promotion is not None:
        _promote(topology, state, t, promotion)


def fail_by_hand(
    topology: Topology, settings: Settings, state: RunState, node: Node, t: int
) -> None:
    """A sandbox incident: `node` fails now, as a scheduled incident would."""
    _fail(topology, settings, state, node, t, scheduled=True, cause="fired by hand")


def _fail(
    topology: Topology,
    settings: Settings,
    state: RunState,
    node: Node,
    t: int,
    scheduled: bool,
    cause: str = "",
) -> None:
    repair = catalog.KINDS[node.kind].repair_ticks
    note = ""
    if node.kind == "primary" and settings.store == "relational":
        replicas = topology.of_kind("replica")
        healthy = [r for r in replicas if r.state == HEALTHY]
        booting = _first_booting(replicas)
        replication = state.replication
        if healthy and replication.promotion is None:
            lost = replication.fail_over(t)
            note = f"; failing over to a replica, {lost:.0f} unreplicated writes lost"
        elif booting is not None and not healthy and replication.promotion is None:
            lost = replication.await_boot(t, booting)
            note = f"; {booting.id} takes over once it is up, {lost:.0f} writes since its copy lost"
        elif not healthy and booting is None:
            repair = catalog.REBUILD_TICKS
            note = "; no replica to promote: rebuilding from backup"
    elif node.kind == "cache":
        note = "; its keys now go to the database"
    topology.fail(node, t, repair)
    cause = cause or ("scheduled incident" if scheduled else "random failure")
    state.events.log(t, "failed", node.id, f"{node.id} failed ({cause}){note}")


def _first_booting(replicas: tuple[Node, ...]) -> Node | None:
    """The booting replica that is up first (the oldest among equals), if any."""
    booting = [r for r in replicas if r.state == BOOTING]
    return min(booting, key=lambda r: (r.until, r.order)) if booting else None


def _promote(topology: Topology, state: RunState, t: int, promotion: Promotion) -> None:
    """A promotion completes: its candidate, or the oldest healthy replica, becomes primary.
    With none healthy it waits for a booting one; with no replica left, it gives up (and a
    primary that was waiting for a booting replica is rebuilt from backup)."""
    candidate = promotion.candidate
    chosen = topology.nodes.get(candidate) if candidate else None
    replicas = topology.of_kind("replica")
    if chosen is None or chosen.state != HEALTHY or chosen.kind != "replica":
        chosen = next((r for r in replicas if r.state == HEALTHY), None)
    if chosen is None:
        booting = _first_booting(replicas)
        if booting is not None:
            state.replication.wait_for(promotion, booting.until)
            return
        note = "waiting for repair"
        primary = topology.of_kind("primary")
        if promotion.rebuild and primary and primary[0].state == FAILED:
            topology.fail(primary[0], promotion.since, catalog.REBUILD_TICKS)
            note = "rebuilding the primary from backup"
        state.events.log(t, "failover", "", f"no healthy replica left to promote; {note}")
        return
    for old in topology.of_kind("primary"):
        topology.change_kind(old, "replica")
    topology.change_kind(chosen, "primary")
    state.store_moved = True
    state.replication.restart()
    state.events.log(t, "promoted", chosen.id, f"{chosen.id} is the new primary")
