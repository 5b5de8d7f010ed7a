"""Leaving and time on the play screen: Esc deselects before it asks, the pause question,
restart, rewind and redo, and Continue bringing a level back as it was left."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.actions import Action
from game.engine.simulation import Simulation
from game.ui.app import MillionsApp
from game.ui.dialogs import ConfirmScreen, PauseMenu
from game.ui.screens.play import PlayScreen
from game.ui.screens.title import TitleScreen
from game.ui.settings import AppSettings
from game.ui.widgets import EventLog
from tests.ui.test_play import _palette_command

CORE = load_pack(BUILTIN_PACKS / "core")
LEVEL = CORE.level("read-heavy")
WEB = Action(0, "add", kind="web", size="M")
REPLICA = Action(0, "add", kind="replica", size="M")


async def _play(app: MillionsApp, pilot, level=LEVEL) -> PlayScreen:
    screen = PlayScreen(level, app.settings)
    await app.push_screen(screen)
    await pilot.pause()
    return screen


def _to(screen: PlayScreen, tick: int, moves: dict[int, Action] | None = None) -> None:
    """Advance the screen to `tick`, making `moves` (tick -> move) on the way."""
    while screen.sim.tick < tick:
        if moves and screen.sim.tick in moves:
            screen.apply(moves[screen.sim.tick])
        screen.advance()


def _future(moves: dict[int, Action], start: int, ticks: int = 100) -> list:
    """The `ticks` reports from `start` of a run that made only `moves`."""
    sim = Simulation(LEVEL.scenario)
    while sim.tick < start + ticks:
        if sim.tick in moves:
            sim.apply(replace(moves[sim.tick], tick=sim.tick))
            sim.take_events()  # as the play screen does: a move's event goes to the log at once
        report = sim.step()
        if sim.tick > start:
            yield report


def _next_reports(screen: PlayScreen, ticks: int = 100) -> list:
    reports = []
    for _ in range(ticks):
        screen.advance()
        reports.append(screen.last)
    return reports


# -- Esc and the pause question ---------------------------------------------------------------


async def test_esc_with_a_component_selected_deselects_it(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _play(app, pilot)
        await pilot.press("enter")  # the map has focus: select its first component
        assert screen.selected == "lb-1"
        await pilot.press("escape")
        assert app.screen is screen and screen.selected is None
        assert "nothing selected" in str(screen.query_one("#inspector-title").render())


async def test_esc_again_pauses_and_asks_and_resumes_as_it_was() -> None:
    app = MillionsApp(replace(AppSettings.for_tests(), tick_source="timer"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _play(app, pilot)
        assert not screen.paused
        await pilot.press("escape")
        assert isinstance(app.screen, PauseMenu) and screen.paused
        tick = screen.sim.tick
        await pilot.pause(0.3)
        assert screen.sim.tick == tick  # time stands still while it asks
        await pilot.press("escape")  # Esc is Resume: running again, as it was
        assert app.screen is screen and not screen.paused
        await pilot.press("space", "escape")
        assert isinstance(app.screen, PauseMenu)
        await pilot.click("#pause-resume")
        assert app.screen is screen and screen.paused  # paused before: stays paused
        await pilot.press("escape", "q")  # Leave level
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)


# -- restart ----------------------------------------------------------------------------------


async def test_restart_from_the_palette_asks_once_moves_were_made(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _play(app, pilot)
        _to(screen, 20)
        await _palette_command(app, pilot, "Restart level")  # no moves: no question
        await pilot.pause()
        assert app.screen is screen and screen.sim.tick == 0
        _to(screen, 40, {10: WEB})
        await _palette_command(app, pilot, "Restart level")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep it
        assert app.screen is screen and screen.sim.tick == 40 and len(screen.actions) == 1
        await pilot.press("n")  # the restart key asks too
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen and screen.sim.tick == 0 and screen.actions == []
        assert screen.history == [] and screen.query_one(EventLog).entries == []
        assert [n.id for n in screen.sim.nodes()] == [
            n.id for n in Simulation(LEVEL.scenario).nodes()
        ]
        assert _next_reports(screen) == list(_future({}, 0))


async def test_restart_from_the_pause_question(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _play(app, pilot)
        _to(screen, 30, {5: WEB})
        await pilot.press("escape")
        await pilot.click("#pause-restart")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert screen.sim.tick == 0 and screen.actions == []


# -- rewind -----------------------------------------------------------------------------------


async def test_rewind_30_s_and_drop_is_a_run_that_never_made_the_move(app: MillionsApp) -> None:
    """Moves at 10 and 60, rewound at 80 to 50: the move at 60 is undone, the next 100 tick
    reports are those of a run that only ever made the move at 10."""
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _play(app, pilot)
        _to(screen, 80, {10: WEB, 60: REPLICA})
        await pilot.press("z")
        await pilot.pause()
        assert screen.sim.tick == 50
        assert [a.tick for a in screen.actions] == [10]
        assert [a.tick for a in screen.redo.moves] == [60]
        assert len(screen.history) == 50
        rewound = str(screen.query_one("#rewound").render())
        assert "rewound to 0:50" in rewound and "1 move to redo" in rewound
        await pilot.press("x")  # drop the redo
        assert screen.redo is None and not screen.query_one("#rewound").display
        assert _next_reports(screen) == list(_future({10: WEB}, 50))


async def test_rewound_moves_are_redone_at_their_ticks_or_by_the_redo_key(
    app: MillionsApp,
) -> None:
    moves = {10: WEB, 60: REPLICA}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _play(app, pilot)
        _to(screen, 80, moves)
        await pilot.press("z")
        assert screen.sim.tick == 50
        _to(screen, 70)  # time runs: the move at 60 is made again
        assert [a.tick for a in screen.actions] == [10, 60]
        assert screen.redo is not None  # not back at 80 yet
        await pilot.press("z", "y")  # back to 40, then redo: on to 80 in one go
        await pilot.pause()
        assert screen.sim.tick == 80 and screen.redo is None
        assert [a.tick for a in screen.actions] == [10, 60]
        assert len(screen.history) == 80
        assert _next_reports(screen) == list(_future(moves, 80))


async def test_a_move_of_ones_own_drops_the_redo(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _play(app, pilot)
        _to(screen, 80, {60: REPLICA})
        await pilot.press("z")
        await pilot.press("w")  # a web server at 50 instead
        assert screen.redo is None
        assert [(a.tick, a.kind) for a in screen.actions] == [(50, "web")]
        assert _next_reports(screen) == list(_future({50: replace(WEB, size="S")}, 50))


async def test_rewind_from_the_palette_never_goes_before_the_start(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _play(app, pilot)
        _to(screen, 12, {3: WEB})
        await _palette_command(app, pilot, "Rewind 30 s")
        await pilot.pause()
        assert screen.sim.tick == 0 and screen.actions == []
        assert [a.tick for a in screen.redo.moves] == [3]


async def test_rewinding_a_running_level_keeps_its_note_while_time_runs_on() -> None:
    """The clock waits while the screen is rebuilt: it used to tick the old run meanwhile,
    dropping the rewind's note (and drawing into widgets being replaced)."""
    app = MillionsApp(replace(AppSettings.for_tests(), tick_source="timer", speed=8))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _play(app, pilot)
        _to(screen, 60)
        await pilot.press("z")
        await pilot.pause(0.5)
        redo = screen.redo  # the clock may have run a tick or two before the key
        assert redo is not None and redo.to_tick == redo.from_tick - 30
        assert redo.to_tick <= screen.sim.tick < redo.from_tick
        assert screen.query_one("#rewound").display


