"""Advice: the most saturated tier, and the moves this level offers now that would relieve it.

The view (view.py) hands it to the screens; a move is named only where the level unlocks it,
the site lacks it and the engine would carry it out now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from game.engine import catalog, sharding
from game.engine.actions import Action
from game.engine.report import TierReport
from game.engine.topology import BOOTING

if TYPE_CHECKING:
    from game.engine.simulation import Simulation

# Component kind -> the reported tiers it may serve in, in order of preference. A tier is named
# after its role: the single box reports as "box" while it holds the database, a key-value store
# puts primary and replicas in one "keyvalue" tier. Balancers and the CDN are not queues.
TIERS_OF_KIND: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "box": ("box", "web"),
        "web": ("web",),
        "cache": ("cache",),
        "sessions": ("sessions",),
        "primary": ("keyvalue", "primary"),
        "replica": ("keyvalue", "replicas"),
    }
)
WORKERS = "workers"  # the workers' load is the level's jobs, not a reported tier (JobsView)


@dataclass(frozen=True, slots=True)
class Advice:
    """A saturated tier, and the moves that would relieve it that this level offers now."""

    tier: str
    utilization: float
    remedies: tuple[Action, ...]  # tick 0; moves the engine would carry out now


# The moves that relieve each tier, in the order they are suggested. "add" adds one more of a
# kind; "front" adds one in front of the tier, only while the site has none; "bigger" resizes
# the tier's smallest component one size up, only where nothing else is on offer; "shard"
# splits the primary over more shards, where the level unlocks it.
_REMEDIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "box": ("add:primary", "bigger"),
        WORKERS: ("add:worker",),
        "web": ("add:web", "front:balancer", "front:queue", "bigger"),
        "cache": ("add:cache",),
        "sessions": ("add:sessions", "bigger"),
        "primary": ("shard", "add:replica", "front:cache", "bigger"),
        "replicas": ("add:replica", "front:cache", "bigger"),
        "keyvalue": ("add:replica", "front:cache"),
    }
)


def advice_for(sim: Simulation, tiers: Mapping[str, TierReport]) -> Advice | None:
    """The most saturated tier past catalog.SATURATED_AT, with what would relieve it."""
    busy = [(t.utilization, t.name) for t in tiers.values() if t.servers]
    work = sim.last.jobs if sim.last is not None else None
    if work is not None and work.utilization is not None:  # the workers behind the queue
        busy.append((work.utilization, WORKERS))
    utilization, name = max(busy, key=lambda b: b[0], default=(0.0, ""))
    if utilization < catalog.SATURATED_AT:
        return None
    remedies = []
    last = sim.last
    if last is not None and last.wasted > 0 and not sim.settings.shed:
        # Its servers answer clients that have gone: more of them would answer more of those.
        shed = Action(0, "configure", target="balancer", setting="shed", value=True)
        if not sim.refusal(shed):
            remedies.append(shed)
    for remedy in _REMEDIES.get(name, ()):
        if remedy == "bigger" and remedies:
            continue  # a resize restarts a member of a tier already saturated: only a last resort
        action = _remedy(sim, name, remedy)
        if action is not None and not sim.refusal(action):
            remedies.append(action)
    return Advice(name, utilization, tuple(remedies))


def _remedy(sim: Simulation, tier: str, remedy: str) -> Action | None:
    verb, _, kind = remedy.partition(":")
    if verb == "shard":  # the next shard count on offer (refused where sharding is locked)
        return next(iter(sharding.moves("primary", sim.settings, sim.scenario, more=True)), None)
    front = verb == "front"
    if verb in ("add", "front"):
        if front and sim.topology.of_kind(kind):
            return None  # one is in front already
        spec = catalog.KINDS[kind]
        return Action(0, "add", kind=kind, size=next(iter(spec.sizes)))
    members = [
        n for n in sim.nodes() if tier in TIERS_OF_KIND.get(n.kind, ()) and n.state != BOOTING
    ]
    if not members:
        return None
    smallest = min(members, key=lambda n: catalog.SIZES.index(n.size))
    sizes = list(catalog.KINDS[smallest.kind].sizes)
    position = sizes.index(smallest.size)
    if position + 1 >= len(sizes):
        return None
    return Action(0, "resize", target=smallest.id, size=sizes[position + 1])
