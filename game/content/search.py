"""A small, bounded, seeded search for a win that withholds a lesson.

It starts from the best of the plays it is given (the other counter-strategies and the level's
own counter-solutions, each already run on the level's seed) and improves greedily: each round
it tries the plan plus one more move of the level's vocabulary that withholds the lesson, at a
tick drawn from a handful (the reference's, and early shares of the level), keeps the best
plan of the round if it beats the plan it started from, and stops at three stars, when a round
finds nothing better, or when the budget of runs is spent. Settings are tried first (one move
that changes everything), then additions, then the rest, each group in a seeded random order:
the same level, lesson and seed always search the same plans. The moves it added that the
best plan does not need are then taken out again.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from game.content.lessons import Lesson, Node
from game.content.pool import Score, run_plan
from game.content.strategies import at_tick, vocabulary
from game.engine.actions import Action
from game.engine.metrics import METRICS
from game.engine.scenario import Scenario
from game.engine.scoring import Objectives

SEARCH_BUDGET = 24  # runs per lesson
SEARCH_ROUNDS = 2
SEARCH_SHARES = (0.0, 0.1, 0.25, 0.5)  # ticks a move may be tried at, with the reference's
_ORDER = ("configure", "add", "resize", "promote", "remove")


def objective(score: Score, objectives: Objectives) -> tuple[int, float]:
    """How good a run is: its stars, then how little it misses the next line by (a sum over
    goals of the shortfall as a share of the line, of the room below 1 for a share metric)."""
    stars = score.stars
    if stars == 3:
        return (3, 0.0)
    miss = 0.0
    for goal in objectives.goals:
        metric = METRICS[goal.metric]
        line = goal.lines[stars]
        value = score.scores[goal.metric]
        if metric.meets(value, line):
            continue
        if metric.higher_is_better:
            scale = (1 - line) if metric.share else abs(line)
            miss += (line - value) / max(scale, 1e-9)
        else:
            miss += (value - line) / max(abs(line), 1e-9)
    return (stars, -miss)


@dataclass(frozen=True, slots=True)
class Found:
    """The search's best plan and its run on the level's seed: the play it started from
    (`base`, by name) and the moves it `added`; `runs` it spent."""

    plan: tuple[Action, ...]
    score: Score
    runs: int
    base: str
    added: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class SearchTask:
    scenario: Scenario
    lesson: Lesson
    start: tuple[Node, ...]
    bases: tuple[tuple[str, tuple[Action, ...], Score], ...]  # named plays, on the level's seed
    home: tuple[Action, ...]  # the reference without the lesson: also searched from
    ticks: tuple[int, ...]  # the reference's ticks
    budget: int = SEARCH_BUDGET
    rounds: int = SEARCH_ROUNDS

    def run(self) -> Found:
        return search(self)


def search_ticks(scenario: Scenario, reference_ticks: Sequence[int]) -> tuple[int, ...]:
    ticks = {round(share * scenario.duration) for share in SEARCH_SHARES}
    ticks.update(t for t in reference_ticks if 0 <= t < scenario.duration)
    return tuple(sorted(ticks))


Play = tuple[tuple[Action, ...], Score]


def search(task: SearchTask) -> Found:
    """Round 1 tries one more move on the best base and on the reference without the lesson
    (half the round each); each later round, one more move on the best plan so far."""
    scenario, lesson, start = task.scenario, task.lesson, task.start
    objectives = scenario.objectives
    seed = scenario.seed
    rng = random.Random(f"{scenario.id}/{lesson.concept}/{seed}")
    runs = 0

    def better(a: Play, b: Play | None) -> bool:
        return b is None or objective(a[1], objectives) > objective(b[1], objectives)

    known: dict[tuple[Action, ...], Score] = {}
    names: dict[tuple[Action, ...], str] = {}
    for name, plan, score in task.bases:
        if _withholds(lesson, start, score) and plan not in known:
            known[plan], names[plan] = score, name
    if task.home not in known and lesson.withheld(task.home, start):
        known[task.home] = run_plan(scenario, task.home, seed)
        names[task.home] = "the reference without the lesson"
        runs += 1
    if not known:
        known[()], names[()] = run_plan(scenario, (), seed), "no moves"
        runs += 1
    best: Play = max(known.items(), key=lambda play: objective(play[1], objectives))
    base = best[0]
    starts = [base] + ([task.home] if task.home in known and task.home != base else [])
    kinds = {n.id: n.kind for n in start}
    moves = _ordered(
        [m for m in vocabulary(scenario, start) if lesson.spread or not lesson.uses(m, kinds)],
        lambda m: lesson.touches(m, kinds),
        rng,
    )
    ticks = search_ticks(scenario, task.ticks)
    tried = set(known)
    per_round = max(1, task.budget // max(1, task.rounds))
    for round_no in range(task.rounds):
        if best[1].stars == 3 or runs >= task.budget:
            break
        roots = starts if round_no == 0 else [best[0]]
        round_best: Play | None = None
        for root in roots:
            tries = 0
            for move in moves:
                if tries >= per_round // len(roots) or runs >= task.budget:
                    break
                candidate = (*root, at_tick(move, rng.choice(ticks)))
                if candidate in tried or not lesson.withheld(candidate, start):
                    continue
                tried.add(candidate)
                score = run_plan(scenario, candidate, seed)
                runs += 1
                tries += 1
                if _withholds(lesson, start, score) and better((candidate, score), round_best):
                    round_best = (candidate, score)
                if round_best is not None and round_best[1].stars == 3:
                    break
            if round_best is not None and round_best[1].stars == 3:
                break
        if round_best is None or not better(round_best, best):
            break
        best = round_best
        if round_no == 0:
            base = next(b for b in starts if best[0][: len(b)] == b)
    origin = len(base)
    best, spent = _pared(scenario, lesson, start, best, origin, objectives)
    return Found(best[0], best[1], runs + spent, names[base], best[0][origin:])


def _pared(scenario, lesson, start, found: Play, origin: int, objectives) -> tuple[Play, int]:
    """The found play without the moves the search added that it does not need (each taken
    out when the play does no worse without it), so the report shows what matters."""
    plan, score = found
    runs = 0
    for move in plan[origin:-1]:  # the last move added is the one that made it better
        shorter = tuple(m for m in plan if m is not move)
        trial = run_plan(scenario, shorter, scenario.seed)
        runs += 1
        keeps = objective(trial, objectives) >= objective(score, objectives)
        if keeps and _withholds(lesson, start, trial):
            plan, score = shorter, trial
    return (plan, score), runs


def _withholds(lesson: Lesson, start: Sequence[Node], score: Score) -> bool:
    return lesson.withheld(score.accepted, start, score.made)


def _ordered(moves: Sequence[Action], near, rng: random.Random) -> list[Action]:
    """Moves on the lesson's own kinds first (its stand-ins), then settings, then the other
    verbs taken in turn; each group in a seeded order."""
    first = [m for m in moves if near(m)]
    groups: dict[str, list[Action]] = {verb: [] for verb in _ORDER}
    for move in moves:
        if not near(move):
            groups[move.verb].append(move)
    rng.shuffle(first)
    for group in groups.values():
        rng.shuffle(group)
    ordered = first + groups.pop(_ORDER[0])
    rest = list(groups.values())
    while any(rest):
        for group in rest:
            if group:
                ordered.append(group.pop())
    return ordered
