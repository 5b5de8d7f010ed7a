"""Progress in the game: Continue resumes a level exactly, results are recorded, solutions are
kept and replayed, and a save that could not be read is explained."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.widgets import OptionList

from game.content.loader import load_plan_file
from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.actions import Action
from game.engine.simulation import Simulation
from game.store import SavedSolution, Store
from game.ui.app import MillionsApp
from game.ui.dialogs import NoticeScreen
from game.ui.screens.play import PlayScreen
from game.ui.screens.results import ResultsScreen, histogram
from game.ui.screens.solutions import SolutionsScreen
from game.ui.screens.title import TitleScreen
from game.ui.settings import AppSettings
from tests.ui.test_screens import screen_text

CORE = load_pack(BUILTIN_PACKS / "core")
LEVEL = CORE.level("read-heavy")
KEY = "core/read-heavy"


def _app(folder: Path) -> MillionsApp:
    return MillionsApp(AppSettings.for_tests(), Store.open(folder))


async def test_continue_resumes_the_same_tick_and_the_same_future(tmp_path: Path) -> None:
    """Quit mid-level, relaunch, Continue: the next 100 tick reports are those of a run that
    was never interrupted."""
    moves = [a for a in LEVEL.reference.actions if a.tick < 60]
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlayScreen(LEVEL, app.settings)
        await app.push_screen(screen)
        for _ in range(60):
            for move in moves:
                if move.tick == screen.sim.tick:
                    screen.apply(move)
            screen.advance()
        screen.apply(Action(0, "add", kind="web", size="M"))  # a move at tick 60, then quit
        await pilot.pause()
    assert app.store._lock is None  # the app let go of the saves as it quit

    uninterrupted = Simulation(LEVEL.scenario)
    for t in range(60):
        for move in moves:
            if move.tick == t:
                uninterrupted.apply(move)
        uninterrupted.step()
    uninterrupted.apply(Action(60, "add", kind="web", size="M"))
    uninterrupted.take_events()  # as the play screen does: a move's event goes to the log at once
    expected = [uninterrupted.step() for _ in range(100)]

    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.screen, TitleScreen)
        menu = app.screen.query_one("#menu", OptionList)
        continuing = menu.get_option("continue")
        assert not continuing.disabled
        assert str(continuing.prompt) == "Continue  Read-heavy, tick 60"
        await pilot.press("n")
        screen = app.screen
        assert isinstance(screen, PlayScreen) and screen.sim.tick == 60
        resumed = []
        for _ in range(100):
            screen.advance()
            resumed.append(screen.last)
        assert resumed == expected


async def test_a_finished_run_is_recorded_and_its_moves_saved_by_name(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        level = app.packs[0].level("launch-day")
        screen = PlayScreen(level, app.settings)
        await app.push_screen(screen)
        plan = {a.tick: a for a in level.reference.actions}
        while not screen.sim.done:
            if screen.sim.tick in plan:
                screen.apply(plan[screen.sim.tick])
            screen.advance()
        await pilot.pause()
        results = app.screen
        assert isinstance(results, ResultsScreen)
        record = app.store.record("core/launch-day")
        assert record.stars == results.result.stars == 3
        assert record.best == results.result.scores
        assert app.store.current_run() is None  # finished: nothing to continue
        assert "Level 2 is open: Moving out" in screen_text(app)  # said once, on the first pass
        await pilot.press("v")
        # The suggested name is selected, so typing replaces it.
        await pilot.press(*"fast-one", "enter")
        await pilot.pause()
    store = Store.open(tmp_path)
    [saved] = store.solutions("core/launch-day")
    assert saved.name == "fast-one"
    assert saved.actions == tuple(level.reference.actions)
    assert saved.stars == 3 and saved.scores == results.result.scores
    store.close()


def _with_reference_saved(tmp_path: Path) -> tuple[MillionsApp, Store]:
    """An app whose saves hold level 1's reference as the player's solution 'ref'."""
    store = Store.open(tmp_path)
    moves = CORE.level("launch-day").reference.actions
    store.save_solution(SavedSolution("core/launch-day", "ref", None, moves))
    return MillionsApp(AppSettings.for_tests(), store), store


async def test_a_saved_solution_replays_to_its_own_scores(tmp_path: Path) -> None:
    app, _ = _with_reference_saved(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "enter", "o")
        assert isinstance(app.screen, SolutionsScreen)
        assert "ref" in screen_text(app)
        await pilot.press("enter")
        replay = app.screen
        assert isinstance(replay, PlayScreen) and replay.replay is not None
        await pilot.press("w")  # a move during a replay is not taken
        while not replay.sim.done:
            replay.advance()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.screen.result.scores == app.screen.par  # the reference, replayed
        assert app.store.record("core/launch-day") is None  # a replay is not a run of yours


async def test_an_unreadable_save_is_explained_on_start(tmp_path: Path, snap_compare) -> None:
    (tmp_path / "progress.json").write_bytes(b'{"meta": {"1": {"vers')
    app = _app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        notice = app.screen
        assert isinstance(notice, NoticeScreen)
        [aside] = tmp_path.glob("progress.corrupt-*.json")
        assert str(aside) in notice.message
        assert "Your save file could not be read (it is not valid JSON" in screen_text(app)
        await pilot.press("enter")
        assert isinstance(app.screen, TitleScreen)


def test_histogram_lights_this_runs_bin() -> None:
    text = histogram([1.0, 2.0, 2.0, 3.0, 10.0], 10.0)
    assert len(text.plain) == 8
    lit = [span for span in text.spans if "yellow" in str(span.style)]
    assert [(s.start, s.end) for s in lit] == [(7, 8)]
    assert histogram([5.0], 5.0).plain == "-"


async def test_solutions_screen_copies_renames_deletes_and_exports(tmp_path: Path) -> None:
    app, store = _with_reference_saved(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "enter", "o")
        assert isinstance(app.screen, SolutionsScreen)
        await pilot.press("c")  # copy
        assert [s.name for s in store.solutions("core/launch-day")] == ["ref", "ref-copy"]
        await pilot.press("r", *"tuned", "enter")  # rename the copy (it is highlighted)
        assert [s.name for s in store.solutions("core/launch-day")] == ["ref", "tuned"]
        await pilot.press("d", "n")  # asked, and kept
        assert len(store.solutions("core/launch-day")) == 2
        await pilot.press("e")
        exported = tmp_path / "exports" / "core.launch-day.tuned.toml"
        plan, _ = load_plan_file(exported)
        assert plan.name == "tuned" and plan.pack == "core"
        await pilot.press("d", "y")  # asked, and deleted
        await pilot.pause()
        assert [s.name for s in store.solutions("core/launch-day")] == ["ref"]
        assert "tuned" not in screen_text(app)


def test_corrupt_save_notice_snapshot(snap_compare, tmp_path: Path, monkeypatch) -> None:
    """The notice a player sees when their save could not be read (a fixed path and time)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("game.store.savefile._stamp", lambda: "20261124-120000")
    folder = Path("saves")
    folder.mkdir()
    (folder / "progress.json").write_bytes(b"\x00\xff garbage")
    app = MillionsApp(AppSettings.for_tests(), Store.open(folder))
    assert snap_compare(app, terminal_size=(80, 24))


