"""Star lines from evidence: what the reference, its late versions and the counters scored on
many seeds, and lines that separate them.

For each metric the level grades:

    three stars  a little easier than the reference's worst seed (THREE_MARGIN)
    pass         generous: PASS_MARGIN easier than the worst that the reference and its 5%
                 and 10% late versions score on any seed, but no easier than halfway (on a
                 ratio scale) from there to the nearest counter this metric is to fail
    two stars    halfway between pass and three stars

A counter is to fail on the metric where its best seed falls furthest short of the lesson
applied late (its guard); the other metrics may then be generous.

Lines are rounded to three significant figures, toward the easier side. A counter that would
pass under the proposed lines, or a wasteful build that would earn three stars, is a problem
no line can fix: the level itself must change. Every strategy's worst seed is then shown
against each line it crosses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from game.content.adversary import LevelAttack, attack_pack
from game.content.packs import Pack, PackLevel
from game.content.repertoire import COUNTER, LATE, REFERENCE, WASTEFUL, Played
from game.engine.metrics import METRICS
from game.engine.scoring import Goal, Objectives

TUNE_SEEDS = 20
THREE_MARGIN = 0.03  # three stars: the reference's worst, 3% easier
PASS_MARGIN = 0.5  # pass: the worst a lesson a little late scores, half as much again
# The least slack a line leaves, per metric: a share line is never set at exactly 100% or 0%.
MIN_SLACK = {"availability": (0.005, 0.0005), "stale_share": (0.005, 0.0005)}  # (pass, three)


@dataclass(frozen=True, slots=True)
class LineProposal:
    metric: str
    current: tuple[float, float, float] | None  # the level's lines, if it grades the metric
    proposed: tuple[float, float, float]
    reference_worst: float
    late_worst: float  # the worst of the reference and its late versions, over the seeds
    nearest_counter: tuple[str, float] | None  # the nearest counter this line is to fail


@dataclass(frozen=True, slots=True)
class Crossing:
    """One strategy against the proposed lines: per metric, the best line its worst seed
    reaches (0 none, 1 pass, 2, 3), and its stars (fewest, most) now and as proposed."""

    strategy: str
    role: str
    concept: str
    reached: tuple[int, ...]  # in the order of Tuning.lines
    stars_now: tuple[int, int]
    stars_proposed: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Tuning:
    level: str
    seeds: tuple[int, ...]
    lines: tuple[LineProposal, ...]
    rows: tuple[Crossing, ...]
    problems: tuple[str, ...]  # what no line can fix


def tune_level(
    pack: Pack,
    level: PackLevel,
    seeds: int = TUNE_SEEDS,
    workers: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[LevelAttack, Tuning]:
    """Play the adversary on `seeds` seeds of one level, and propose its star lines."""
    report = attack_pack(pack, seeds - 1, workers, progress, levels=[level])
    attack = report.levels[0]
    return attack, propose(level, attack)


def propose(level: PackLevel, attack: LevelAttack) -> Tuning:
    objectives = level.scenario.objectives
    current = {g.metric: g.lines for g in objectives.goals}
    reference = [p for p in attack.played if p.strategy.role == REFERENCE]
    if not reference:
        return Tuning(level.id, attack.seeds, (), (), ("the level has no reference solution",))
    must_pass = [p for p in attack.played if p.strategy.role in (REFERENCE, LATE)]
    counters = [p for p in attack.played if p.strategy.role == COUNTER]
    late = {metric: _worst(metric, must_pass) for metric in current}
    guards: dict[str, list[Played]] = {metric: [] for metric in current}
    problems = []
    for counter in counters:
        guard = _guard(counter, late)
        if guard is None:
            problems.append(
                f"{counter.name} ({counter.strategy.concept}) scores as well as the reference"
                " and its late versions on every metric: no lines can make it fail"
            )
        else:
            guards[guard].append(counter)
    lines = tuple(
        _propose_metric(metric, current[metric], reference, late[metric], guards[metric])
        for metric in current
    )
    proposed = Objectives(
        tuple(Goal(line.metric, *line.proposed) for line in lines),
        objectives.latency_percentile,
    )
    rows = tuple(_crossing(p, lines, proposed) for p in attack.played)
    for p, row in zip(attack.played, rows):
        if p.strategy.role == COUNTER and row.stars_proposed[1] > 0 and _guard(p, late):
            problems.append(f"{p.name} ({p.strategy.concept}) passes under the proposed lines")
        if p.strategy.role == WASTEFUL and row.stars_proposed[1] == 3:
            problems.append(f"{p.name} earns 3 stars under the proposed lines")
        if p.strategy.role in (REFERENCE, LATE) and row.stars_proposed[0] == 0:
            problems.append(f"{p.name} fails under the proposed lines")
    return Tuning(level.id, attack.seeds, lines, rows, tuple(problems))


def _guard(counter: Played, late: dict[str, float]) -> str | None:
    """The metric on which a counter's best seed falls furthest short of what the lesson,
    late, still scores (as a ratio; for availability, of the distance from 100%): the line
    that is to make it fail. None if it falls short on none."""
    best_metric, best_gap = None, 0.0
    for metric, line in late.items():
        gap = _shortfall(metric, _best(metric, [counter]), line)
        if gap > best_gap:
            best_metric, best_gap = metric, gap
    return best_metric


def _shortfall(metric: str, value: float, reference: float) -> float:
    m = METRICS[metric]
    if m.higher_is_better and m.share:
        value, reference = 1 - value, 1 - reference
    elif m.higher_is_better:
        value, reference = reference, value
    if value <= reference:
        return 0.0
    return math.log(value / reference) if reference > 0 else math.inf


def _propose_metric(
    metric: str,
    current: tuple[float, float, float] | None,
    reference: Sequence[Played],
    late_worst: float,
    guarded: Sequence[Played],
) -> LineProposal:
    """Lines for one metric; `guarded`: the counters this metric's pass line is to fail."""
    m = METRICS[metric]
    ref_worst = _worst(metric, reference)
    slack = MIN_SLACK.get(metric, (0.0, 0.0))
    three = _easier(metric, ref_worst, THREE_MARGIN, slack[1])
    passing = _easier(metric, late_worst, PASS_MARGIN, slack[0])
    nearest = None
    if guarded:
        bound = max(guarded, key=lambda p: _sign(metric) * _best(metric, [p]))
        nearest = (bound.name, _best(metric, [bound]))
        middle = _round(metric, _between(metric, late_worst, nearest[1]))
        if m.better(middle, passing):  # no easier than halfway to the nearest counter
            passing = middle
    if not m.meets(three, passing):  # pass must be no harder than three stars
        passing = three
    two = _round(metric, _between(metric, passing, three))
    if not (m.meets(two, passing) and m.meets(three, two)):
        two = passing
    return LineProposal(metric, current, (passing, two, three), ref_worst, late_worst, nearest)


