"""Objectives and stars: how a run's scores become pass/fail and 0-3 stars.

A level sets, for each scored metric, a pass line and tighter lines for two and three stars.
A run passes when every metric meets its pass line (that is one star); it earns two stars when
every metric also meets its two-star line, and three when every metric meets its three-star line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# Metric id -> True when a higher value is better.
METRICS: Mapping[str, bool] = MappingProxyType(
    {
        "availability": True,  # served / (served + failed)
        "latency_ms": False,  # the objective's latency percentile over the whole run
        "cost": False,  # total spend over the run
        "stale_share": False,  # share of served requests that were stale reads
        "lost_writes": False,  # writes acknowledged and then lost in a failover
    }
)
PERCENTILES = (50, 90, 95, 99)


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
        ordered = lines == tuple(sorted(lines, reverse=not METRICS[self.metric]))
        if not ordered:
            direction = "rise" if METRICS[self.metric] else "fall"
            raise ValueError(
                f"{self.metric}: star lines must {direction} from pass to two to three stars,"
                f" got {lines}"
            )

    def met(self, value: float, stars: int) -> bool:
        line = (self.pass_line, self.two, self.three)[stars - 1]
        return value >= line if METRICS[self.metric] else value <= line


@dataclass(frozen=True, slots=True)
class Objectives:
    """The goals of a level and the latency percentile its latency goal is measured at."""

    goals: tuple[Goal, ...]
    latency_percentile: int = 95

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
    """Objectives for a scenario that states none: a reasonable site, not a level's lesson."""
    return Objectives(
        goals=(
            Goal("availability", 0.99, 0.995, 0.999),
            Goal("latency_ms", 500.0, 300.0, 200.0),
        )
    )
