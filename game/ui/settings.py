"""The settings an app runs with: one object, so tests can build a fully deterministic app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

from game.engine import catalog
from game.engine.endless import seed_of_day
from game.engine.scenario import Scenario

TickSource = Literal["timer", "manual"]
Animation = Literal["full", "reduced", "none"]
SPEEDS = catalog.SPEEDS
ANIMATIONS: tuple[Animation, ...] = ("full", "reduced", "none")
DEFAULT_THEME = "textual-dark"


@dataclass(frozen=True)
class AppSettings:
    """How the app runs: what drives ticks, what moves on screen, where saves and packs are."""

    tick_source: TickSource = "timer"  # "manual": ticks advance only when stepped
    seed: int | None = None  # overrides the level's seed when set
    cursor_blink: bool = True
    animation: Animation = "full"
    saves_dir: Path | None = None  # None: progress lives only in memory (as in tests)
    theme: str = DEFAULT_THEME  # a Textual theme name
    speed: int = 1  # ticks per second of the timer: 1, 2, 4 or 8
    packs: tuple[Path, ...] = ()  # pack folders beyond the built-in and user ones
    today: date | None = None  # the day whose seed endless levels play; None: the clock's

    def __post_init__(self) -> None:
        if self.tick_source not in ("timer", "manual"):
            raise ValueError(f"tick_source must be 'timer' or 'manual', not {self.tick_source!r}")
        if self.animation not in ANIMATIONS:
            raise ValueError(f"animation must be one of {ANIMATIONS}, not {self.animation!r}")
        if self.seed is not None and not 0 <= self.seed <= catalog.MAX_SEED:
            raise ValueError(f"seed must be between 0 and {catalog.MAX_SEED}, not {self.seed}")
        if self.speed not in SPEEDS:
            raise ValueError(f"speed must be one of {SPEEDS}, not {self.speed!r}")

    def with_saved(self, saved: Mapping[str, object] | None) -> AppSettings:
        """These settings with the player's saved theme, speed and motion, where they are valid."""
        settings = self
        for name in ("theme", "speed", "animation"):
            if saved and name in saved:
                try:
                    settings = replace(settings, **{name: saved[name]})
                except ValueError:  # a value this version does not offer: keep the default
                    pass
        return settings

    def seed_day(self) -> date:
        """The day endless levels take their seed from."""
        return self.today if self.today is not None else date.today()

    def seed_for(self, scenario: Scenario, seed: int | None = None) -> tuple[int | None, str]:
        """The seed a level is played on (None: its own) and what to say of it: `seed` (a run
        resumed or replayed), else the one these settings give, else for an endless level the
        seed of the day, which friends share."""
        if seed is None:
            seed = self.seed
        if seed is not None or scenario.endless is None:
            return seed, ""
        day = self.seed_day()
        return seed_of_day(day.year, day.month, day.day), f"seed of the day {day.isoformat()}"

    @classmethod
    def for_tests(cls) -> AppSettings:
        """Nothing moves on its own: manual ticks, no blinking cursor, no animation, one theme."""
        return cls(
            tick_source="manual",
            cursor_blink=False,
            animation="none",
            theme=DEFAULT_THEME,
            today=date(2026, 1, 1),
        )
