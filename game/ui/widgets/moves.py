"""The moves a player can ask for on one component, shared by the inspector and the palette.

    resize to   [S · 1/tick] [L · 4/tick] [XL · 8/tick]       resizes(node, scenario)
    [remove] [promote to primary]                             node_moves(node, scenario)
    [TTL 15 s] [TTL 60 s] [evict LFU] [invalidate on write]   setting_choices(node, ...)

Each Choice carries the Action it asks for (stamped with tick 0: whoever sends it stamps the
tick). Whether a move can be carried out is the engine's call, not this module's: `enabled`
only says whether the level has unlocked that kind of move, so the inspector can draw the
button disabled. Nothing here computes a game rule; sizes, costs and the setting values on
offer come from the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.engine import catalog
from game.engine.actions import Action
from game.engine.scenario import Scenario, Settings
from game.engine.topology import Node
from game.ui.widgets import numbers

ALGORITHM_WORDS = {"round_robin": "round robin", "least_connections": "least connections"}
STORE_WORDS = {"relational": "relational", "keyvalue": "key-value"}
TTL_FACTORS = (("ttl-down", 0.5), ("ttl-up", 2.0))  # the TTL choices: half and double


@dataclass(frozen=True, slots=True)
class Choice:
    """One move on offer: an id (the inspector's button id), its label, whether the level lets
    the player ask for it, and the move it asks for (tick 0: the sender stamps the tick)."""

    id: str
    label: str
    enabled: bool
    action: Action


def resizes(node: Node, scenario: Scenario) -> tuple[Choice, ...]:
    """Resizing `node` to each of its kind's other sizes (none for a one-size kind)."""
    kind = catalog.KINDS[node.kind]
    if len(kind.sizes) == 1:
        return ()
    return tuple(
        Choice(
            f"resize-{size}",
            f"{size} · {numbers.money(spec.cost)}/tick",
            scenario.allows("resize"),
            Action(0, "resize", target=node.id, size=size),
        )
        for size, spec in kind.sizes.items()
        if size != node.size
    )


def node_moves(node: Node, scenario: Scenario) -> tuple[Choice, ...]:
    """Removing `node`, and promoting it if it is a replica."""
    out = [
        Choice("remove", "remove", scenario.allows("remove"), Action(0, "remove", target=node.id))
    ]
    if node.kind == "replica":
        out.append(
            Choice(
                "promote",
                "promote to primary",
                scenario.allows("promote"),
                Action(0, "promote", target=node.id),
            )
        )
    return tuple(out)


def setting_choices(node: Node, settings: Settings, scenario: Scenario) -> tuple[Choice, ...]:
    """The site settings a component of `node`'s kind is configured by, each value other than
    the current one: cache TTL, eviction and invalidation; the balancer's algorithm; the
    database's store (on the primary)."""
    allowed = scenario.allows("configure")

    def configure(target: str, setting: str, value: str | float | bool) -> Action:
        return Action(0, "configure", target=target, setting=setting, value=value)

    out = []
    if node.kind == "cache":
        for button, factor in TTL_FACTORS:
            ttl = settings.ttl_s * factor
            out.append(Choice(button, f"TTL {ttl:g} s", allowed, configure("cache", "ttl", ttl)))
        for eviction in catalog.EVICTIONS:
            if eviction != settings.eviction:
                out.append(
                    Choice(
                        f"evict-{eviction}",
                        f"evict {eviction.upper()}",
                        allowed,
                        configure("cache", "eviction", eviction),
                    )
                )
        flip = not settings.invalidate_on_write
        out.append(
            Choice(
                "invalidate",
                "invalidate on write" if flip else "stop invalidating",
                allowed,
                configure("cache", "invalidate_on_write", flip),
            )
        )
    elif node.kind == "balancer":
        for algorithm in catalog.BALANCER_ALGORITHMS:
            if algorithm != settings.balancer:
                out.append(
                    Choice(
                        f"algorithm-{algorithm}",
                        f"use {ALGORITHM_WORDS.get(algorithm, algorithm)}",
                        allowed,
                        configure("balancer", "algorithm", algorithm),
                    )
                )
    elif node.kind == "primary":
        for store in catalog.STORES:
            if store != settings.store:
                out.append(
                    Choice(
                        f"store-{store}",
                        f"switch to {STORE_WORDS.get(store, store)} store",
                        allowed,
                        configure("database", "store", store),
                    )
                )
    return tuple(out)