def _between(metric: str, a: float, b: float) -> float:
    """Halfway from a to b, on a ratio scale (of the distance from 100% for availability)."""
    m = METRICS[metric]
    if m.higher_is_better and m.share:
        return 1 - _between("latency_ms", 1 - a, 1 - b)
    if a > 0 and b > 0:
        return math.sqrt(a * b)
    return (a + b) / 2


def _crossing(p: Played, lines: Sequence[LineProposal], proposed: Objectives) -> Crossing:
    reached = []
    for line in lines:
        value = _worst(line.metric, [p])
        metric = METRICS[line.metric]
        reached.append(sum(1 for x in line.proposed if metric.meets(value, x)))
    now = p.stars
    stars = [proposed.stars(run.scores) for run in p.runs]
    return Crossing(
        p.name, p.strategy.role, p.strategy.concept, tuple(reached), now, (min(stars), max(stars))
    )


def _sign(metric: str) -> int:
    return 1 if METRICS[metric].higher_is_better else -1


def _worst(metric: str, plays: Sequence[Played]) -> float:
    values = [run.scores[metric] for p in plays for run in p.runs]
    return min(values) if METRICS[metric].higher_is_better else max(values)


def _best(metric: str, plays: Sequence[Played]) -> float:
    values = [run.scores[metric] for p in plays for run in p.runs]
    return max(values) if METRICS[metric].higher_is_better else min(values)


def _easier(metric: str, value: float, margin: float, slack: float) -> float:
    """`value` moved toward the easier side by `margin` of itself (for a share, of its distance
    from the perfect score), by at least `slack`, then rounded that way."""
    m = METRICS[metric]
    if m.higher_is_better:
        room = (1 - value) if m.share else abs(value)
        line = value - max(room * margin, slack)
        line = max(line, 0.0)
    else:
        line = value + max(abs(value) * margin, slack)
        if m.share:
            line = min(line, 1.0)
    return _round(metric, line)


def _round(metric: str, value: float) -> float:
    """Three significant figures toward the easier side (of the distance from 1 for a share
    where higher is better: 99.93% stays 99.9%, not 99.9% of a hundred)."""
    m = METRICS[metric]
    if m.higher_is_better and m.share:
        return 1 - _round_up(1 - value)
    if m.higher_is_better:
        return _round_down(value)
    return _round_up(value)


def _round_up(x: float) -> float:
    if x <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(x)) - 2)
    return round(math.ceil(x / step - 1e-9) * step, 12)


def _round_down(x: float) -> float:
    if x <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(x)) - 2)
    return round(math.floor(x / step + 1e-9) * step, 12)
