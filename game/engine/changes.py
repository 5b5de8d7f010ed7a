"""What happens to the site at the start of a tick, before any request arrives.

In a fixed order: the tick's scheduled incidents, then the changes that fall due (random
failures, and boots: a new or resized component, a repair, the end of a migration), then a
promotion that completes. A primary that fails starts a failover when a healthy replica can
take over, and a rebuild from backup when none can.
"""

from __future__ import annotations

from game.engine import catalog
from game.engine.scenario import Settings
from game.engine.state import RunState
from game.engine.topology import FAILED, HEALTHY, Node, Topology


def start_tick(topology: Topology, settings: Settings, state: RunState, t: int) -> None:
    """Everything that happens to the components at the start of tick `t`."""
    for target in state.incidents.get(t, ()):
        node = topology.nodes.get(target)
        if node is not None and node.state != FAILED:
            _fail(topology, settings, state, node, t, scheduled=True)
    for what, node in topology.due(t):
        if what == "fail":
            _fail(topology, settings, state, node, t, scheduled=False)
            continue
        topology.mark_ready(node, t)
        state.events.log(t, "booted", node.id, f"{node.id} is up")
        if node.kind == "primary" and not state.store_moved:
            state.store_moved = True
            state.events.log(t, "moved", node.id, f"the database moved off the box to {node.id}")
    promotion = state.replication.completing(t)
    if promotion is not None:
        _promote(topology, state, t, promotion.candidate)


def _fail(
    topology: Topology, settings: Settings, state: RunState, node: Node, t: int, scheduled: bool
) -> None:
    repair = catalog.KINDS[node.kind].repair_ticks
    note = ""
    if node.kind == "primary" and settings.store == "relational":
        healthy = [r for r in topology.of_kind("replica") if r.state == HEALTHY]
        if healthy and state.replication.promotion is None:
            lost = state.replication.fail_over(t, healthy)
            note = f"; failing over to a replica, {lost:.0f} unreplicated writes lost"
        elif not healthy:
            repair = catalog.REBUILD_TICKS
            note = "; no replica to promote: rebuilding from backup"
    elif node.kind == "cache":
        note = "; its keys now go to the database"
    topology.fail(node, t, repair)
    cause = "scheduled incident" if scheduled else "random failure"
    state.events.log(t, "failed", node.id, f"{node.id} failed ({cause}){note}")


def _promote(topology: Topology, state: RunState, t: int, candidate: str) -> None:
    """A promotion completes: its candidate, or the oldest healthy replica, becomes primary."""
    chosen = topology.nodes.get(candidate) if candidate else None
    if chosen is None or chosen.state != HEALTHY or chosen.kind != "replica":
        chosen = next((r for r in topology.of_kind("replica") if r.state == HEALTHY), None)
    if chosen is None:
        state.events.log(
            t, "failover", "", "no healthy replica left to promote; waiting for repair"
        )
        return
    for old in topology.of_kind("primary"):
        topology.change_kind(old, "replica")
    topology.change_kind(chosen, "primary")
    state.store_moved = True
    state.replication.restart()
    state.events.log(t, "promoted", chosen.id, f"{chosen.id} is the new primary")
