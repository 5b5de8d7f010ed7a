"""Proving a pack: every solution meets its expectation on the level's seed and on extra seeds,
no level is won by its untouched starting build, every level's three stars are reachable, and
every solution that claims scores ([scores]) reproduces them when re-simulated."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace

from game.content.adversary import AdversaryReport, attack_pack, steps_needed
from game.content.packs import Pack, PackLevel, Solution
from game.content.pool import Runner, RunsTask, RunTask, finished
from game.content.solutions import Verification, claim_line, claimed_seed, compare
from game.engine import catalog
from game.engine.scenario import ADDABLE, Scenario
from game.engine.simulation import RunResult

UNTOUCHED = "(untouched)"
# The budget must leave this share of room above the reference's costliest moment, so a player
# who plays the lesson a little less tidily than the reference is not refused by a hair.
BUDGET_MARGIN = 0.05
SQUEEZED = f"(reference, budget {BUDGET_MARGIN:.0%} tighter)"


@dataclass(frozen=True, slots=True)
class Row:
    """One solution of one level, run on several seeds."""

    level: str
    solution: str
    expected: str  # "3 stars", "fails", or for the untouched start "fails"
    results: tuple[RunResult, ...]  # one per seed, the level's own seed first
    met: bool
    verification: Verification | None = None  # a solution that claims scores: the comparison

    @property
    def first(self) -> RunResult:
        return self.results[0]


@dataclass(slots=True)
class Report:
    pack: str
    rows: list[Row] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # what is wrong with a level as a whole
    adversary: AdversaryReport | None = None  # when asked for: its errors are flags too

    @property
    def ok(self) -> bool:
        return not self.flags and all(row.met for row in self.rows)


def seeds_for(level: PackLevel, extra: int) -> list[int]:
    """The level's own seed, then `extra` others."""
    return [level.scenario.seed + i for i in range(extra + 1)]


def runs_needed(pack: Pack, extra_seeds: int, adversary: bool = False) -> int:
    return (steps_needed(pack) if adversary else 0) + sum(
        len(level.solutions) * (extra_seeds + 1)
        + 1
        + sum(1 for s in level.solutions if _claims_elsewhere(level, s, extra_seeds))
        + (_squeezed(level) is not None)
        for level in pack.levels
    )


def _claims_elsewhere(level: PackLevel, solution: Solution, extra_seeds: int) -> bool:
    """Whether a solution claims scores on a seed the check does not run anyway."""
    seed = claimed_seed(solution.file, level.scenario.seed)
    return solution.file.scores is not None and seed not in seeds_for(level, extra_seeds)


def check_pack(
    pack: Pack,
    extra_seeds: int = 0,
    progress: Callable[[str], None] = lambda _: None,
    adversary: bool = False,
    workers: int | None = None,
) -> Report:
    """Run every solution of every level on `workers` processes (default: every core; 1: this
    one); `progress` is told after each run. With `adversary`, then play the adversary on as
    many."""
    report = Report(pack.id)
    with Runner(workers) as runner:
        runs = _play_runs(pack, extra_seeds, runner, progress)
        for level in pack.levels:
            untouched = runs[(level.id, "", level.scenario.seed)]
            met = not untouched.passed
            report.rows.append(Row(level.id, UNTOUCHED, "fails", (untouched,), met))
            if untouched.passed:
                report.flags.append(f"{level.id}: the untouched starting build passes")
            for solution in level.solutions:
                results = [
                    runs[(level.id, solution.name, seed)] for seed in seeds_for(level, extra_seeds)
                ]
                verification = None
                if solution.file.scores is not None:
                    seed = claimed_seed(solution.file, level.scenario.seed)
                    verification = compare(solution.file, runs[(level.id, solution.name, seed)])
                    report.flags.extend(_claim_flags(solution, verification))
                if solution.file.pack not in (None, pack.id):
                    report.flags.append(
                        f"{solution.path}: names pack {solution.file.pack!r}, but it is in"
                        f" pack {pack.id!r}"
                    )
                report.rows.append(
                    Row(
                        level.id,
                        solution.name,
                        _expected(level, solution),
                        tuple(results),
                        all(_meets(level, solution, r) for r in results),
                        verification,
                    )
                )
            report.flags.extend(_level_flags(level, report.rows))
            report.flags.extend(unlock_flags(level))
            report.flags.extend(_budget_flags(level, runs))
    if adversary:
        report.adversary = attack_pack(pack, extra_seeds, workers, progress)
        report.flags.extend(report.adversary.errors)
    return report


# A run of the check: the level, the solution's name ("" for the untouched start), the seed.
RunKey = tuple[str, str, int]


def _play_runs(
    pack: Pack, extra_seeds: int, runner: Runner, progress: Callable[[str], None]
) -> dict[RunKey, RunResult]:
    """Every run the check needs: each level untouched on its seed, each solution on the
    check's seeds and on the seed its claimed scores are for, and the reference on a tighter
    budget. A level's runs go to one worker together (see RunsTask), the longest levels first
    so the workers finish together; `progress` is told of each run as its level finishes."""
    runs = [_level_runs(level, extra_seeds) for level in pack.levels]
    runs.sort(key=lambda level: -sum(task.scenario.duration for _, task in level))
    owner: dict[Future, list[RunKey]] = {}
    for level in runs:
        keys, tasks = zip(*level, strict=True)
        owner[runner.submit(RunsTask(tasks))] = list(keys)
    results: dict[RunKey, RunResult] = {}
    for future in finished(owner):
        for key, result in zip(owner[future], future.result(), strict=True):
            results[key] = result
            level_id, name, seed = key
            progress(f"{level_id} {name or UNTOUCHED} seed {seed}")
    return results


