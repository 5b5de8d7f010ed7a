"""Plays derived from a level itself: what a player might try, built from the level's unlocks,
budget, limits, starting build, traffic and reference, never written by hand for one level.

    brute force     the biggest of everything unlocked, early, as much as budget and limits
                    allow (each move tried on the engine, only accepted ones kept)
    scale up        every component of the start resized as far as the budget allows, once,
                    at the quietest tick before the peak
    follow the load a player who watches each tier's load and acts ahead of the traffic:
                    "out" adds the smallest server to a pool that will be busy; "up" resizes
                    instead; "mixed" adds where a pool can grow and resizes where it cannot
    delayed         the reference with every move a share of the level's length later

Each takes a Lesson to withhold (or None): a move that would apply it is never made.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from game.content.lessons import Lesson, Node
from game.engine import catalog
from game.engine.actions import CONFIGURABLE, Action, Outcome
from game.engine.scenario import ADDABLE, Scenario
from game.engine.simulation import Simulation
from game.engine.topology import BOOTING, HEALTHY
from game.engine.traffic import Traffic

BRUTE_FORCE_AT = (0.0, 0.05, 0.10, 0.15)  # shares of the level: when brute force shops
FOLLOW_EVERY = 5  # ticks between looks at the load
FOLLOW_MARGIN = 10  # ticks of lead beyond a new server's boot
FOLLOW_TARGET = 0.85  # the load a follower keeps its tiers under
FOLLOW_LEAN = 1.0  # a lean follower's: capacity just in time
MAX_ADDS_AT_ONCE = 8

# The reported tier -> the kind a follower adds to relieve it.
_ADD_FOR_TIER = {
    "web": "web",
    "box": "primary",
    "cache": "cache",
    "primary": "replica",
    "replicas": "replica",
    "keyvalue": "replica",
}
_SETTING_VALUES = {
    "algorithm": catalog.BALANCER_ALGORITHMS,
    "ttl": catalog.TTL_CHOICES_S,
    "eviction": catalog.EVICTIONS,
    "invalidate_on_write": (True, False),
    "store": catalog.STORES,
    "shards": catalog.SHARD_CHOICES,
    "shed": (True, False),
    "policy": catalog.RETRY_POLICIES,
    "budget": catalog.RETRY_BUDGET_CHOICES,
}
_RETRY_SETTINGS = ("shed", "policy", "budget")  # offered only where the level's clients retry
_SETTING_FIELDS = {
    "algorithm": "balancer",
    "ttl": "ttl_s",
    "eviction": "eviction",
    "invalidate_on_write": "invalidate_on_write",
    "store": "store",
    "shards": "shards",
    "shed": "shed",
}


def start_nodes(scenario: Scenario) -> tuple[Node, ...]:
    """The starting build as the engine names it."""
    return tuple(Node(n.id, n.kind, n.size) for n in Simulation(scenario).nodes())


def vocabulary(scenario: Scenario, start: Sequence[Node]) -> tuple[Action, ...]:
    """Every move the level offers, at tick 0: adding each unlocked kind at each size, resizing,
    removing and promoting one component of each (kind, size) of the start, and each value of
    each setting other than the start's."""
    moves: list[Action] = []
    for kind in ADDABLE:
        if scenario.allows(kind):
            moves.extend(Action(0, "add", kind=kind, size=s) for s in catalog.KINDS[kind].sizes)
    seen: set[tuple[str, str]] = set()
    for node in start:
        if (node.kind, node.size) in seen:
            continue
        seen.add((node.kind, node.size))
        sizes = catalog.KINDS[node.kind].sizes
        if scenario.allows("resize") and len(sizes) > 1:
            moves.extend(
                Action(0, "resize", target=node.id, size=s) for s in sizes if s != node.size
            )
        if scenario.allows("remove") and node.kind not in ("box", "primary"):
            moves.append(Action(0, "remove", target=node.id))
        if scenario.allows("promote") and node.kind == "replica":
            moves.append(Action(0, "promote", target=node.id))
    if scenario.allows("configure"):
        for target, settings in CONFIGURABLE.items():
            for setting in settings:
                retries = scenario.settings.retries
                if setting in _RETRY_SETTINGS and retries is None:
                    continue
                if setting == "shards" and not scenario.allows("shards"):
                    continue
                if setting in ("policy", "budget"):
                    current = getattr(retries, setting)
                else:
                    current = getattr(scenario.settings, _SETTING_FIELDS[setting])
                moves.extend(
                    Action(0, "configure", target=target, setting=setting, value=value)
                    for value in _SETTING_VALUES[setting]
                    if value != current
                )
    return tuple(moves)


def delayed(plan: Sequence[Action], ticks: int) -> tuple[Action, ...]:
    """The plan with every move `ticks` later (a move pushed past the end is not made)."""
    return tuple(at_tick(a, a.tick + ticks) for a in plan)