async def test_settings_are_kept_for_the_next_session(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        app.apply_settings(replace(app.settings, speed=4, animation="reduced", theme="nord"))
        await pilot.pause()
    store = Store.open(tmp_path)
    saved = store.settings()
    store.close()
    assert saved == {"theme": "nord", "speed": 4, "animation": "reduced"}
    restored = AppSettings().with_saved(saved)
    assert (restored.theme, restored.speed, restored.animation) == ("nord", 4, "reduced")
    odd = AppSettings().with_saved({"speed": 3, "animation": "none"})  # 3x is not offered
    assert (odd.speed, odd.animation) == (1, "none")


async def test_the_settings_saves_folder_opens_the_saves(tmp_path: Path) -> None:
    earlier = Store.open(tmp_path)
    earlier.record_run("core/launch-day", {"availability": 1.0}, 2)
    earlier.close()
    app = MillionsApp(replace(AppSettings.for_tests(), saves_dir=tmp_path))
    async with app.run_test(size=(80, 24)):
        assert app.store.folder == tmp_path and app.store.record("core/launch-day").stars == 2
        second = MillionsApp(replace(AppSettings.for_tests(), saves_dir=tmp_path))
        assert second.store.folder is None  # the folder is in use: kept in memory, and said so
        [notice] = second.store.notices
        assert "Another Zero to Millions" in notice and "will not be saved" in notice


async def test_continue_says_when_the_level_has_changed_since(tmp_path: Path) -> None:
    from game.store import SavedRun
    from game.store.campaign import level_digest

    for digest, warned in ((level_digest(CORE.level("launch-day")), False), ("0" * 16, True)):
        store = Store.open(tmp_path)
        store.save_run(SavedRun("core/launch-day", 1, 12, (), digest))
        app = MillionsApp(AppSettings.for_tests(), store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("n")
            assert isinstance(app.screen, PlayScreen) and app.screen.sim.tick == 12
            titles = [note.title for note in app._notifications]
            assert ("The level changed" in titles) == warned
