"""The forecast strip on the play screen: the level's traffic ahead, now, announced incidents."""

from __future__ import annotations

import dataclasses

import pytest

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.forecast import forecast
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings
from game.ui.widgets import ForecastStrip
from game.ui.widgets.chart import Scale, bars

CORE = load_pack(BUILTIN_PACKS / "core")


def _announced(level_id: str):
    """The level with its incidents announced."""
    level = CORE.level(level_id)
    told = tuple(dataclasses.replace(i, announced=True) for i in level.scenario.incidents)
    return dataclasses.replace(level, scenario=dataclasses.replace(level.scenario, incidents=told))


async def _strip(level, ticks: int) -> tuple[ForecastStrip, list[str], int]:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlayScreen(level, app.settings)
        await app.push_screen(screen)
        for _ in range(ticks):
            screen.advance()
        await pilot.pause()
        strip = screen.query_one(ForecastStrip)
        rows = [strip.render_line(y).text for y in range(2)]
        return strip, rows, strip._chart_width()


async def test_the_strip_draws_the_level_s_offered_load_with_now_marked():
    level = CORE.level("launch-day")
    strip, rows, width = await _strip(level, 120)
    ahead = forecast(level.scenario)
    expected = bars(ahead.rates, width, Scale(0.0, max(ahead.rates)))
    assert strip.bars(width) == expected
    assert "".join("▁▂▃▄▅▆▇█"[b] for b in expected) in rows[0]
    assert rows[1].startswith("now 2:00")
    now = 120 * width // level.scenario.duration
    assert strip.marks(width)[now] == "▲"


async def test_secret_incidents_stay_off_the_strip():
    level = CORE.level("servers-die")
    assert level.scenario.incidents
    strip, rows, width = await _strip(level, 1)
    assert "✖" not in rows[1]
    assert "end 8:00" in rows[1]


async def test_announced_incidents_are_on_the_strip():
    level = _announced("servers-die")
    strip, rows, width = await _strip(level, 1)
    duration = level.scenario.duration
    for incident in level.scenario.incidents:
        assert strip.marks(width)[incident.tick * width // duration] == "✖"
    assert rows[1].count("✖") == len(level.scenario.incidents) + 1  # and named at the right
    assert "✖ web-1 2:30" in rows[1]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_play_with_the_forecast(snap_compare, size):
    """servers-die at 1:40 with its incidents announced: now, the growth ahead, two ✖."""
    level = _announced("servers-die")
    reference = next(s for s in level.solutions if s.name == "reference").actions

    async def before(pilot) -> None:
        screen = PlayScreen(level, pilot.app.settings)
        await pilot.app.push_screen(screen)
        while screen.sim.tick < 100:
            for action in reference:
                if action.tick == screen.sim.tick:
                    screen.apply(action)
            screen.advance()
        screen.query_one("#log").clear()
        await pilot.pause()

    app = MillionsApp(AppSettings.for_tests())
    assert snap_compare(app, terminal_size=size, run_before=before)
