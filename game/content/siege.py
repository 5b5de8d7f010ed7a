"""The adversary's work on one level, as tasks for the pool: every strategy and the reference's
timing window at once, split by seeds so that many seeds keep every worker busy; once every
counter is in, the search for each lesson; then the search's plan on the other seeds."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass

from game.content.lessons import move_text
from game.content.packs import PackLevel
from game.content.pool import PlanTask, PolicyTask, Runner, Score
from game.content.repertoire import (
    COUNTER,
    LATE,
    REFERENCE,
    Played,
    Strategy,
    lessons_of,
    strategies,
)
from game.content.search import Found, SearchTask
from game.content.strategies import start_nodes
from game.content.timing import TimingWindow, WindowScan, WindowTask, combine
from game.engine.actions import Action

SEEDS_PER_TASK = 5


@dataclass(slots=True)
class _Parts:
    """A strategy's runs as they come in, a chunk of seeds at a time."""

    expected: int
    chunks: dict[int, tuple[Score, ...]]


class Siege:
    def __init__(self, level: PackLevel, seeds: tuple[int, ...]) -> None:
        self.level = level
        self.seeds = seeds
        self.start = start_nodes(level.scenario)
        self.lessons = lessons_of(level, self.start)
        self.strategies = strategies(level, self.lessons, self.start)
        self.played: dict[int, Played] = {}
        self.scans: dict[int, WindowScan] = {}
        self.window_chunks = 0
        self.parts: dict[int, _Parts] = {}
        self.tasks: dict[Future, tuple[str, int, int]] = {}  # what, strategy, chunk
        self.same: dict[int, list[int]] = {}  # a strategy -> later ones with the same plan
        self.counters_left = 0
        self.runs = 0

    def open(self, runner: Runner) -> Iterator[Future]:
        by_plan: dict[tuple[Action, ...], int] = {}
        for i, strategy in enumerate(self.strategies):
            if strategy.plan is not None and strategy.plan in by_plan:
                self.same.setdefault(by_plan[strategy.plan], []).append(i)
                continue
            if strategy.plan is not None:
                by_plan[strategy.plan] = i
            self.counters_left += strategy.role == COUNTER
            yield from self._submit(runner, i, self.seeds)
        if self.level.reference is not None:
            plan = self.level.reference.actions
            self.window_chunks = len(self.seeds)
            for k, seed in enumerate(self.seeds):  # one seed a task: a scan is long
                future = runner.submit(WindowTask(self.level.scenario, plan, (seed,)))
                self.tasks[future] = ("window", -1, k)
                yield future

    def _submit(self, runner: Runner, i: int, seeds: tuple[int, ...]) -> Iterator[Future]:
        strategy = self.strategies[i]
        chunks = [seeds[k : k + SEEDS_PER_TASK] for k in range(0, len(seeds), SEEDS_PER_TASK)]
        self.parts[i] = _Parts(len(chunks), {})
        for k, chunk in enumerate(chunks):
            if strategy.plan is not None:
                task = PlanTask(self.level.scenario, strategy.plan, chunk)
            else:
                task = PolicyTask(self.level.scenario, strategy.policy, chunk)
            future = runner.submit(task)
            self.tasks[future] = ("strategy", i, k)
            yield future

    def take(self, future: Future, runner: Runner) -> tuple[list[Future], str]:
        """Take a finished task; the tasks it leads to, and what it completed ("" if none)."""
        what, i, k = self.tasks.pop(future)
        result = future.result()
        if what == "window":
            self.scans[k] = result
            self.runs += len(result.window.tried)
            return [], "timing window" if len(self.scans) == self.window_chunks else ""
        if what == "search":
            return self._found(runner, i, result), ""
        parts = self.parts[i]
        parts.chunks[k] = result
        self.runs += len(result)
        if len(parts.chunks) < parts.expected:
            return [], ""
        runs = tuple(score for k in sorted(parts.chunks) for score in parts.chunks[k])
        for j in (i, *self.same.get(i, [])):
            self.played[j] = self.judged(self.strategies[j], runs)
        strategy = self.strategies[i]
        more: list[Future] = []
        if strategy.role == COUNTER and strategy.name != "search":
            self.counters_left -= 1
            if self.counters_left == 0:
                more = list(self._searches(runner))
        return more, strategy.name

    def _searches(self, runner: Runner) -> Iterator[Future]:
        reference = self.level.reference.actions if self.level.reference else ()
        for index, lesson in enumerate(self.lessons):
            if not lesson.known:
                continue
            bases = tuple(  # in the strategies' order, whatever order they finished in
                (played.name, played.first.accepted, played.first)
                for played in (self.played[i] for i in sorted(self.played))
                if played.strategy.concept == lesson.concept
            )
            task = SearchTask(
                self.level.scenario,
                lesson,
                self.start,
                bases,
                lesson.without(reference, self.start),
                tuple(a.tick for a in reference),
            )
            future = runner.submit(task)
            self.tasks[future] = ("search", index, 0)
            yield future

    def _found(self, runner: Runner, index: int, found: Found) -> list[Future]:
        """The search's plan becomes a strategy: its run on the level's seed is in hand, the
        other seeds are played as any plan."""
        self.runs += found.runs
        added = "; ".join(f"{a.tick}: {move_text(a)}" for a in found.added)
        how = f"from {found.base}, " + (f"added {added}" if added else "nothing better found")
        strategy = Strategy(
            "search",
            COUNTER,
            self.lessons[index].concept,
            f"{how} ({found.runs} runs)",
            plan=found.plan,
        )
        self.strategies.append(strategy)
        i = len(self.strategies) - 1
        more = list(self._submit(runner, i, self.seeds[1:])) if len(self.seeds) > 1 else []
        self.parts[i] = _Parts(len(more) + 1, {-1: (found.score,)})
        if not more:
            self.played[i] = self.judged(strategy, (found.score,))
        return more

    def judged(self, strategy: Strategy, runs: tuple[Score, ...]) -> Played:
        """The runs, with the concepts each one's accepted moves withhold."""
        withheld = tuple(
            tuple(
                lesson.concept
                for lesson in self.lessons
                if lesson.known and lesson.withheld(run.accepted, self.start, run.made)
            )
            for run in runs
        )
        return Played(strategy, runs, withheld)

    def result(self) -> tuple[list[Played], TimingWindow | None]:
        played = [self.played[i] for i in sorted(self.played)]
        if not self.scans:
            return played, None
        scan = combine([self.scans[k] for k in sorted(self.scans)])
        reference = self.level.reference
        for share, runs in scan.late:
            name = "reference" if share == 0 else f"reference {share:.0%} late"
            role = REFERENCE if share == 0 else LATE
            how = "as written" if share == 0 else f"every move {share:.0%} of the level later"
            strategy = Strategy(name, role, "", how, plan=reference.actions, late=share)
            played.append(self.judged(strategy, runs))
        return played, scan.window
