"""The sandbox: opened from the title, its traffic, mix, incident and timeline keys, no
results at its end, and its screen at 80x24 and 120x40."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from game.engine import replay
from game.engine.simulation import Simulation
from game.engine.topology import FAILED
from game.ui.app import MillionsApp
from game.ui.screens.sandbox import TIMELINE_NAME, SandboxScreen
from game.ui.settings import AppSettings
from game.ui.widgets import MetricsPanel

SIZES = [(80, 24), (120, 40)]


def _app(saves=None) -> MillionsApp:
    return MillionsApp(replace(AppSettings.for_tests(), saves_dir=saves))


async def _open(pilot) -> SandboxScreen:
    await pilot.press("b")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SandboxScreen)
    return screen


def _messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_the_title_opens_the_sandbox_with_everything_unlocked():
    async with _app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        assert screen.sim.sandbox and screen.sim.scenario.unlocked is None
        assert screen.sim.scenario.budget is None


async def test_traffic_keys_step_the_rate_and_the_panel_shows_it():
    async with _app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        await pilot.press("right_square_bracket", "s", "right_square_bracket", "s")
        assert screen.last.rps == 156.0  # 100 -> 125 -> 156
        await pilot.press("left_square_bracket", "s")
        assert screen.last.rps == 117.0
        panel = str(screen.query_one("#sandbox-panel").render())
        assert "traffic 117/s" in panel
        assert [a.verb for a in screen.actions] == ["traffic"] * 3


async def test_the_mix_key_steps_through_the_catalog_mixes():
    async with _app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        await pilot.press("m")
        assert "mix 0/90/5/5" in str(screen.query_one("#sandbox-panel").render())
        assert screen.sim.scenario.traffic.mix.read == 0.9


async def test_the_fail_key_fails_the_selected_component_and_says_why_without_one():
    async with _app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        await pilot.press("i")
        assert any("Select a component" in m for m in _messages(pilot.app))
        screen.select("box-1")
        await pilot.press("i", "s")
        assert screen.sim.topology.nodes["box-1"].state == FAILED
        assert screen.last.served == 0


async def test_a_sandbox_run_is_a_plan_that_replays():
    async with _app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        await pilot.press("s", "right_square_bracket", "m", "s", "s")
        screen.select("box-1")
        await pilot.press("i", "s", "s")
        shown = [(r.rps, r.served, r.failed) for r in screen.history]
        again = Simulation(screen.level.scenario, seed=screen.sim.seed, sandbox=True)
        seen = []
        replay.play(
            again, screen.actions, until=screen.sim.tick, on_report=lambda s, r: seen.append(r)
        )
        assert [(r.rps, r.served, r.failed) for r in seen] == shown


async def test_the_timeline_key_writes_the_run_so_far_and_says_where(tmp_path):
    async with _app(tmp_path).run_test(size=(120, 40)) as pilot:
        await _open(pilot)
        await pilot.press("t")
        assert any("No tick has run yet" in m for m in _messages(pilot.app))
        await pilot.press("s", "s", "s")
        await pilot.press("t")
        path = tmp_path / TIMELINE_NAME
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        assert [int(r["tick"]) for r in rows] == [0, 1, 2]
        assert any(str(path) in m for m in _messages(pilot.app))


async def test_rewind_takes_back_a_traffic_move_exactly_and_redo_makes_it_again():
    async with _app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        await pilot.press(*["s"] * 20, "right_square_bracket", *["s"] * 20)
        assert screen.sim.tick == 40 and screen.last.rps == 125.0
        await pilot.press("z")
        await pilot.pause()
        assert screen.sim.tick == 10 and screen.sim.sandbox
        assert screen.actions == [] and screen.redo is not None
        assert screen.sim.scenario.traffic.rate(screen.sim.tick) == 100.0
        await pilot.press("y")
        await pilot.pause()
        assert screen.sim.tick == 40 and screen.last.rps == 125.0
        assert [a.verb for a in screen.actions] == ["traffic"]
        await pilot.press("right_square_bracket", "s")  # the rebuilt run is still a sandbox's
        assert screen.last.rps == 156.0


async def test_restart_asks_then_gives_a_fresh_sandbox():
    async with _app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        await pilot.press("right_square_bracket", "s", "s", "n")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, SandboxScreen)
        assert screen.sim.tick == 0 and screen.actions == [] and screen.sim.sandbox
        assert screen.sim.scenario.traffic.rate(0) == 100.0


async def test_nothing_is_graded_so_no_objective_line_is_drawn():
    async with _app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        await pilot.press("s")
        assert screen.sim.scenario.objectives.goals == ()
        panel = screen.query_one(MetricsPanel)
        for row in ("latency", "availability", "cost"):
            text = panel.text_of(row).plain
            assert "≤" not in text and "≥" not in text, text


async def test_the_end_pauses_without_results():
    async with _app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot)
        while not screen.sim.done:
            screen.sim.step()
        screen._finish()
        await pilot.press("s")
        assert pilot.app.screen is screen and screen.paused
        assert any("time is up" in m for m in _messages(pilot.app))


def _sandbox_after_moves():
    async def run_before(pilot) -> None:
        screen = await _open(pilot)
        await pilot.press("s", "right_square_bracket", "right_square_bracket", "m", "s", "s")
        screen.select("box-1")
        await pilot.press("i", "s")
        screen.query_one("#log").clear()
        pilot.app.clear_notifications()
        await pilot.pause()

    return _app(), run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sandbox_screen_with_its_controls(snap_compare, size):
    app, before = _sandbox_after_moves()
    assert snap_compare(app, terminal_size=size, run_before=before)