def at_tick(action: Action, tick: int) -> Action:
    return dataclasses.replace(action, tick=tick)


def peak_tick(traffic: Traffic, duration: int) -> int:
    return max(range(duration), key=lambda t: (traffic.rate(t), -t))


def quiet_tick(traffic: Traffic, duration: int) -> int:
    """The tick with the least traffic before the peak (the earliest of equals)."""
    peak = peak_tick(traffic, duration)
    return min(range(max(1, peak)), key=lambda t: (traffic.rate(t), t))


def scale_up_plan(
    scenario: Scenario, start: Sequence[Node], tick: int, lesson: Lesson | None
) -> tuple[Action, ...]:
    """Resize the start's components one size at a time, in turn, while the budget allows; each
    is resized once, to its last size, at `tick`."""
    if not scenario.allows("resize"):
        return ()
    sizes = {n.id: n.size for n in start if len(catalog.KINDS[n.kind].sizes) > 1}
    kinds = {n.id: n.kind for n in start}
    cost = sum(catalog.KINDS[n.kind].sizes[n.size].cost for n in start)
    budget = math.inf if scenario.budget is None else scenario.budget
    grew = True
    while grew:
        grew = False
        for node_id, size in sizes.items():
            order = list(catalog.KINDS[kinds[node_id]].sizes)
            if order.index(size) + 1 >= len(order):
                continue
            bigger = order[order.index(size) + 1]
            spec = catalog.KINDS[kinds[node_id]].sizes
            extra = spec[bigger].cost - spec[size].cost
            move = Action(tick, "resize", target=node_id, size=bigger)
            if cost + extra <= budget + 1e-9 and _permitted(lesson, start, [move]):
                sizes[node_id], cost, grew = bigger, cost + extra, True
    by_id = {n.id: n for n in start}
    return tuple(
        Action(tick, "resize", target=i, size=s) for i, s in sizes.items() if s != by_id[i].size
    )


def _permitted(
    lesson: Lesson | None,
    start: Sequence[Node],
    actions: Sequence[Action],
    made: Sequence[str] = (),
) -> bool:
    return lesson is None or lesson.withheld(actions, start, made)


class _Moves:
    """A policy's moves in one run: tried on the engine first, made only if it would accept
    them and they still withhold the lesson."""

    def __init__(self, sim: Simulation, apply, lesson: Lesson | None, start) -> None:
        self.sim, self.apply, self.lesson, self.start = sim, apply, lesson, start
        self.accepted: list[Action] = []
        self.made: list[str] = []

    def make(self, action: Action) -> bool:
        if self.sim.refusal(action):
            return False
        if not _permitted(self.lesson, self.start, [*self.accepted, action], [*self.made, ""]):
            return False
        outcome: Outcome = self.apply(action)
        if outcome.accepted:
            self.accepted.append(action)
            self.made.append(outcome.component)
        return outcome.accepted


@dataclass(frozen=True, slots=True)
class BruteForce:
    """At a few early ticks: add the biggest of every unlocked kind that the engine accepts
    (first one of each kind the site lacks, then round after round of every kind until nothing
    more fits), then resize every component to the biggest size it accepts."""

    lesson: Lesson | None
    start: tuple[Node, ...]

    def player(self, sim: Simulation, apply: Callable[[Action], Outcome]) -> Callable[[], None]:
        moves = _Moves(sim, apply, self.lesson, self.start)
        shopping = {round(share * sim.scenario.duration) for share in BRUTE_FORCE_AT}
        return lambda: self._shop(sim, moves) if sim.tick in shopping else None

    def _shop(self, sim: Simulation, moves: _Moves) -> None:
        t = sim.tick
        kinds = [k for k in ADDABLE if sim.scenario.allows(k)]
        have = {n.kind for n in sim.nodes()}
        for kind in kinds:  # one of each kind the site lacks comes first
            if kind not in have:
                any(moves.make(Action(t, "add", kind=kind, size=s)) for s in _biggest_first(kind))
        while any(
            [
                any(moves.make(Action(t, "add", kind=k, size=s)) for s in _biggest_first(k))
                for k in kinds
            ]
        ):
            pass
        if sim.scenario.allows("resize"):
            for node in sim.nodes():
                for size in _biggest_first(node.kind):
                    if size == node.size or moves.make(
                        Action(t, "resize", target=node.id, size=size)
                    ):
                        break


def _biggest_first(kind: str) -> list[str]:
    return list(reversed(catalog.KINDS[kind].sizes))


# The reported tier -> the kinds of its servers.
_MEMBERS = {
    "web": ("web", "box"),
    "box": ("box",),
    "cache": ("cache",),
    "primary": ("primary",),
    "replicas": ("replica",),
    "keyvalue": ("primary", "replica"),
}


