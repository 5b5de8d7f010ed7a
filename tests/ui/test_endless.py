"""The endless mode on screen: the day's seed, the error budget and peak where the forecast
stands, a run that ends when the budget is spent, and each seed's best kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from rich.console import Console

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.endless import seed_of_day
from game.engine.simulation import run
from game.store.progress import Store
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.screens.results import ResultsScreen
from game.ui.settings import AppSettings
from game.ui.widgets import EndlessStrip, ForecastStrip

ENDLESS = load_pack(BUILTIN_PACKS / "endless").level("endless")
DAY = date(2026, 12, 2)
SIZES = [(80, 24), (120, 40)]


def _text(renderable, width: int = 160) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def _settings(**changes) -> AppSettings:
    return replace(AppSettings.for_tests(), today=DAY, **changes)


def _played_to(ticks: int | None):
    """The endless level played without a move to `ticks` (None: to the run's end)."""

    async def before(pilot) -> None:
        screen = PlayScreen(ENDLESS, pilot.app.settings)
        await pilot.app.push_screen(screen)
        while not screen.sim.done and (ticks is None or screen.sim.tick < ticks):
            screen.advance()
        await pilot.pause()
        if ticks is None:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    return before


async def test_an_endless_level_plays_the_seed_of_the_day_and_shows_its_budget():
    app = MillionsApp(_settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await _played_to(30)(pilot)
        screen = app.screen
        assert screen.sim.seed == seed_of_day(2026, 12, 2)
        assert not screen.query(ForecastStrip)
        strip = screen.query_one(EndlessStrip)
        shown = _text(strip.render())
        assert "error budget" in shown and "100% left" in shown
        assert "seed of the day 2026-12-02" in shown
        assert "held 0:30" in _text(screen.query_one("#status").render())


async def test_a_seed_given_is_played_instead_of_the_day():
    app = MillionsApp(_settings(seed=7))
    async with app.run_test(size=(120, 40)) as pilot:
        await _played_to(1)(pilot)
        assert app.screen.sim.seed == 7
        assert "seed of the day" not in _text(app.screen.query_one(EndlessStrip).render())


async def test_the_run_ends_when_the_budget_is_spent_and_the_seed_keeps_its_best():
    store = Store.in_memory()
    app = MillionsApp(_settings(), store=store)
    seed = seed_of_day(2026, 12, 2)
    expected = run(ENDLESS.scenario, seed=seed)
    async with app.run_test(size=(120, 40)) as pilot:
        await _played_to(None)(pilot)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert screen.result.ticks == expected.ticks < ENDLESS.scenario.duration
        verdict = _text(screen.query_one("#verdict").content)
        assert "then its error budget was spent" in verdict
        assert "on the seed of the day, 2026-12-02" in verdict
        record = store.record("endless/endless")
        assert record is not None
        assert record.by_seed[seed]["peak_rps"] == pytest.approx(expected.scores["peak_rps"])
        assert "best on this seed" in _text(screen.query_one("#record").content)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_endless_hud(snap_compare, size):
    """Five minutes into the day's run, nothing built: the budget whole, the first peak."""
    app = MillionsApp(_settings())
    assert snap_compare(app, terminal_size=size, run_before=_played_to(300))