# -- leaving and Continue ---------------------------------------------------------------------


async def _leave_and_continue(app: MillionsApp, pilot, keys: tuple[str, ...]) -> tuple:
    """Play level 1 from the campaign, press `keys`, leave it, Continue: (left, continued)."""
    await pilot.press("c", "enter", "s")  # the level list, level 1's briefing, play
    left = app.screen
    assert isinstance(left, PlayScreen)
    left.paused = True
    _to(left, 30, {20: Action(0, "resize", target="box-1", size="M")})
    left.paused = False
    await pilot.press(*keys)
    paused, speed = left.paused, left.speed
    await pilot.press("escape")
    assert isinstance(app.screen, PauseMenu)
    left_at = left.sim.tick  # time stands still while it asks
    logged = [e for e in left.query_one(EventLog).entries if e.tick < left_at]
    assert any(e.kind == "action" for e in logged)
    await pilot.click("#pause-leave")
    await pilot.pause()
    assert app.screen is not left and left.sim.tick == left_at
    app.action_continue()
    await pilot.pause()
    continued = app.screen
    assert isinstance(continued, PlayScreen) and continued is not left
    assert continued.sim.tick >= left_at  # a running level runs on at once
    assert (continued.paused, continued.speed) == (paused, speed)
    assert [e for e in continued.query_one(EventLog).entries if e.tick < left_at] == logged
    return left, continued


