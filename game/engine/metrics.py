"""The scores a run is judged on, as data: one record per metric.

Scoring, saves, the results screen, level text and solution files all read these records, so a
score has one name, one unit, one direction and one way of being written everywhere:

    availability   99.781%     higher is better
    latency        1,234 ms    lower is better (at the level's percentile)
    cost           8,928       lower is better (total spend over the run)
    stale reads    0.42%       lower is better (share of served requests)
    lost writes    37          lower is better (writes acknowledged, then lost)
    oldest job     45 s        lower is better (levels whose requests carry jobs)
    peak load      12,300 req/s  higher is better (endless levels only)
    cost per million  4.2      lower is better (endless levels only)

The `id` is the key in level files (`[objectives]`), solution files (`[scores]`) and saves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Metric:
    """One score: what it is called, how it is written and which way is better."""

    id: str
    name: str  # in the player's words, lower case: "availability", "stale reads"
    higher_is_better: bool
    share: bool  # a share in [0, 1], written as a percentage
    unit: str  # written after the number: "%", " ms" or ""
    decimals: int  # decimals written (of the percentage, for a share)
    description: str  # one line for docs and schemas

    @property
    def sign(self) -> str:
        """How a line reads: ≥ where higher is better, ≤ where lower is."""
        return "≥" if self.higher_is_better else "≤"

    def label(self, percentile: int | None = None) -> str:
        """The name as a heading: "p95 latency" for latency at a percentile."""
        if self.id == "latency_ms" and percentile is not None:
            return f"p{percentile} latency"
        return self.name

    def format(self, value: float, decimals: int | None = None) -> str:
        """The value as the game writes it everywhere: 99.781%, 1,234 ms, 8,928."""
        if not math.isfinite(value):
            return "-"
        places = self.decimals if decimals is None else decimals
        if self.share:
            return f"{100 * value:,.{places}f}%"
        if self.id == "latency_ms" and decimals is None and abs(value) < 10:
            places = 1  # a few milliseconds keep one decimal: 4.3 ms, not 4 ms
        return f"{value:,.{places}f}{self.unit}"

    def format_pair(self, a: float, b: float) -> tuple[str, str]:
        """Two values with just enough decimals to tell them apart (equal ones as usual)."""
        for places in range(self.decimals, 18):
            pair = (self.format(a, places), self.format(b, places))
            if pair[0] != pair[1] or a == b:
                return pair
        return repr(a), repr(b)

    def meets(self, value: float, line: float) -> bool:
        """Whether a score reaches a line (a tie reaches it)."""
        return value >= line if self.higher_is_better else value <= line

    def better(self, a: float, b: float) -> bool:
        """Whether score `a` is strictly better than score `b`."""
        return a > b if self.higher_is_better else a < b

    def best(self, values: list[float] | tuple[float, ...]) -> float:
        return max(values) if self.higher_is_better else min(values)


METRICS: Mapping[str, Metric] = MappingProxyType(
    {
        m.id: m
        for m in (
            Metric(
                "availability",
                "availability",
                True,
                True,
                "%",
                3,
                "served / (served + failed) over the whole run",
            ),
            Metric(
                "latency_ms",
                "latency",
                False,
                False,
                " ms",
                0,
                "the level's latency percentile over the whole run, in milliseconds",
            ),
            Metric("cost", "cost", False, False, "", 0, "total spend over the run"),
            Metric(
                "stale_share",
                "stale reads",
                False,
                True,
                "%",
                2,
                "share of served requests that were stale reads",
            ),
            Metric(
                "lost_writes",
                "lost writes",
                False,
                False,
                "",
                0,
                "writes acknowledged and then lost in a failover",
            ),
            Metric(
                "job_age_s",
                "oldest job",
                False,
                False,
                " s",
                0,
                "levels with jobs: the longest a queued job waited for a worker, in seconds",
            ),
            Metric(
                "peak_rps",
                "peak load",
                True,
                False,
                " req/s",
                0,
                "endless levels: the best minute's served rate, every tick within the latency"
                " objective",
            ),
            Metric(
                "cost_per_million",
                "cost per million",
                False,
                False,
                "",
                0,
                "endless levels: what the peak minute cost per million requests served",
            ),
        )
    }
)
