"""Objectives and stars: how a run's scores become pass/fail and 0-3 stars.

A level sets, for each scored metric, a pass line and tighter lines for two and three stars.
A run passes when every metric meets its pass line (that is one star); it earns two stars when
every metric also meets its two-star line, and three when every metric meets its three-star line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from game.engine import catalog
from game.engine.metrics import METRICS

PERCENTILES = catalog.LATENCY_PERCENTILES


@dataclass(frozen=True, slots=True)
class Goal:
    """One metric's lines: pass (one star), two stars, three stars."""

    metric: str
    pass_line: float
    two: float
    three: float

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; expected one of {sorted(METRICS)}")
        lines = (self.pass_line, self.two, self.three)
        if not all(math.isfinite(x) for x in lines):
            raise ValueError(f"{self.metric}: star lines must be finite numbers")
        if not lines_ordered(self.metric, lines):
            direction = "rise" if METRICS[self.metric].higher_is_better else "fall"
            raise ValueError(
                f"{self.metric}: star lines must {direction} from pass to two to three stars,"
                f" got {lines}"
            )

    @property
    def lines(self) -> tuple[float, float, float]:
        return (self.pass_line, self.two, self.three)

    def met(self, value: float, stars: int) -> bool:
        return METRICS[self.metric].meets(value, self.lines[stars - 1])


def lines_ordered(metric: str, lines: Sequence[float]) -> bool:
    """Whether star lines get no easier from pass to two to three stars."""
    return tuple(lines) == tuple(sorted(lines, reverse=not METRICS[metric].higher_is_better))


@dataclass(frozen=True, slots=True)
class Objectives:
    """The goals of a level and the latency percentile its latency goal is measured at."""

    goals: tuple[Goal, ...]
    latency_percentile: int = catalog.DEFAULT_LATENCY_PERCENTILE

    def __post_init__(self) -> None:
        if self.latency_percentile not in PERCENTILES:
            raise ValueError(f"latency percentile must be one of {PERCENTILES}")
        metrics = [g.metric for g in self.goals]
        if len(set(metrics)) != len(metrics):
            raise ValueError("each metric may have only one goal")

    def stars(self, scores: dict[str, float]) -> int:
        """0 (failed) to 3 stars for a run's scores."""
        earned = 0
        for level in (1, 2, 3):
            if all(g.met(scores[g.metric], level) for g in self.goals):
                earned = level
            else:
                break
        return earned


def default_objectives() -> Objectives:
    """Objectives for a scenario that states none (catalog.DEFAULT_OBJECTIVES)."""
    return Objectives(
        goals=tuple(Goal(m, *lines) for m, lines in catalog.DEFAULT_OBJECTIVES.items())
    )