async def test_continue_keeps_the_speed_the_pause_and_the_log() -> None:
    app = MillionsApp(replace(AppSettings.for_tests(), tick_source="timer"))
    async with app.run_test(size=(120, 40)) as pilot:
        left, continued = await _leave_and_continue(app, pilot, ("f", "f", "space"))
        assert continued.paused and continued.speed == 4


async def test_continue_keeps_a_running_level_running_at_its_speed() -> None:
    app = MillionsApp(replace(AppSettings.for_tests(), tick_source="timer"))
    async with app.run_test(size=(120, 40)) as pilot:
        left, continued = await _leave_and_continue(app, pilot, ("f",))
        assert not continued.paused and continued.speed == 2


async def test_continue_after_the_game_is_started_again_keeps_the_speed_and_the_pause(
    tmp_path: Path,
) -> None:
    settings = replace(AppSettings.for_tests(), tick_source="timer", saves_dir=tmp_path / "saves")
    first = MillionsApp(settings)
    async with first.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "enter", "s")
        left = first.screen
        assert isinstance(left, PlayScreen)
        left.paused = True
        _to(left, 30, {20: Action(0, "resize", target="box-1", size="M")})
        await pilot.press("f", "f")  # 4x, paused
        await pilot.press("escape")
        await pilot.click("#pause-leave")
        await pilot.pause()
        left_at = left.sim.tick
    again = MillionsApp(settings)  # the game quit and started again on the same saves
    async with again.run_test(size=(120, 40)) as pilot:
        again.action_continue()
        await pilot.pause()
        continued = again.screen
        assert isinstance(continued, PlayScreen)
        assert continued.sim.tick == left_at
        assert (continued.paused, continued.speed) == (True, 4)


async def test_a_pending_redo_outlives_a_restart_of_the_game(tmp_path: Path) -> None:
    """Rewound, left and the game started again: Continue still offers the moves the rewind took
    back, and redoing them gives the run that never rewound."""
    settings = replace(AppSettings.for_tests(), saves_dir=tmp_path / "saves")
    first = MillionsApp(settings)
    async with first.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "enter", "s")
        left = first.screen
        assert isinstance(left, PlayScreen)
        resize = Action(0, "resize", target="box-1", size="M")
        _to(left, 50, {30: resize})
        await pilot.press("z")  # back to 0:20, the resize at 0:30 pending
        await pilot.pause()
        assert left.redo is not None and [m.tick for m in left.redo.moves] == [30]
        await pilot.press("escape")
        await pilot.click("#pause-leave")
        await pilot.pause()
    never_rewound = Simulation(left.level.scenario)
    for _ in range(30):
        never_rewound.step()
    never_rewound.apply(replace(resize, tick=30))
    never_rewound.take_events()  # as the play screen does: a move's event goes to the log at once
    expected = [never_rewound.step() for _ in range(40)]
    again = MillionsApp(settings)
    async with again.run_test(size=(120, 40)) as pilot:
        again.action_continue()
        await pilot.pause()
        continued = again.screen
        assert isinstance(continued, PlayScreen) and continued.sim.tick == 20
        assert continued.redo is not None and [m.tick for m in continued.redo.moves] == [30]
        assert "1 move to redo" in str(continued.query_one("#rewound").render())
        assert _next_reports(continued, 40)[10:] == expected[:30]
        assert [a.tick for a in continued.actions] == [30]
