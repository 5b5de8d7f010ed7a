"""Plays against a level whose reference sets scale rules, derived from the reference's rules:
what a player who has not learned them would do instead.

    rule late       the same rules adding only once the pool is nearly full: each of
                    RULE_LATE_ABOVE, above the reference's line
    rule flapping   the same rules removing just under the line they add at (RULE_FLAP_GAP
                    points under it): a server added is soon removed, and added again
    by hand         no rule: the moves the reference's rules made on the level's seed, made by
                    a player who looks at the site every HAND_EVERY seconds, each at the first
                    look at or after the rule made it

The late and flapping rules are counted as moves of a player who has NOT learned the lesson
(repertoire.lessons_of hands them to the lesson as counters' moves).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from game.engine.actions import Action, ScaleRule
from game.engine.replay import play
from game.engine.scenario import Scenario
from game.engine.simulation import Simulation

RULE_LATE_ABOVE = (90, 95)  # an add line near full: the rule acts once the pool is nearly full
RULE_FLAP_GAP = 10  # a flapping rule removes this many points under the line it adds at
HAND_EVERY = 30  # seconds between the looks of a player who scales by hand


@dataclass(frozen=True, slots=True)
class RulePlay:
    """A plan derived from a reference that sets rules; `name` and `how` for the report."""

    name: str
    how: str
    plan: tuple[Action, ...]


def sets_rules(plan: Sequence[Action]) -> bool:
    return any(a.verb == "rule" and a.rule is not None for a in plan)


def rule_variants(plan: Sequence[Action]) -> tuple[RulePlay, ...]:
    """The plan with every rule it sets made late, or flapping (none if it sets no rule, and
    none that would not change every rule of the plan)."""
    rules = [a.rule for a in plan if a.verb == "rule" and a.rule is not None]
    if not rules:
        return ()
    variants = []
    for above in RULE_LATE_ABOVE:
        if all(rule.above < above for rule in rules):
            variants.append(
                RulePlay(
                    f"rule late: above {above}%",
                    f"the reference's rules, adding only above {above}%",
                    _with_rules(plan, lambda rule, line=above: _replace(rule, above=line)),
                )
            )
    if all(rule.below < rule.above - RULE_FLAP_GAP for rule in rules):
        variants.append(
            RulePlay(
                "rule flapping",
                f"the reference's rules, removing {RULE_FLAP_GAP} points under their add line",
                _with_rules(plan, lambda rule: _replace(rule, below=rule.above - RULE_FLAP_GAP)),
            )
        )
    return tuple(variants)


def by_hand(scenario: Scenario, plan: Sequence[Action], every: int = HAND_EVERY) -> RulePlay:
    """The plan without its rule moves; instead, the moves its rules made on the level's seed,
    by hand, each at the first look (every `every` ticks) at or after the tick the rule made
    it, after the plan's own moves of that tick."""
    sim = Simulation(scenario)
    play(sim, plan)
    looks = [
        dataclasses.replace(o.action, tick=-(-o.action.tick // every) * every)
        for o in sim.autoscale.moves
    ]
    own = [a for a in plan if a.verb != "rule"]
    hand = sorted([*own, *looks], key=lambda a: a.tick)  # a stable sort: own moves first
    return RulePlay(
        f"by hand every {every} s",
        f"no rule: the {len(looks)} moves the reference's rules made, by hand at a look every"
        f" {every} s",
        tuple(a for a in hand if a.tick < scenario.duration),
    )


def _replace(rule: ScaleRule, **changes: int) -> ScaleRule:
    return dataclasses.replace(rule, **changes)


def _with_rules(
    plan: Sequence[Action], change: Callable[[ScaleRule], ScaleRule]
) -> tuple[Action, ...]:
    return tuple(
        dataclasses.replace(a, rule=change(a.rule))
        if a.verb == "rule" and a.rule is not None
        else a
        for a in plan
    )
