"""The adversary: plays every level the ways a player who has not learned its lesson would,
and reports what passed without the lesson, the reference's timing window and the seed spread
of every score.

For each level and each concept it teaches (its Lesson, see lessons.py) it plays, on every seed
checked:

    counters (must fail)   brute force without the lesson, the reference without the lesson's
                           moves, scale up, follow the load (out, up, mixed and lean),
                           the level's own counter-solutions, and a bounded search that starts
                           from the best of them (search.py)
    wasteful (no 3 stars)  brute force with everything
    late (10% must pass)   the reference with every move delayed by 5% and 10% of the level

Any run whose accepted moves withhold a lesson and that passes is an error, whatever the
strategy meant to do. Runs go over every core (pool.py); only their scores come back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from game.content.lessons import Lesson, move_text
from game.content.packs import Pack, PackLevel
from game.content.pool import PlanTask, PolicyTask, Runner, Score, finished
from game.content.repertoire import (
    COUNTER,
    LATE,
    REFERENCE,
    WASTEFUL,
    Strategy,
    lessons_of,
    seeds_for,
    strategies,
)
from game.content.search import SearchTask
from game.content.strategies import start_nodes
from game.content.timing import LATE_REQUIRED, TimingWindow, WindowScan, WindowTask
from game.engine.actions import Action
from game.engine.metrics import METRICS


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


@dataclass(frozen=True, slots=True)
class LevelAttack:
    level: str
    seeds: tuple[int, ...]
    graded: tuple[str, ...]  # the metrics the level grades
    lessons: tuple[Lesson, ...]
    played: tuple[Played, ...]
    window: TimingWindow | None  # None: the level has no reference
    errors: tuple[str, ...]
    notes: tuple[str, ...]
    runs: int  # runs played

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class AdversaryReport:
    pack: str
    workers: int
    levels: list[LevelAttack] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(level.ok for level in self.levels)

    @property
    def errors(self) -> list[str]:
        return [error for level in self.levels for error in level.errors]


def steps_needed(pack: Pack, levels: Iterable[PackLevel] | None = None) -> int:
    """How many times attack_pack tells its `progress` (one per task it runs)."""
    steps = 0
    for level in pack.levels if levels is None else levels:
        start = start_nodes(level.scenario)
        lessons = lessons_of(level, start)
        plays = strategies(level, lessons, start)
        plans = {s.plan for s in plays if s.plan is not None}
        steps += len(plans) + sum(1 for s in plays if s.plan is None)
        steps += (level.reference is not None) + sum(1 for lesson in lessons if lesson.known)
    return steps


def attack_pack(
    pack: Pack,
    extra_seeds: int = 0,
    workers: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
    levels: Iterable[PackLevel] | None = None,
) -> AdversaryReport:
    """Play the adversary against every level of a pack (or the `levels` given)."""
    began = time.perf_counter()
    chosen = list(pack.levels if levels is None else levels)
    with Runner(workers) as runner:
        report = AdversaryReport(pack.id, runner.workers)
        sieges = [_Siege(level, seeds_for(level, extra_seeds)) for level in chosen]
        pending = set()
        owner = {}
        for siege in sieges:
            for future in siege.open(runner):
                pending.add(future)
                owner[future] = siege
        for future in finished(pending):
            siege = owner.pop(future)
            for more in siege.take(future, runner):
                pending.add(more)
                owner[more] = siege
            progress(f"{siege.level.id} {siege.last}")
        report.levels.extend(siege.result() for siege in sieges)
    report.seconds = time.perf_counter() - began
    return report


class _Siege:
    """The adversary's work on one level: strategies and window first, then each search."""

    def __init__(self, level: PackLevel, seeds: tuple[int, ...]) -> None:
        self.level = level
        self.seeds = seeds
        self.start = start_nodes(level.scenario)
        self.lessons = lessons_of(level, self.start)
        self.strategies = strategies(level, self.lessons, self.start)
        self.played: dict[int, Played] = {}
        self.scan: WindowScan | None = None
        self.found: list[Played] = []
        self.tasks: dict[Future, tuple[str, object]] = {}
        self.same: dict[int, list[int]] = {}  # a strategy -> later ones with the same plan
        self.waiting_for_counters = 0
        self.runs = 0
        self.last = ""

    def open(self, runner: Runner):
        scenario = self.level.scenario
        by_plan: dict[tuple[Action, ...], int] = {}
        for i, strategy in enumerate(self.strategies):
            if strategy.plan is not None:
                if strategy.plan in by_plan:
                    self.same.setdefault(by_plan[strategy.plan], []).append(i)
                    continue
                by_plan[strategy.plan] = i
                task = PlanTask(scenario, strategy.plan, self.seeds)
            else:
                task = PolicyTask(scenario, strategy.policy, self.seeds)
            if strategy.role == COUNTER:
                self.waiting_for_counters += 1
            future = runner.submit(task)
            self.tasks[future] = ("strategy", i)
            yield future
        if self.level.reference is not None:
            future = runner.submit(WindowTask(scenario, self.level.reference.actions, self.seeds))
            self.tasks[future] = ("window", None)
            yield future

    def take(self, future, runner: Runner):
        what, i = self.tasks.pop(future)
        result = future.result()
        if what == "strategy":
            self._record(i, result)
            for j in self.same.get(i, []):
                self._record(j, result)
            self.last = self.strategies[i].name
            self.runs += len(result)
            if self.strategies[i].role == COUNTER:
                self.waiting_for_counters -= 1
                if self.waiting_for_counters == 0:
                    yield from self._searches(runner)
        elif what == "window":
            self.scan = result
            self.runs += len(result.window.tried) * len(self.seeds)
            self.last = "timing window"
        elif what == "search":
            found, spread = result
            self.runs += found.runs + len(spread)
            strategy = Strategy(
                "search",
                COUNTER,
                i.concept,
                f"greedy from the best counter, {found.runs} runs: {_plan_text(found.plan)}",
                plan=found.plan,
            )
            self.found.append(self._played(strategy, (found.score, *spread)))
            self.last = f"search ({i.concept})"

    def _searches(self, runner: Runner):
        reference = self.level.reference.actions if self.level.reference else ()
        for lesson in self.lessons:
            if not lesson.known:
                continue
            bases = tuple(
                (played.first.accepted, played.first)
                for played in self.played.values()
                if played.strategy.concept == lesson.concept
            )
            task = _SearchAndSpread(
                SearchTask(
                    self.level.scenario,
                    lesson,
                    self.start,
                    bases,
                    lesson.without(reference, self.start),
                    tuple(a.tick for a in reference),
                ),
                self.seeds[1:],
            )
            future = runner.submit(task)
            self.tasks[future] = ("search", lesson)
            yield future

    def _record(self, i: int, runs: tuple[Score, ...]) -> None:
        self.played[i] = self._played(self.strategies[i], runs)

    def _played(self, strategy: Strategy, runs: tuple[Score, ...]) -> Played:
        withheld = tuple(
            tuple(
                lesson.concept
                for lesson in self.lessons
                if lesson.known and lesson.withheld(run.accepted, self.start, run.made)
            )
            for run in runs
        )
        return Played(strategy, runs, withheld)

    def result(self) -> LevelAttack:
        played = [self.played[i] for i in sorted(self.played)]
        played.extend(self.found)
        notes = [lesson.describe() for lesson in self.lessons]
        window = None
        if self.scan is not None:
            window = self.scan.window
            reference = self.level.reference
            for share, runs in self.scan.late:
                name = "reference" if share == 0 else f"reference {share:.0%} late"
                role = REFERENCE if share == 0 else LATE
                how = "as written" if share == 0 else f"every move {share:.0%} of the level later"
                strategy = Strategy(name, role, "", how, plan=reference.actions)
                played.append(self._played(strategy, runs))
        errors = _errors(self.level, played, self.start)
        graded = tuple(g.metric for g in self.level.scenario.objectives.goals)
        return LevelAttack(
            self.level.id,
            self.seeds,
            graded,
            self.lessons,
            tuple(played),
            window,
            tuple(errors),
            tuple(notes),
            self.runs,
        )


