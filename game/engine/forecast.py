"""The traffic a level has in store: what a player may know ahead of time.

A level's demand is no secret: its curve through the points, its daily wave and its spikes are
in the level file, so a screen may show them before they come. Its incidents are a surprise
unless the level announces them. `forecast(scenario)` is a pure function of the scenario:

    rates       the request rate offered at every tick of the level (what each tick's report
                will say as its rps)
    spikes      the spikes, each from its start for its duration
    incidents   the announced incidents only; a secret one is not here

`Forecast.columns(width)` cuts the run into `width` columns, each its busiest tick, for a strip.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.engine.scenario import Incident, Scenario
from game.engine.traffic import Spike


@dataclass(frozen=True, slots=True)
class Forecast:
    duration: int
    rates: tuple[float, ...]  # req/s offered at each tick, 0 to duration - 1
    spikes: tuple[Spike, ...]
    incidents: tuple[Incident, ...]  # announced ones only, by tick

    @property
    def peak(self) -> float:
        return max(self.rates, default=0.0)

    def column_of(self, tick: int, width: int) -> int:
        """The column of a strip `width` wide that `tick` falls in."""
        return min(width - 1, max(0, tick * width // self.duration))

    def columns(self, width: int) -> tuple[float, ...]:
        """The busiest rate of the ticks each of `width` columns covers (a column may cover
        none when the strip is wider than the level: it repeats its tick's rate)."""
        if width <= 0:
            return ()
        n = self.duration
        return tuple(
            max(self.rates[c * n // width : max((c + 1) * n // width, c * n // width + 1)])
            for c in range(width)
        )


def forecast(scenario: Scenario) -> Forecast:
    """What a player may know of `scenario`'s traffic ahead: its rates, spikes and the
    incidents it announces."""
    traffic = scenario.traffic
    return Forecast(
        duration=scenario.duration,
        rates=tuple(traffic.rate(t) for t in range(scenario.duration)),
        spikes=tuple(s for s in traffic.spikes if s.start < scenario.duration),
        incidents=tuple(
            sorted((i for i in scenario.incidents if i.announced), key=lambda i: i.tick)
        ),
    )
