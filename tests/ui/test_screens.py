"""The screens: snapshots at the smallest supported terminal and a roomy one, and key-driven runs.

Snapshot tests are plain functions (snap_compare cannot run inside an async test) and build the
app with AppSettings.for_tests(): manual ticks, no blinking cursor, no animation, one theme.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from game.content.scaffold import create_pack
from game.ui.app import MillionsApp
from game.ui.screens.briefing import BriefingScreen
from game.ui.screens.codex import CodexScreen
from game.ui.screens.help import HelpScreen
from game.ui.screens.level_select import LevelOption, LevelSelectScreen
from game.ui.screens.settings_screen import SettingsScreen
from game.ui.screens.title import TitleScreen
from game.ui.screens.too_small import TooSmallScreen
from game.ui.settings import AppSettings


def screen_text(app: MillionsApp) -> str:
    """What the screen shows, as plain text (the screenshot's markup taken away)."""
    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def test_for_tests_settings_hold_nothing_that_moves() -> None:
    settings = AppSettings.for_tests()
    assert settings.tick_source == "manual"
    assert not settings.cursor_blink
    assert settings.animation == "none"
    with pytest.raises(ValueError):
        replace(settings, speed=3)


# -- snapshots ---------------------------------------------------------------------------------


@SIZES
def test_title(snap_compare, app: MillionsApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size)


@SIZES
def test_level_select_highlights_the_first_level(
    snap_compare, app: MillionsApp, size: tuple[int, int]
) -> None:
    assert snap_compare(app, terminal_size=size, press=["c", "wait:200"])


@SIZES
def test_briefing_of_level_1(snap_compare, app: MillionsApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, press=["c", "enter", "wait:200"])


@SIZES
def test_codex(snap_compare, app: MillionsApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, press=["x", "wait:200"])


@SIZES
def test_help(snap_compare, app: MillionsApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, press=["question_mark"])


@SIZES
def test_settings(snap_compare, app: MillionsApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, press=["s"])


def test_too_small_terminal(snap_compare, app: MillionsApp) -> None:
    assert snap_compare(app, terminal_size=(60, 20))


# -- driven by keys ----------------------------------------------------------------------------


async def test_keys_alone_reach_a_briefing_and_back(app: MillionsApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, TitleScreen)
        await pilot.press("down", "enter")  # the menu: Campaign is highlighted first
        assert isinstance(app.screen, CodexScreen)
        await pilot.press("escape", "up", "enter")
        assert isinstance(app.screen, LevelSelectScreen)
        levels = app.screen.query_one("#levels", OptionList)
        first = levels.highlighted_option
        assert isinstance(first, LevelOption) and first.number == 1
        await pilot.press("down", "enter")  # level 2 is locked: the highlight stays on level 1
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.level is app.packs[0].levels[0]
        await pilot.press("escape")
        assert isinstance(app.screen, LevelSelectScreen)
        await pilot.press("q")
        assert isinstance(app.screen, TitleScreen)


async def test_passing_a_level_opens_the_next_one(app: MillionsApp) -> None:
    core = app.packs[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        levels = app.screen.query_one("#levels", OptionList)
        shown = [o for o in levels.options if isinstance(o, LevelOption)]
        locked = [o.level.id for o in shown if o.pack is core and o.disabled]
        assert locked == [level.id for level in core.levels[1:]]
        later = [o for o in shown if o.pack is not core]
        assert later and all(o.disabled for o in later)  # the packs after the campaign wait
        headings = [str(o.prompt) for o in levels.options if not isinstance(o, LevelOption)]
        assert sum(f"opens after {core.file.title}" in h for h in headings) == len(app.packs) - 1
        await pilot.press("escape")
        app.store.record_run("core/launch-day", {"availability": 0.99}, 1)
        app.store.record_run("core/moving-out", {"availability": 0.5}, 0)  # not passed
        await pilot.press("c")
        levels = app.screen.query_one("#levels", OptionList)
        shown = [o for o in levels.options if isinstance(o, LevelOption)]
        locked = [o.level.id for o in shown if o.pack is core and o.disabled]
        assert locked == [level.id for level in core.levels[2:]]
        assert levels.highlighted_option.level.id == "moving-out"  # the first not yet passed
        assert "★☆☆" in screen_text(app)


async def test_codex_opens_an_entry_when_its_level_is_passed(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x")
        assert "Pass level 1: Launch day" in screen_text(app)
        await pilot.press("escape")
        app.store.record_run("core/launch-day", {"availability": 0.99}, 2)
        await pilot.press("x")
        text = screen_text(app)
        assert "Taught in level 1: Launch day" in text and "Pass level 1" not in text


async def test_a_small_terminal_shows_the_message_until_it_grows(app: MillionsApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.press("escape", "question_mark", "q")  # nothing but quitting works here
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 23)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, LevelSelectScreen)
        assert len(app.screen_stack) == 2


async def test_starting_in_a_small_terminal_shows_the_message_first(app: MillionsApp) -> None:
    async with app.run_test(size=(79, 40)) as pilot:
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)


async def test_1000_random_keys_raise_nothing(tmp_path: Path, monkeypatch) -> None:
    """With real saves on disk and notifications drawn, as in a terminal."""
    keys = [
        "up", "down", "left", "right", "enter", "escape", "tab", "shift+tab", "space",
        "pageup", "pagedown", "home", "end", "q", "s", "c", "x", "question_mark", "f1", "ctrl+p",
        "a", "1", "2", "4", "w", "b", "p", "r", "d", "f", "n", "o", "v", "e", "y",
    ]  # fmt: skip
    rng = random.Random(20261124)
    monkeypatch.chdir(tmp_path)  # where the command palette's "save screenshot" would write
    app = MillionsApp(replace(AppSettings.for_tests(), saves_dir=tmp_path / "saves"))
    monkeypatch.setattr(app, "action_quit", lambda: None)  # everything works but leaving
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        visited = set()
        for phase in ("menus", "play"):
            if phase == "play":  # a random walk seldom starts a level by itself
                from game.ui.screens.play import PlayScreen

                while len(app.screen_stack) > 1:  # back to the title, as a player would be
                    await app.pop_screen()
                level = app.packs[0].levels[0]
                await app.push_screen(PlayScreen(level, app.settings))
            for _ in range(500):
                await pilot.press(rng.choice(keys))
                visited.add(type(app.screen).__name__)
        assert app.is_running
        missing = {"TitleScreen", "LevelSelectScreen", "BriefingScreen", "PlayScreen"} - visited
        assert not missing, f"the walk never reached {sorted(missing)}"


async def test_a_bad_pack_is_listed_not_fatal(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-pack"
    app = MillionsApp(replace(AppSettings.for_tests(), packs=(missing,)))
    assert [f.folder for f in app.pack_failures] == [missing]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        failures = app.screen.query_one("#pack-failures")
        assert failures.display and str(missing) in str(failures.render())


async def test_pack_text_is_shown_literally(tmp_path: Path) -> None:
    pack = tmp_path / "markup"
    create_pack(pack)
    manifest = pack / "pack.toml"
    manifest.write_text(manifest.read_text().replace('"My pack"', '"[red]Marked[/red] pack"'))
    level = pack / "first-split.toml"
    level.write_text(level.read_text().replace("One box runs", "[bold]One box[/bold] runs"))
    app = MillionsApp(replace(AppSettings.for_tests(), packs=(pack,)))
    assert not app.pack_failures
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "end", "enter")  # the last level: the one in the user's pack
        await pilot.pause()
        assert "[bold]One box[/bold] runs" in screen_text(app)
        await pilot.press("escape")
        assert "[red]Marked[/red] pack" in screen_text(app)


async def test_settings_apply_for_the_session(app: MillionsApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("tab", "enter", "down", "enter")  # speed: from 1x to 2x
        assert app.settings.speed == 2
        await pilot.press("tab", "enter", "up", "enter")  # motion: from none to reduced
        assert app.settings.animation == "reduced"
        assert app.animation_level == "basic"
        app.theme = "nord"
        assert app.settings.theme == "nord"


async def test_cursors_do_not_blink_when_the_settings_say_so(app: MillionsApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette_input = app.screen.query_one(Input)
        assert palette_input.has_focus and not palette_input.cursor_blink


async def test_help_lists_every_screens_bindings(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause()
        shown = screen_text(app)
        for section in ("Everywhere", "Title", "Campaign", "Briefing", "Codex", "Settings"):
            assert section in shown
        assert "Start" in shown and "Commands" in shown


async def test_a_pack_named_twice_is_listed_once(tmp_path: Path) -> None:
    """The built-in pack named again, and two packs with one id: each id is listed once."""
    from game.content.packs import BUILTIN_PACKS, load_packs, pack_folders

    builtin_ids = [pack.id for pack in load_packs(pack_folders())[0]]
    first, second = tmp_path / "a" / "mine", tmp_path / "b" / "mine"
    create_pack(first)
    create_pack(second)
    packs = (BUILTIN_PACKS / "core", first, second)
    app = MillionsApp(replace(AppSettings.for_tests(), packs=packs))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, LevelSelectScreen)
        assert [pack.id for pack in app.packs] == [*builtin_ids, "mine"]
        [failure] = app.pack_failures
        assert failure.folder == second and str(first) in failure.message
