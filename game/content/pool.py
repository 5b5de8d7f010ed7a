"""Running many plays of levels at once, over every core, keeping only their scores.

A task is a small frozen dataclass (a scenario, a plan or a policy, the seeds) whose `run()`
plays it and returns plain records: a Score per run holds the stars, the scores and the moves
the engine accepted, never the run itself, so no run's histograms or caches outlive it, in a
worker or here. The one exception is RunTask (and RunsTask, several of them): `levels check`
reads a run's outcomes and last report, so it gets the RunResult back, as it did when it ran
them in this process. `Runner` hands tasks to a process pool ('spawn' workers, so nothing of this
process is copied into them) or, with one worker, runs each in this process when it is given.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from game.engine.actions import Action, Outcome
from game.engine.scenario import Scenario
from game.engine.simulation import RunResult, Simulation, run


@dataclass(frozen=True, slots=True)
class Score:
    """What is kept of one run: its seed, stars and scores, and the moves it made."""

    seed: int
    stars: int
    scores: dict[str, float]
    accepted: tuple[Action, ...]  # the moves the engine carried out, in order
    made: tuple[str, ...]  # for each accepted move, the component it added ("" for none)
    refused: int  # moves the engine refused

    @property
    def passed(self) -> bool:
        return self.stars > 0


def score_of(result: RunResult) -> Score:
    accepted = [o for o in result.outcomes if o.accepted]
    return Score(
        result.seed,
        result.stars,
        dict(result.scores),
        tuple(o.action for o in accepted),
        tuple(o.component for o in accepted),
        len(result.outcomes) - len(accepted),
    )


class Policy(Protocol):
    """A way of playing that decides as the run goes."""

    def player(self, sim: Simulation, apply: Callable[[Action], Outcome]) -> Callable[[], None]:
        """A fresh player for one run, called at every tick before it runs; it makes its moves
        through `apply`."""
        ...


def play(scenario: Scenario, seed: int, policy: Policy) -> Score:
    """Run a scenario with a policy choosing the moves (as `run` does with a plan: each tick's
    moves first, then the tick)."""
    sim = Simulation(scenario, seed)
    outcomes: list[Outcome] = []

    def apply(action: Action) -> Outcome:
        outcome = sim.apply(action)
        outcomes.append(outcome)
        return outcome

    turn = policy.player(sim, apply)
    while not sim.done:
        turn()
        sim.step()
    return score_of(sim.result(outcomes))


def run_plan(scenario: Scenario, plan: Sequence[Action], seed: int) -> Score:
    return score_of(run(scenario, plan, seed=seed))


@dataclass(frozen=True, slots=True)
class RunTask:
    """One plan on one seed, kept whole: the checker reads more of a run than its Score."""

    scenario: Scenario
    plan: tuple[Action, ...]
    seed: int

    def run(self) -> RunResult:
        return run(self.scenario, self.plan, seed=self.seed)


@dataclass(frozen=True, slots=True)
class RunsTask:
    """Several runs in one worker, in turn. Runs of one level share most of their latency
    shapes, which a process works out once (game/engine/shapes.py): handed out one by one,
    every worker would work them all out again."""

    runs: tuple[RunTask, ...]

    def run(self) -> tuple[RunResult, ...]:
        return tuple(task.run() for task in self.runs)


@dataclass(frozen=True, slots=True)
class PlanTask:
    """One plan on some seeds."""

    scenario: Scenario
    plan: tuple[Action, ...]
    seeds: tuple[int, ...]

    def run(self) -> tuple[Score, ...]:
        return tuple(run_plan(self.scenario, self.plan, seed) for seed in self.seeds)


@dataclass(frozen=True, slots=True)
class PolicyTask:
    """One policy on some seeds: it plays each seed afresh, so it meets that seed's luck."""

    scenario: Scenario
    policy: Any  # a Policy (a frozen dataclass)
    seeds: tuple[int, ...]

    def run(self) -> tuple[Score, ...]:
        return tuple(play(self.scenario, seed, self.policy) for seed in self.seeds)


class Task(Protocol):
    def run(self) -> Any: ...


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


class Runner:
    """Runs tasks on `workers` processes (1: in this process, each as it is submitted)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else max(1, workers)
        self._pool: Executor | None = None

    def __enter__(self) -> Runner:
        if self.workers > 1:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def submit(self, task: Task) -> Future:
        if self._pool is not None:
            return self._pool.submit(_run, task)
        future: Future = Future()
        try:
            future.set_result(task.run())
        except BaseException as error:  # handed back like a worker's, raised by result()
            future.set_exception(error)
        return future


def _run(task: Task) -> Any:
    return task.run()


def finished(futures: Iterable[Future]) -> Iterator[Future]:
    """The futures as they finish; more may be added to the set being waited on meanwhile
    (pass a set and add to it)."""
    pending = futures if isinstance(futures, set) else set(futures)
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            pending.discard(future)
            yield future
