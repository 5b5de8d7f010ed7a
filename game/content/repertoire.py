"""The adversary's repertoire for one level: which seeds, which lessons, which strategies.

Every strategy is derived from the level (strategies.py builds the plans and policies):

    brute force                 wasteful: must not earn 3 stars; and, as a counter for a lesson
                                of adding or resizing, one that never makes a move of it
    reference without lesson    counter: the reference less the lesson's moves
    scale up at T               counter: the start resized as far as the budget goes, once,
                                at the quietest tick before the peak
    follow load: out, up        counters: a player acting ahead of each tier's load, adding
    follow load: mixed          servers (out), resizing (up), or both and keeping no spare
    counter NAME                the level's own counter-solutions for the lesson
    rule late, rule flapping,   counters, where the lesson is a scale rule and the reference
    by hand                     sets one: its rules set late or flapping, or its rules' moves
                                made by hand (rule_plays.py)
    search                      counter: added once the others have run (search.py)
    reference, reference 5% / 10% late
                                come with the timing window (timing.py)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from game.content.lessons import LESSON_MOVES, Lesson, Node, lesson_for
from game.content.packs import PackLevel
from game.content.pool import Score
from game.content.rule_plays import by_hand, rule_variants, sets_rules
from game.content.strategies import (
    FOLLOW_LEAN,
    FOLLOW_TARGET,
    BruteForce,
    FollowLoad,
    quiet_tick,
    scale_up_plan,
)
from game.engine.actions import Action

COUNTER, WASTEFUL, LATE, REFERENCE = "counter", "wasteful", "late", "reference"
RANDOM_FAILURE_SEEDS = 20  # seeds a level with random failures is checked on, at least


@dataclass(frozen=True, slots=True)
class Strategy:
    """A way to play a level, derived from it: a fixed plan or a policy."""

    name: str
    role: str  # COUNTER, WASTEFUL, LATE or REFERENCE
    concept: str  # the lesson a counter withholds ("" for the others)
    how: str  # how it was derived, in one line
    plan: tuple[Action, ...] | None = None
    policy: object | None = None
    late: float = 0.0  # the reference delayed: by this share of the level


@dataclass(frozen=True, slots=True)
class Played:
    """A strategy's runs, one per seed, and the concepts each run withheld."""

    strategy: Strategy
    runs: tuple[Score, ...]
    withheld: tuple[tuple[str, ...], ...]  # per run: the concepts its accepted moves withhold

    @property
    def name(self) -> str:
        return self.strategy.name

    @property
    def first(self) -> Score:
        return self.runs[0]

    def spread(self, metric: str) -> tuple[float, float]:
        values = [run.scores[metric] for run in self.runs]
        return min(values), max(values)

    @property
    def stars(self) -> tuple[int, int]:
        return min(r.stars for r in self.runs), max(r.stars for r in self.runs)

    def passes_without(self) -> list[tuple[Score, tuple[str, ...]]]:
        return [(r, w) for r, w in zip(self.runs, self.withheld) if w and r.passed]


def seeds_for(level: PackLevel, extra_seeds: int) -> tuple[int, ...]:
    """The level's seed and `extra_seeds` more; RANDOM_FAILURE_SEEDS at least when the level
    has random failures."""
    count = extra_seeds + 1
    if level.scenario.failures.enabled:
        count = max(count, RANDOM_FAILURE_SEEDS)
    return tuple(level.scenario.seed + i for i in range(count))


def lessons_of(level: PackLevel, start: Sequence[Node]) -> tuple[Lesson, ...]:
    """Each concept's lesson; for a lesson of scale rules, the rules of the reference's late
    and flapping variants count as counters' moves, as the level's own counters' do."""
    reference = level.reference.actions if level.reference else ()
    variants = [v.plan for v in rule_variants(reference)]
    return tuple(
        lesson_for(
            concept,
            reference,
            [s.actions for s in level.solutions if s.counter and s.file.lesson == concept]
            + (variants if _of_rules(concept) else []),
            start,
        )
        for concept in level.file.concepts
    )


def _of_rules(concept: str) -> bool:
    return any(move.verb == "rule" for move in LESSON_MOVES.get(concept, ()))


def strategies(level: PackLevel, lessons: Sequence[Lesson], start) -> list[Strategy]:
    """The strategies played before the search (the reference's delays come with its window)."""
    scenario = level.scenario
    start = tuple(start)
    quiet = quiet_tick(scenario.traffic, scenario.duration)
    out = [
        Strategy(
            "brute force",
            WASTEFUL,
            "",
            "the biggest of everything unlocked, early, while budget and limits allow",
            policy=BruteForce(None, start),
        )
    ]
    reference = level.reference.actions if level.reference else None
    for lesson in lessons:
        if not lesson.known:
            continue
        c = lesson.concept
        if lesson.spread or any(m.verb in ("add", "resize") for m in lesson.moves):
            out.append(  # else brute force, which only adds and resizes, is this already
                Strategy(
                    "brute force",
                    COUNTER,
                    c,
                    "brute force, never making a move of the lesson",
                    policy=BruteForce(lesson, start),
                )
            )
        if reference is not None:
            plan = lesson.without(reference, start)
            how = f"the reference less its {len(reference) - len(plan)} moves of the lesson"
            out.append(Strategy("reference without lesson", COUNTER, c, how, plan=plan))
        out.append(
            Strategy(
                f"scale up at {quiet}",
                COUNTER,
                c,
                f"resize the start as far as the budget goes, once, at the quietest tick ({quiet})",
                plan=scale_up_plan(scenario, start, quiet, lesson),
            )
        )
        for mode, target in (("out", FOLLOW_TARGET), ("up", FOLLOW_TARGET), ("mixed", FOLLOW_LEAN)):
            out.append(
                Strategy(
                    f"follow load: {mode} {target:.0%}",
                    COUNTER,
                    c,
                    f"act ahead of each tier's load, keeping it under {target:.0%}",
                    policy=FollowLoad(mode, target, lesson, start),
                )
            )
        if reference is not None and _of_rules(c) and sets_rules(reference):
            plays = (*rule_variants(reference), by_hand(scenario, reference))
            out.extend(Strategy(p.name, COUNTER, c, p.how, plan=p.plan) for p in plays)
        for solution in level.solutions:
            if solution.counter and solution.file.lesson == c:
                out.append(
                    Strategy(
                        f"counter {solution.name}",
                        COUNTER,
                        c,
                        "the level's own counter-solution",
                        plan=solution.actions,
                    )
                )
    return out
