"""Charts on scales that mean something, and every graded score on the play screen."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.simulation import Simulation
from game.engine.view import site_view
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings
from game.ui.widgets import MetricsPanel, chart

CORE = load_pack(BUILTIN_PACKS / "core")
ROW = {"availability": 2, "cost": 3}  # the panel's rows, top to bottom, as before graded rows
CHART_CELLS = 20


class PanelApp(App[None]):
    def __init__(self, level_id: str, ticks: int) -> None:
        super().__init__()
        self.level_id, self.ticks = level_id, ticks

    def compose(self) -> ComposeResult:
        yield MetricsPanel()

    def on_mount(self) -> None:
        sim = Simulation(CORE.level(self.level_id).scenario)
        panel = self.query_one(MetricsPanel)
        for _ in range(self.ticks):
            sim.step()
            panel.record(site_view(sim))


async def _chart_cells(level_id: str, ticks: int, row: str) -> str:
    app = PanelApp(level_id, ticks)
    async with app.run_test(size=(120, 10)) as pilot:
        await pilot.pause()
        panel = app.query_one(MetricsPanel)
        return panel.render_line(ROW[row]).text.rstrip()[-CHART_CELLS:]


async def test_a_steady_full_availability_draws_full_bars():
    # servers-die at its start: every request served, tick after tick
    cells = await _chart_cells("servers-die", 60, "availability")
    assert cells == "█" * CHART_CELLS


async def test_a_flat_cost_draws_flat():
    # servers-die's cost per tick creeps up by millionths (the CDN's egress): flat, not a ramp
    sim = Simulation(CORE.level("servers-die").scenario)
    costs = [sim.step().cost for _ in range(60)]
    assert len(set(costs)) > 1 and max(costs) - min(costs) < 1e-3
    cells = await _chart_cells("servers-die", 60, "cost")
    assert len(set(cells)) == 1, cells


def test_fixed_scales():
    assert chart.bars([1.0] * 5, 5, chart.SHARE) == (7,) * 5
    assert chart.bars([0.5] * 4, 4, chart.SHARE) == (4,) * 4  # half of 0-100%, not the top
    assert chart.bars([3.0, 3.0], 4, chart.Scale.from_zero([3.0, 3.0])) == (7,) * 4
    assert chart.bars([2.0, 2.0], 2, chart.Scale.from_zero([2.0], 4.0)) == (4, 4)  # budget 4
    assert chart.bars([], 3, chart.SHARE) == (0, 0, 0)
    # the worst tick of a bucket is drawn: an outage is not hidden by the ticks around it
    assert chart.bars([1.0, 0.0, 1.0, 1.0], 2, chart.SHARE, min) == (0, 7)


def test_a_time_axis_has_its_minutes():
    rule, labels = chart.time_axis(480, 60)
    assert len(rule) == 60 and rule.count("┬") >= 4
    assert labels.startswith("0:00") and "2:00" in labels and labels.endswith("8:00")


async def _play_rows(level_id: str, ticks: int) -> list[str]:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlayScreen(CORE.level(level_id), app.settings)
        await app.push_screen(screen)
        for _ in range(ticks):
            screen.advance()
        await pilot.pause()
        panel = screen.query_one(MetricsPanel)
        return [panel.render_line(y).text for y in range(panel.size.height)]


@pytest.mark.parametrize(
    ("level_id", "graded", "not_graded"),
    [
        ("fresh-enough", "stale reads", "lost writes"),
        ("primary-down", "lost writes", "stale reads"),
    ],
)
async def test_graded_scores_are_on_the_play_screen(level_id, graded, not_graded):
    rows = await _play_rows(level_id, 5)
    line = next((row for row in rows if row.startswith(graded)), None)
    assert line is not None, rows
    assert "≤" in line  # with its pass line
    assert not any(row.startswith(not_graded) for row in rows)


async def test_a_level_grading_neither_shows_neither():
    rows = await _play_rows("launch-day", 5)
    assert not any(row.startswith(("stale reads", "lost writes")) for row in rows)


def test_a_live_chart_of_two_minutes_draws_two_seconds_as_two_seconds():
    """A window's short series takes only its share of the cells (the rest stay blank), where
    it used to stretch across the whole chart as if two minutes had passed."""
    assert chart.bars([0.5, 0.5], 60, chart.SHARE, window=120) == (4,)
    assert len(chart.bars([0.5] * 60, 60, chart.SHARE, window=120)) == 30
    assert len(chart.bars([0.5] * 120, 60, chart.SHARE, window=120)) == 60
    assert chart.bars([], 60, chart.SHARE, window=120) == ()
    panel = MetricsPanel()
    panel._history["requests"].extend([100.0, 100.0])
    assert len(panel.bars("requests", 60)) == 1