def _level_runs(level: PackLevel, extra_seeds: int) -> list[tuple[RunKey, RunTask]]:
    scenario = level.scenario
    runs = [((level.id, "", scenario.seed), RunTask(scenario, (), scenario.seed))]
    for solution in level.solutions:
        seeds = seeds_for(level, extra_seeds)
        if solution.file.scores is not None:
            seeds.append(claimed_seed(solution.file, scenario.seed))
        plan = tuple(solution.actions)
        runs += [
            ((level.id, solution.name, seed), RunTask(scenario, plan, seed))
            for seed in dict.fromkeys(seeds)
        ]
    tight, reference = _squeezed(level), _reference(level)
    if tight is not None and reference is not None:
        task = RunTask(tight, tuple(reference.actions), scenario.seed)
        runs.append(((level.id, SQUEEZED, scenario.seed), task))
    return runs


def _claim_flags(solution: Solution, verification: Verification) -> list[str]:
    """One flag per claimed score the re-simulation does not reproduce, at its file and line."""
    flags = []
    for difference in verification.differences:
        line = claim_line(solution.path, difference.score)
        where = f"{solution.path}:{line}" if line else str(solution.path)
        claimed, actual = difference.shown()
        flags.append(
            f"{where}: scores.{difference.score}: claims {claimed}, re-simulation gives"
            f" {actual} (seed {verification.seed})"
        )
    return flags


def _expected(level: PackLevel, solution: Solution) -> str:
    if solution.counter:
        return "fails on its seed" if level.scenario.endless is not None else "fails"
    stars = solution.file.expect.stars if solution.file.expect else None
    expected = f"{stars} star{'s' if stars != 1 else ''}"
    return f"{expected} on its seed" if level.scenario.endless is not None else expected


def _meets(level: PackLevel, solution: Solution, result: RunResult) -> bool:
    """Whether a run does what its solution expects. An endless level's plans answer the spikes
    of its own seed, and a spike elsewhere may come before a plan is ready for it: they are
    held to their expectation on that seed only (the other seeds show their spread)."""
    if level.scenario.endless is not None and result.seed != level.scenario.seed:
        return True
    if solution.counter:
        return not result.passed
    if solution.file.expect is None:
        return False
    return result.stars == solution.file.expect.stars


def _level_flags(level: PackLevel, rows: list[Row]) -> list[str]:
    flags = []
    mine = [r for r in rows if r.level == level.id and r.solution != UNTOUCHED]
    if not any(r.first.stars == 3 for r in mine):
        flags.append(f"{level.id}: no solution reaches three stars")
    if not any(s.counter for s in level.solutions):
        flags.append(f"{level.id}: no counter-solution shows that its lesson is needed")
    taught = set(level.file.concepts)
    for solution in level.solutions:
        if solution.counter and solution.file.lesson not in taught:
            flags.append(
                f"{level.id}: counter-solution {solution.name} withholds"
                f" {solution.file.lesson!r}, which the level does not teach"
            )
    return flags


def unlock_flags(level: PackLevel) -> list[str]:
    """An unlocked kind the level's limits never let the player add: its starting build already
    has the most a site may have and none of them can be removed (a primary never can)."""
    scenario = level.scenario
    if scenario.unlocked is None:
        return []
    flags = []
    for kind in ADDABLE:
        if kind not in scenario.unlocked:
            continue
        limit = catalog.KINDS[kind].limit
        have = sum(1 for part in scenario.start if part.kind == kind)
        removable = kind != "primary" and "remove" in scenario.unlocked
        if have >= limit and not removable:
            flags.append(
                f"{level.id}: unlocks {kind}, but its starting build already has the most a"
                f" site may have ({limit}) and {'none can' if limit > 1 else 'it cannot'} be"
                f" removed: take {kind} out of unlocked"
            )
    return flags


def _reference(level: PackLevel) -> Solution | None:
    return next((s for s in level.solutions if not s.counter), None)


def _squeezed(level: PackLevel) -> Scenario | None:
    """The level with a budget BUDGET_MARGIN tighter, where it has a budget and a reference."""
    budget = level.scenario.budget
    if budget is None or _reference(level) is None:
        return None
    return replace(level.scenario, budget=budget * (1 - BUDGET_MARGIN))


def _budget_flags(level: PackLevel, runs: dict[RunKey, RunResult]) -> list[str]:
    """A reference whose moves a budget BUDGET_MARGIN tighter would refuse: the level's budget
    leaves no room for a player a little less tidy than the reference."""
    budget, reference = level.scenario.budget, _reference(level)
    if budget is None or reference is None:
        return []
    seed = level.scenario.seed
    usual, squeezed = runs[(level.id, reference.name, seed)], runs[(level.id, SQUEEZED, seed)]
    refused = [
        o.action
        for o, was in zip(squeezed.outcomes, usual.outcomes, strict=True)
        if was.accepted and not o.accepted and o.reason.startswith("over budget")
    ]
    if not refused:
        return []
    return [
        f"{level.id}: the budget ({budget:g} a tick) leaves less than"
        f" {BUDGET_MARGIN:.0%} room above the reference: the move at tick {refused[0].tick}"
        f" would be refused at {budget * (1 - BUDGET_MARGIN):g}; raise the budget"
    ]