@dataclass(frozen=True, slots=True)
class FollowLoad:
    """Every few ticks, look at each tier's load, scaled by the traffic coming over the time a
    change needs to take effect, and act where it would pass `target`: "out" adds the
    smallest server of the kind that relieves the tier (a balancer first for a web tier that
    has none), "up" resizes the tier's smallest server to a size that carries the rest of
    the level's peak, "mixed" adds where adding relieves the tier and resizes where it cannot
    (a primary's writes, a box or a web server with no balancer in front)."""

    mode: str  # "out", "up" or "mixed"
    target: float  # the load it keeps each tier under
    lesson: Lesson | None
    start: tuple[Node, ...]

    def player(self, sim: Simulation, apply: Callable[[Action], Outcome]) -> Callable[[], None]:
        moves = _Moves(sim, apply, self.lesson, self.start)
        traffic = sim.scenario.traffic
        rates = [traffic.rate(t) for t in range(sim.scenario.duration)]
        return lambda: self._look(sim, moves, rates)

    def _look(self, sim: Simulation, moves: _Moves, rates: list[float]) -> None:
        t = sim.tick
        if t % FOLLOW_EVERY or sim.last is None:
            return
        now = max(rates[t], 1e-9)
        nodes = sim.nodes()
        for tier in sim.last.tiers:
            if not tier.servers or tier.utilization <= 0:
                continue
            relief = self._relief(sim, tier.name, nodes)
            if relief and self.mode != "up":
                lead = catalog.KINDS[relief].boot_ticks + FOLLOW_MARGIN
                ahead = tier.utilization * max(rates[t : t + lead]) / now
                if ahead > self.target:
                    peak = tier.utilization * max(rates[t:]) / now
                    _add(moves, relief, tier.name, tier.servers, ahead, peak, nodes, self.target)
            elif self.mode != "out":
                lead = catalog.KINDS[_MEMBERS[tier.name][0]].boot_ticks + FOLLOW_MARGIN
                if tier.utilization * max(rates[t : t + lead]) / now > self.target:
                    peak = tier.utilization * max(rates[t:]) / now
                    _resize(moves, tier.name, peak / self.target, nodes)

    def _relief(self, sim: Simulation, tier: str, nodes) -> str | None:
        kinds = {n.kind for n in nodes}
        if tier == "web" and "balancer" not in kinds:
            kind = "balancer"
        elif tier == "primary" and "replica" in kinds:
            return None  # replicas already take the reads: what is left is writes
        else:
            kind = _ADD_FOR_TIER[tier]
        return kind if sim.scenario.allows(kind) else None


def _add(
    moves: _Moves,
    kind: str,
    tier: str,
    servers: int,
    ahead: float,
    peak: float,
    nodes,
    target: float,
) -> None:
    """Add enough servers of `kind` to keep the tier under the target through `ahead` (its load
    by the time they boot): the smallest size whose count the kind's limit leaves room for
    to carry `peak` (the load at the level's busiest tick still to come)."""
    t = moves.sim.tick
    spec = catalog.KINDS[kind]
    if kind == "balancer":
        moves.make(Action(t, "add", kind=kind, size=next(iter(spec.sizes))))
        return
    members = [n for n in nodes if n.kind in _MEMBERS[tier] and n.state == HEALTHY]
    mean = sum(n.spec.capacity for n in members) / len(members) if members else 1.0
    pending = sum(n.spec.capacity for n in nodes if n.kind == kind and n.state == BOOTING) / mean
    need = servers * ahead / target - servers - pending
    if need <= 0:
        return
    room = spec.limit - sum(1 for n in nodes if n.kind == kind)
    later = servers * peak / target - servers - pending
    size = next(
        (s for s in spec.sizes if room * spec.sizes[s].capacity / mean >= later),
        list(spec.sizes)[-1],
    )
    each = spec.sizes[size].capacity / mean
    for _ in range(min(MAX_ADDS_AT_ONCE, max(1, math.ceil(need / each)))):
        if not moves.make(Action(t, "add", kind=kind, size=size)):
            return


def _resize(moves: _Moves, tier: str, growth: float, nodes) -> None:
    """Resize the tier's smallest server to the size that carries `growth` times its load
    (the biggest the budget allows if none does); one restart at a time."""
    members = [n for n in nodes if n.kind in _MEMBERS[tier]]
    if not members or any(n.state == BOOTING for n in members):
        return
    node = min(members, key=lambda n: n.spec.capacity)
    sizes = catalog.KINDS[node.kind].sizes
    wanted = node.spec.capacity * growth
    bigger = [s for s in sizes if sizes[s].capacity > node.spec.capacity]
    fits = [s for s in bigger if sizes[s].capacity >= wanted] or bigger[-1:]
    if not fits:
        return
    first = bigger.index(fits[0])
    for size in reversed(bigger[: first + 1]):  # the size wanted, else the biggest affordable
        if moves.make(Action(moves.sim.tick, "resize", target=node.id, size=size)):
            return
