"""Demand over time: how many requests arrive each tick, of which kinds, for which keys."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from game.engine import catalog

CURVES = ("linear", "exponential")
_NEGLIGIBLE_RPS = 1e-9  # below this a rate is no traffic (and no subnormal arithmetic)


@dataclass(frozen=True, slots=True)
class Mix:
    """Shares of the request kinds; they sum to 1."""

    static: float = catalog.DEFAULT_MIX["static"]  # images, scripts, styles: a CDN answers them
    read: float = catalog.DEFAULT_MIX["read"]  # a lookup by key: cacheable, any store answers it
    write: float = catalog.DEFAULT_MIX["write"]  # changes a key: to the primary, invalidates
    join: float = catalog.DEFAULT_MIX["join"]  # a read joining tables: only relational answers

    def __post_init__(self) -> None:
        shares = (self.static, self.read, self.write, self.join)
        if any(not math.isfinite(s) or s < 0 for s in shares) or abs(sum(shares) - 1) > 1e-6:
            raise ValueError(f"request mix shares must be >= 0 and sum to 1, got {shares}")


@dataclass(frozen=True, slots=True)
class Spike:
    """Traffic multiplied by `multiplier` for `duration` ticks from tick `start`."""

    start: int
    duration: int
    multiplier: float


@dataclass(frozen=True, slots=True)
class Traffic:
    """Requests per second over a run: a curve through points, a daily wave, and spikes."""

    points: tuple[tuple[int, float], ...] = ((0, catalog.DEFAULT_RPS),)  # (tick, req/s), ascending
    curve: str = "linear"  # how the rate moves between points
    wave_amplitude: float = 0.0  # the daily wave: +- this share of the rate
    wave_period: int = catalog.DEFAULT_WAVE_PERIOD  # ticks from one peak to the next
    spikes: tuple[Spike, ...] = ()
    growth_doubling_ticks: int = 0  # endless runs: the whole rate doubles this often (0: never)
    mix: Mix = field(default_factory=Mix)
    keys: int = catalog.DEFAULT_KEYS  # distinct keys that reads and writes touch
    zipf_alpha: float = catalog.DEFAULT_ZIPF_ALPHA  # popularity skew: 0 uniform, 1+ hot-headed
    origin_rtt_s: float = catalog.DEFAULT_ORIGIN_RTT_S
    edge_rtt_s: float = catalog.DEFAULT_EDGE_RTT_S

    def __post_init__(self) -> None:
        if not self.points:
            raise ValueError("traffic needs at least one (tick, rps) point")
        ticks = [t for t, _ in self.points]
        if ticks != sorted(ticks) or len(set(ticks)) != len(ticks):
            raise ValueError("traffic points must have strictly increasing ticks")
        if any(not (0 <= r <= catalog.MAX_RPS) for _, r in self.points):
            raise ValueError(f"traffic rates must be between 0 and {catalog.MAX_RPS:g} req/s")
        if self.curve not in CURVES:
            raise ValueError(f"traffic curve must be one of {CURVES}, got {self.curve!r}")
        if not 0 <= self.growth_doubling_ticks <= catalog.MAX_TICKS:
            raise ValueError(f"the doubling time must be 0 to {catalog.MAX_TICKS} ticks")
        if not 0 <= self.wave_amplitude < 1 or self.wave_period < 1:
            raise ValueError("wave amplitude must be in [0, 1) and its period >= 1 tick")
        if (
            not 1 <= self.keys <= catalog.MAX_KEYS
            or not 0 <= self.zipf_alpha <= catalog.MAX_ZIPF_ALPHA
        ):
            raise ValueError(
                f"keys must be >= 1 and zipf_alpha between 0 and {catalog.MAX_ZIPF_ALPHA:g}"
            )

    def rate(self, tick: int) -> float:
        """Requests per second arriving during `tick`."""
        base = self._curve_rate(tick)
        if self.wave_amplitude:
            base *= 1 + self.wave_amplitude * math.sin(2 * math.pi * tick / self.wave_period)
        if self.growth_doubling_ticks:
            base = min(catalog.MAX_RPS, base * 2 ** (tick / self.growth_doubling_ticks))
        for spike in self.spikes:
            if spike.start <= tick < spike.start + spike.duration:
                base *= spike.multiplier
        return base if base >= _NEGLIGIBLE_RPS else 0.0

    def _curve_rate(self, tick: int) -> float:
        points = self.points
        if tick <= points[0][0]:
            return points[0][1]
        for (t0, r0), (t1, r1) in zip(points, points[1:]):
            if tick < t1:
                f = (tick - t0) / (t1 - t0)
                if self.curve == "exponential" and r0 > 0 and r1 > 0:
                    return math.exp(math.log(r0) + f * (math.log(r1) - math.log(r0)))
                return r0 + (r1 - r0) * f
        return points[-1][1]