@dataclass(frozen=True, slots=True)
class _SearchAndSpread:
    """The search on the level's seed, then its best plan on the other seeds."""

    search: SearchTask
    seeds: tuple[int, ...]

    def run(self):
        found = self.search.run()
        spread = PlanTask(self.search.scenario, found.plan, self.seeds).run()
        return found, spread


def _errors(level: PackLevel, played: Sequence[Played], start) -> list[str]:
    errors = []
    for p in played:
        for run, concepts in p.passes_without()[:1]:
            errors.append(
                f"{level.id}: {p.name} passes without {', '.join(concepts)}:"
                f" {run.stars} star{'s' if run.stars != 1 else ''} on seed {run.seed}"
                f" ({_scores_text(level, run)})"
            )
        if p.strategy.role == WASTEFUL:
            three = next((r for r in p.runs if r.stars == 3), None)
            if three is not None:
                errors.append(
                    f"{level.id}: {p.name} (a wasteful build) earns 3 stars on seed"
                    f" {three.seed} ({_scores_text(level, three)})"
                )
        late_share = p.strategy.name == f"reference {LATE_REQUIRED:.0%} late"
        if p.strategy.role == LATE and late_share:
            failed = next((r for r in p.runs if not r.passed), None)
            if failed is not None:
                errors.append(
                    f"{level.id}: {p.name} fails on seed {failed.seed}"
                    f" ({_scores_text(level, failed)}): a lesson a little late must still pass"
                )
    return errors


def _scores_text(level: PackLevel, run: Score) -> str:
    goals = level.scenario.objectives.goals
    return ", ".join(METRICS[g.metric].format(run.scores[g.metric]) for g in goals) + (
        f"; {run.refused} moves refused" if run.refused else ""
    )


def _plan_text(plan: Sequence[Action]) -> str:
    return "; ".join(f"{a.tick}: {move_text(a)}" for a in plan) or "no moves"
