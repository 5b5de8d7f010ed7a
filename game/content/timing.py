"""The timing window of a plan: how late it may come and still pass, and still earn 3 stars.

Every move of the plan is delayed by the same share of the level's length. The window is the
range of delays from 0 up to the last one on a grid of WINDOW_STEP (1%) for which every delay
up to it passes (or earns 3 stars) on every seed checked, searched up to WINDOW_LIMIT (30%).
The search goes in coarse steps of WINDOW_COARSE (5%) until a step fails, then bisects the 1%
steps inside that coarse interval: it takes a pass (or 3 stars) to change at most once inside
one coarse interval, so a dip that recovers within 5% is not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from game.content.pool import Score, run_plan
from game.content.strategies import delayed
from game.engine.actions import Action
from game.engine.scenario import Scenario

WINDOW_STEP = 0.01
WINDOW_COARSE = 0.05
WINDOW_LIMIT = 0.30
LATE_SHARES = (0.05, 0.10)  # delays played on every seed and reported as strategies
LATE_REQUIRED = 0.10  # the curriculum: a lesson 10% of the level late still passes


@dataclass(frozen=True, slots=True)
class TimingWindow:
    """The delays (shares of the level's length) that still pass and still earn 3 stars:
    from 0 to `passes_to` / `three_stars_to`; None when the plan undelayed does not."""

    passes_to: float | None
    three_stars_to: float | None
    limit: float  # searched up to here: a window that reaches it may go on
    duration: int
    tried: tuple[tuple[float, int], ...]  # (share, fewest stars over the seeds), by share

    def ticks(self, share: float | None) -> int | None:
        return None if share is None else round(share * self.duration)


@dataclass(frozen=True, slots=True)
class WindowScan:
    window: TimingWindow
    late: tuple[tuple[float, tuple[Score, ...]], ...]  # LATE_SHARES and 0: every seed's run


@dataclass(frozen=True, slots=True)
class WindowTask:
    scenario: Scenario
    plan: tuple[Action, ...]
    seeds: tuple[int, ...]
    step: float = WINDOW_STEP
    coarse: float = WINDOW_COARSE
    limit: float = WINDOW_LIMIT
    late: tuple[float, ...] = LATE_SHARES

    def run(self) -> WindowScan:
        return scan(self)


def scan(task: WindowTask) -> WindowScan:
    duration = task.scenario.duration
    runs: dict[int, tuple[Score, ...]] = {}  # delay in ticks -> a run per seed

    def fewest(share: float) -> int:
        ticks = round(share * duration)
        if ticks not in runs:
            plan = delayed(task.plan, ticks)
            runs[ticks] = tuple(run_plan(task.scenario, plan, s) for s in task.seeds)
        return min(score.stars for score in runs[ticks])

    per_coarse = max(1, round(task.coarse / task.step))
    last = round(task.limit / task.step)
    grid = [i * task.step for i in range(last + 1)]
    coarse = grid[::per_coarse] + ([] if last % per_coarse == 0 else grid[-1:])

    def boundary(ok) -> float | None:
        good = bad = None
        for share in coarse:
            if not ok(share):
                bad = share
                break
            good = share
        return None if good is None else _last_good(grid, good, bad, ok)

    passes = boundary(lambda share: fewest(share) > 0)
    three = boundary(lambda share: fewest(share) == 3)
    for share in task.late:
        fewest(share)
    tried = tuple(sorted((t / duration, min(s.stars for s in r)) for t, r in runs.items()))
    late = tuple((share, runs[round(share * duration)]) for share in (0.0, *task.late))
    return WindowScan(TimingWindow(passes, three, task.limit, duration, tried), late)


def _last_good(grid, good: float, bad: float | None, ok) -> float:
    """The last grid share that is ok between `good` (ok) and `bad` (not ok; None: no bad one
    was met, so `good`), by bisection: the coarse step is taken to hold one change at most."""
    if bad is None:
        return good
    inside = [share for share in grid if good < share < bad]
    low, high = -1, len(inside)  # inside[:low+1] are ok, inside[high:] are not
    while high - low > 1:
        middle = (low + high) // 2
        if ok(inside[middle]):
            low = middle
        else:
            high = middle
    return good if low < 0 else inside[low]


def combine(scans: Sequence[WindowScan]) -> WindowScan:
    """Scans of the same plan on different seeds as one: the window is the narrowest (a delay
    is in it only if it is on every seed), a delay tried shows the fewest stars of the seeds
    that tried it, and the late runs are put together in the order of the scans."""
    windows = [s.window for s in scans]

    def narrowest(shares: list[float | None]) -> float | None:
        return None if any(x is None for x in shares) else min(shares)  # type: ignore[type-var]

    fewest: dict[float, int] = {}
    for window in windows:
        for share, stars in window.tried:
            fewest[share] = min(stars, fewest.get(share, stars))
    first = windows[0]
    window = TimingWindow(
        narrowest([w.passes_to for w in windows]),
        narrowest([w.three_stars_to for w in windows]),
        first.limit,
        first.duration,
        tuple(sorted(fewest.items())),
    )
    late = tuple(
        (share, tuple(run for scan in scans for run in dict(scan.late)[share]))
        for share, _ in scans[0].late
    )
    return WindowScan(window, late)
