"""The adversary: plays every level the ways a player who has not learned its lesson would,
and reports what passed without the lesson, the reference's timing window and the seed spread
of every score.

For each level and each concept it teaches (its Lesson, see lessons.py) it plays, on every seed
checked (repertoire.py lists them, strategies.py builds them):

    counters (must fail)   brute force without the lesson, the reference without the lesson's
                           moves, scale up, follow the load (out, up, mixed and lean),
                           the level's own counter-solutions, and a bounded search that starts
                           from the best of them (search.py)
    wasteful (no 3 stars)  brute force with everything
    late (10% must pass)   the reference with every move delayed by 5% and 10% of the level

Any run whose accepted moves withhold a lesson and that passes is an error, whatever the
strategy meant to do; so is a wasteful build with 3 stars and a reference 10% late that fails.
Runs go over every core (pool.py, scheduled by siege.py); only their scores come back.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from game.content.lessons import Lesson
from game.content.packs import Pack, PackLevel
from game.content.pool import Runner, Score, finished
from game.content.repertoire import (
    LATE,
    WASTEFUL,
    Played,
    lessons_of,
    seeds_for,
    strategies,
)
from game.content.siege import Siege
from game.content.strategies import start_nodes
from game.content.timing import LATE_REQUIRED, TimingWindow
from game.engine.metrics import METRICS


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
    seconds: float = 0.0  # wall-clock time
    cpu_seconds: float = 0.0  # processor time of this process and its workers (load aside)

    @property
    def ok(self) -> bool:
        return all(level.ok for level in self.levels)

    @property
    def errors(self) -> list[str]:
        return [error for level in self.levels for error in level.errors]


def steps_needed(pack: Pack, levels: Iterable[PackLevel] | None = None) -> int:
    """How many times attack_pack tells its `progress` (one per task it runs)."""
    steps = 0
    for level in attackable(pack.levels if levels is None else levels):
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
    """Play the adversary against every level of a pack (or the `levels` given of it) that it
    can attack (see `attackable`)."""
    chosen = attackable(pack.levels if levels is None else levels)
    return attack_levels(pack.id, chosen, extra_seeds, workers, progress)


def attackable(levels: Iterable[PackLevel]) -> list[PackLevel]:
    """The levels the adversary plays. Not an endless one: its run ends when the site gives
    out, so there is no level's length to delay a plan by, and its plans answer the spikes of
    one seed; the checker proves it on its own seed instead."""
    return [level for level in levels if level.scenario.endless is None]


def attack_levels(
    pack_id: str,
    levels: Iterable[PackLevel],
    extra_seeds: int = 0,
    workers: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> AdversaryReport:
    """Play the adversary against these levels on their seed and `extra_seeds` more (20 at
    least with random failures), on `workers` processes (default: every core; 1: this one);
    `progress` is told as each strategy, window and search of a level is done."""
    began, cpu = time.perf_counter(), _cpu()
    with Runner(workers) as runner:
        report = AdversaryReport(pack_id, runner.workers)
        sieges = [Siege(level, seeds_for(level, extra_seeds)) for level in levels]
        owner: dict[Future, Siege] = {}
        for siege in sieges:
            owner.update((future, siege) for future in siege.open(runner))
        pending = set(owner)
        for future in finished(pending):
            siege = owner.pop(future)
            more, done = siege.take(future, runner)
            for new in more:
                pending.add(new)
                owner[new] = siege
            if done:
                progress(f"{siege.level.id}: {done}")
        report.levels.extend(_attack(siege) for siege in sieges)
    report.seconds = time.perf_counter() - began
    report.cpu_seconds = _cpu() - cpu
    return report


def _cpu() -> float:
    """Processor seconds of this process and of its finished workers."""
    own, workers = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _attack(siege: Siege) -> LevelAttack:
    level = siege.level
    played, window = siege.result()
    return LevelAttack(
        level.id,
        siege.seeds,
        tuple(g.metric for g in level.scenario.objectives.goals),
        siege.lessons,
        tuple(played),
        window,
        tuple(_errors(level, played)),
        tuple(lesson.describe() for lesson in siege.lessons),
        siege.runs,
    )


def _errors(level: PackLevel, played: Sequence[Played]) -> list[str]:
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
        if p.strategy.role == LATE and abs(p.strategy.late - LATE_REQUIRED) < 1e-9:
            failed = next((r for r in p.runs if not r.passed), None)
            if failed is not None:
                errors.append(
                    f"{level.id}: {p.name} fails on seed {failed.seed}"
                    f" ({_scores_text(level, failed)}): a lesson a little late must still pass"
                )
    return errors


def _scores_text(level: PackLevel, run: Score) -> str:
    objectives = level.scenario.objectives
    scores = ", ".join(
        f"{METRICS[g.metric].label(objectives.latency_percentile)}"
        f" {METRICS[g.metric].format(run.scores[g.metric])}"
        for g in objectives.goals
    )
    return scores + (f"; {run.refused} moves refused" if run.refused else "")
