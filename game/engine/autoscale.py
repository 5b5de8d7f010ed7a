"""Scale rules: pools that grow and shrink themselves, run by the engine every tick.

A rule is set, changed or cleared by a player's move (verb "rule", at a tick like any other), so
a run is still a function of (level, seed, actions): the servers a rule adds and removes follow
from the reports, and playing the actions back makes them again, at the same ticks.

Each tick, before its failures, a pool's rule reads the last tick's utilization of the tier the
pool serves in. It counts the seconds in a row above its `above` line (and below its `below`
line); when a count reaches `for_s` it adds a server (up to `most`) or removes the newest (never
below `least`), through the same rules as a player's move. Then it waits: until a server it
added is up, and the catalog's cooldown after that. A rule that is refused (over budget, say)
says so once, and tries again each tick.

Boot time is why a rule lags: it adds a server `for_s` seconds after the load rose, and that
server serves only when it is up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from game.engine import catalog
from game.engine.actions import Action, Outcome, ScaleRule
from game.engine.report import TickReport
from game.engine.topology import Topology

# A pool -> the reported tiers it serves in, in order of preference.
POOL_TIERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"web": ("web",), "replica": ("replicas", "keyvalue")}
)


@dataclass(frozen=True, slots=True)
class RuleState:
    """A pool's rule and where it stands, for the view."""

    kind: str
    rule: ScaleRule
    above_s: int  # seconds in a row the pool has been above the rule's `above` line
    below_s: int  # ... below its `below` line
    waits_until: int  # the first tick whose utilization it counts (it waits until then)
    refused: str  # why its last move was refused, "" if it was not


@dataclass(slots=True)
class _Watch:
    rule: ScaleRule
    waits_until: int
    above_s: int = 0
    below_s: int = 0
    refused: str = ""


def rule_problem(kind: str, rule: ScaleRule) -> str:
    """What is wrong with `rule` for pool `kind`, in a player's words ("" if nothing)."""
    spec = catalog.KINDS[kind]
    fields = (rule.above, rule.for_s, rule.most, rule.below, rule.least)
    if not isinstance(rule.size, str) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in fields
    ):
        return "a scale rule takes a size and whole numbers"
    if rule.size not in spec.sizes:
        return f"{kind} comes in sizes {', '.join(spec.sizes)}, not {rule.size!r}"
    if not 1 <= rule.above <= 100:
        return "a rule adds above a utilization from 1% to 100%"
    if not 0 <= rule.below < rule.above:
        return "a rule removes below a utilization from 0% (never) to under its add line"
    if not 1 <= rule.for_s <= catalog.RULE_MAX_WINDOW_S:
        return f"a rule watches from 1 to {catalog.RULE_MAX_WINDOW_S} s before it acts"
    if not 1 <= rule.least <= rule.most <= spec.limit:
        return f"a rule keeps from 1 to {spec.limit} servers, at least no more than at most"
    return ""


def refusal(rules: Autoscaler, a: Action) -> str:
    """Why the engine refuses the rule move `a` (the level lets rules be set)."""
    if a.kind not in catalog.RULE_POOLS:
        return f"a scale rule runs a pool of {' or '.join(catalog.RULE_POOLS)} servers"
    if a.rule is None:
        return "" if a.kind in rules.rules else f"there is no {a.kind} scale rule to clear"
    if not isinstance(a.rule, ScaleRule):
        return "a scale rule takes a size and whole numbers"
    return rule_problem(a.kind, a.rule)  # the same rule again starts its counts afresh


class Autoscaler:
    """The site's scale rules, one per pool at most, and the moves they made."""

    __slots__ = ("_watches", "moves", "active")

    def __init__(self) -> None:
        self._watches: dict[str, _Watch] = {}
        self.moves: list[Outcome] = []  # what the rules carried out, oldest first
        self.active = False  # some pool has a rule: a tick without one skips `run` at once

    @property
    def rules(self) -> Mapping[str, ScaleRule]:
        return {kind: watch.rule for kind, watch in self._watches.items()}

    def states(self) -> tuple[RuleState, ...]:
        """Each rule and where it stands, in the order of the pools."""
        return tuple(
            RuleState(kind, w.rule, w.above_s, w.below_s, w.waits_until, w.refused)
            for kind in catalog.RULE_POOLS
            if (w := self._watches.get(kind)) is not None
        )

    def set(self, a: Action) -> None:
        """Carry out an accepted rule move: a new rule counts from the tick it is set at."""
        if a.rule is None:
            del self._watches[a.kind]
        else:
            self._watches[a.kind] = _Watch(a.rule, a.tick)
        self.active = bool(self._watches)

    def run(
        self,
        topology: Topology,
        report: TickReport | None,
        t: int,
        make: Callable[[Action], tuple[str, str]],
        log: Callable[[str, str], None],
    ) -> None:
        """Tick `t`, before its failures: each rule reads the last report and acts if it is
        due. `make(action)` carries a move out if the engine accepts it and answers why it
        refused it and the id of the component it added ("" for either if none);
        `log(component, text)` writes a rule event."""
        if report is None or not self._watches:
            return
        tiers = {tier.name: tier for tier in report.tiers}
        for kind in catalog.RULE_POOLS:
            watch = self._watches.get(kind)
            if watch is None or report.tick < watch.waits_until:
                continue
            tier = next((tiers[n] for n in POOL_TIERS[kind] if n in tiers), None)
            if tier is None or not tier.servers:  # nothing measured: the counts start again
                watch.above_s = watch.below_s = 0
                continue
            self._judge(kind, watch, tier.utilization, topology, t, make, log)

    def _judge(
        self,
        kind: str,
        watch: _Watch,
        utilization: float,
        topology: Topology,
        t: int,
        make: Callable[[Action], tuple[str, str]],
        log: Callable[[str, str], None],
    ) -> None:
        rule, busy = watch.rule, utilization * 100
        watch.above_s = watch.above_s + 1 if busy > rule.above else 0
        watch.below_s = watch.below_s + 1 if busy < rule.below else 0
        pool = topology.of_kind(kind)
        if watch.above_s >= rule.for_s and len(pool) < rule.most:
            action = Action(t, "add", kind=kind, size=rule.size)
            why = f"utilization {busy:.0f}%, above {rule.above}% for {watch.above_s} s"
            ready = t + catalog.KINDS[kind].boot_ticks
        elif watch.below_s >= rule.for_s and len(pool) > rule.least:
            action = Action(t, "remove", target=pool[-1].id)
            why = f"utilization {busy:.0f}%, below {rule.below}% for {watch.below_s} s"
            ready = t
        else:
            return
        reason, made = make(action)
        if reason:
            if reason != watch.refused:
                watch.refused = reason
                log("", f"the {kind} scale rule could not {action.describe()}: {reason}")
            return
        self.moves.append(Outcome(action, True, component=made))
        done = f"added {made} ({rule.size})" if made else f"removed {action.target}"
        log(made or action.target, f"rule {done}: {why}")
        watch.waits_until = ready + catalog.RULE_COOLDOWN_TICKS
        watch.above_s = watch.below_s = 0
        watch.refused = ""
