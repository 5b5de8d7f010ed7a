"""Endless runs: traffic that keeps growing until the site spends its error budget.

An endless level has no finish line. Its traffic grows without end (the level's own curve,
wave and spikes, times a doubling every `doubling_ticks`, plus surprise spikes drawn from the
run's seed), and the site has an error budget: the share of requests it may fail over the last
`window` ticks, (1 - objective). The run ends at the first tick that overspends it, or at the
level's duration (a bound for untrusted packs, not a goal).

Two scores say how far a site went:
- peak_rps: the highest rate it served, averaged over `peak_ticks` consecutive ticks that all
  met the latency objective (a site that serves a spike slowly has not served it);
- cost_per_million: what those ticks cost per million requests served, so a bigger budget is
  not the only way up the table.

Everything is a function of the scenario and the seed; `seed_of_day` turns a date into the seed
friends share, the same on every machine.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import deque
from dataclasses import dataclass, replace

from game.engine import catalog
from game.engine.report import TickReport
from game.engine.traffic import Spike, Traffic

# The scores only an endless run has.
ENDLESS_METRICS: tuple[str, ...] = ("peak_rps", "cost_per_million")


@dataclass(frozen=True, slots=True)
class Endless:
    """How an endless level grows and when its run ends."""

    objective: float = catalog.ENDLESS_OBJECTIVE  # availability owed over the window
    window: int = catalog.ENDLESS_WINDOW_TICKS  # ticks the error budget is counted over
    latency_ms: float = catalog.ENDLESS_LATENCY_MS  # a tick within this counts toward the peak
    doubling_ticks: int = catalog.ENDLESS_DOUBLING_TICKS  # traffic doubles this often
    spikes_per_hour: float = catalog.ENDLESS_SPIKES_PER_HOUR  # surprise spikes from the seed

    def __post_init__(self) -> None:
        if not (math.isfinite(self.objective) and 0 < self.objective < 1):
            raise ValueError("the endless objective must be a share between 0 and 1")
        if not 1 <= self.window <= catalog.MAX_TICKS:
            raise ValueError(f"the error budget's window must be 1 to {catalog.MAX_TICKS} ticks")
        if not (math.isfinite(self.latency_ms) and self.latency_ms > 0):
            raise ValueError("the endless latency objective must be a positive number of ms")
        if not 1 <= self.doubling_ticks <= catalog.MAX_TICKS:
            raise ValueError(f"the doubling time must be 1 to {catalog.MAX_TICKS} ticks")
        if not (
            math.isfinite(self.spikes_per_hour)
            and 0 <= self.spikes_per_hour <= catalog.ENDLESS_MAX_SPIKES_PER_HOUR
        ):
            raise ValueError(
                f"spikes per hour must be between 0 and {catalog.ENDLESS_MAX_SPIKES_PER_HOUR:g}"
            )


def seed_of_day(year: int, month: int, day: int) -> int:
    """The seed of a calendar day: the same for everyone, on any machine."""
    digest = hashlib.sha256(f"zero-to-millions {year:04d}-{month:02d}-{day:02d}".encode())
    return int.from_bytes(digest.digest()[:8], "big") % (catalog.MAX_SEED + 1)


def grown(traffic: Traffic, endless: Endless, seed: int, duration: int) -> Traffic:
    """The level's traffic made endless for `seed`: doubling every `doubling_ticks` on top of
    its own curve, with the seed's surprise spikes added to its own."""
    return replace(
        traffic,
        growth_doubling_ticks=endless.doubling_ticks,
        spikes=traffic.spikes + surprise_spikes(endless, seed, duration),
    )


def surprise_spikes(endless: Endless, seed: int, duration: int) -> tuple[Spike, ...]:
    """Spikes at seeded times (a Poisson stream at `spikes_per_hour`), each a seeded size and
    length within the catalog's ranges; the same seed always gives the same spikes."""
    if endless.spikes_per_hour == 0:
        return ()
    draw = random.Random(seed ^ catalog.ENDLESS_SPIKE_STREAM)
    gap = catalog.TICKS_PER_HOUR / endless.spikes_per_hour
    low, high = catalog.ENDLESS_SPIKE_MULTIPLIER
    shortest, longest = catalog.ENDLESS_SPIKE_TICKS
    spikes: list[Spike] = []
    t = 0.0
    while len(spikes) < catalog.ENDLESS_MAX_SPIKES:
        t += draw.expovariate(1 / gap)
        if t >= duration:
            break
        spikes.append(
            Spike(int(t), draw.randint(shortest, longest), round(draw.uniform(low, high), 2))
        )
    return tuple(spikes)


class ErrorBudget:
    """The failures allowed over the last `window` ticks: (1 - objective) of what finished.

    Until a run has lasted a whole window, the ticks it has had stand for the window (what
    finished is scaled up to `window` ticks): otherwise a site's first minute, with a window
    nearly empty, could afford almost no failure at all."""

    __slots__ = ("objective", "window", "_ticks", "finished", "failed")

    def __init__(self, endless: Endless) -> None:
        self.objective = endless.objective
        self.window = endless.window
        self._ticks: deque[tuple[float, float]] = deque()
        self.finished = 0.0  # requests served or failed in the window
        self.failed = 0.0

    def add(self, report: TickReport) -> None:
        failed = report.failed_total
        finished = report.served + failed
        self._ticks.append((finished, failed))
        self.finished += finished
        self.failed += failed
        if len(self._ticks) > self.window:
            old_finished, old_failed = self._ticks.popleft()
            self.finished -= old_finished
            self.failed -= old_failed

    @property
    def allowance(self) -> float:
        ticks = len(self._ticks)
        return (1 - self.objective) * self.finished * self.window / ticks if ticks else 0.0

    @property
    def left(self) -> float:
        """The share of the budget not yet spent, 1 (none spent) down to 0 (spent)."""
        if self.failed <= 0:
            return 1.0
        allowance = self.allowance
        return max(0.0, 1 - self.failed / allowance) if allowance > 0 else 0.0

    @property
    def spent(self) -> bool:
        return self.failed > self.allowance


class Peak:
    """The best rate served over `peak_ticks` consecutive ticks within the latency objective."""

    __slots__ = ("latency_ms", "percentile", "_run", "_served", "_cost", "rps", "cost_per_million")

    def __init__(self, endless: Endless, percentile: int) -> None:
        self.latency_ms = endless.latency_ms
        self.percentile = percentile / 100
        self._run: deque[tuple[float, float]] = deque()  # (served, cost) of the current stretch
        self._served = 0.0
        self._cost = 0.0
        self.rps = 0.0
        self.cost_per_million = 0.0

    def add(self, report: TickReport) -> None:
        latency = report.percentile_ms(self.percentile) if report.served > 0 else None
        if latency is None or latency > self.latency_ms:
            self._run.clear()
            self._served = self._cost = 0.0
            return
        self._run.append((report.served, report.cost))
        self._served += report.served
        self._cost += report.cost
        if len(self._run) > catalog.ENDLESS_PEAK_TICKS:
            served, cost = self._run.popleft()
            self._served -= served
            self._cost -= cost
        if len(self._run) == catalog.ENDLESS_PEAK_TICKS:
            rate = self._served / catalog.ENDLESS_PEAK_TICKS
            if rate > self.rps:
                self.rps = rate
                self.cost_per_million = 1e6 * self._cost / self._served
