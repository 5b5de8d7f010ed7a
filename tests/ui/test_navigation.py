"""The app owns the ways between screens, and one key table drives the play screen.

Next, Next, Next from results, then Esc from the briefing: the level list
Esc (or Levels) on results: the level list, never an old briefing
a key pressed with a build-bar button focused does what it does with the map focused
no screen module imports another screen module (lazy imports included)
"""

from __future__ import annotations

import importlib

import grimp
from textual import events
from textual.screen import Screen
from textual.widgets import Button, OptionList

from game.ui.app import MillionsApp
from game.ui.screens.briefing import BriefingScreen
from game.ui.screens.level_select import LevelSelectScreen
from game.ui.screens.play import PlayScreen
from game.ui.screens.results import ResultsScreen
from game.ui.screens.title import TitleScreen
from game.ui.widgets import ArchitectureMap, EventLog


async def _finish(pilot, screen: PlayScreen, moves=()) -> None:
    """Play `screen` to its end with `moves` made at their ticks; the engine steps on its own
    until the last tick, which the screen plays and draws."""
    plan: dict[int, list] = {}
    for move in moves:
        plan.setdefault(move.tick, []).append(move)
    while not screen.sim.done:
        for move in plan.get(screen.sim.tick, ()):
            screen.apply(move)
        if screen.sim.tick + 1 < screen.level.scenario.duration:
            screen.sim.step()
        else:
            screen.advance()
    await pilot.pause()


def _stack(app: MillionsApp) -> list[type]:
    return [type(screen) for screen in app.screen_stack]


async def test_next_next_next_then_esc_from_the_briefing_lands_on_the_level_list(
    app: MillionsApp,
) -> None:
    core = app.packs[0]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "enter")  # the level list, then level 1's briefing
        for number in (1, 2, 3):
            briefing = app.screen
            assert isinstance(briefing, BriefingScreen)
            assert briefing.level is core.levels[number - 1]
            await pilot.press("s")
            assert isinstance(app.screen, PlayScreen)
            await _finish(pilot, app.screen, briefing.level.reference.actions)
            assert isinstance(app.screen, ResultsScreen) and app.screen.result.passed
            assert _stack(app) == [TitleScreen, LevelSelectScreen, BriefingScreen, ResultsScreen]
            await pilot.press("n")
            await pilot.pause()
        assert isinstance(app.screen, BriefingScreen) and app.screen.level is core.levels[3]
        assert _stack(app) == [TitleScreen, LevelSelectScreen, BriefingScreen]
        await pilot.press("escape")
        assert isinstance(app.screen, LevelSelectScreen)
        assert _stack(app) == [TitleScreen, LevelSelectScreen]
        highlighted = app.screen.query_one("#levels", OptionList).highlighted_option
        assert highlighted.level is core.levels[3]  # the level last briefed, not level 1


async def test_esc_or_levels_on_results_lands_on_the_level_list(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        for leave in ("escape", "#levels"):
            await pilot.press("c", "enter", "s")  # level 1: briefing, then play
            await _finish(pilot, app.screen)
            assert isinstance(app.screen, ResultsScreen)
            if leave.startswith("#"):
                await pilot.click(leave)
            else:
                await pilot.press(leave)
            await pilot.pause()
            assert isinstance(app.screen, LevelSelectScreen)
            assert _stack(app) == [TitleScreen, LevelSelectScreen]
            await pilot.press("escape")
        # A level continued from the title has no level list below it: Esc opens one.
        await app.push_screen(PlayScreen(app.packs[0].levels[0], app.settings))
        await _finish(pilot, app.screen)
        assert _stack(app) == [TitleScreen, ResultsScreen]
        await pilot.press("escape")
        await pilot.pause()
        assert _stack(app) == [TitleScreen, LevelSelectScreen]


async def test_retry_on_results_plays_the_level_again_in_its_place(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "enter", "s")
        await _finish(pilot, app.screen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.sim.tick == 0
        assert _stack(app) == [TitleScreen, LevelSelectScreen, BriefingScreen, PlayScreen]


async def test_retry_plays_again_at_the_speed_the_run_was_played_at(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "enter", "s")
        play = app.screen
        await pilot.press("f")  # faster than the settings' speed
        await pilot.pause()
        chosen = play.speed
        assert chosen != app.settings.speed
        await _finish(pilot, play)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen is not play
        assert app.screen.speed == chosen


async def _press_with_focus(pilot, screen: PlayScreen, focus, key: str) -> list[tuple[str, str]]:
    """Press `key` with `focus` focused; the refusals shown and the moves made since."""
    app = screen.app
    focus.focus()
    await pilot.pause()
    assert app.focused is focus
    before_notes, before_moves = len(app._notifications), len(screen.actions)
    await pilot.press(key)
    await pilot.pause()
    notes = list(app._notifications)[before_notes:]
    shown = [(str(n.title), str(n.message)) for n in notes]
    made = [action.describe() for action in screen.actions[before_moves:]]
    return shown + [("made", move) for move in made]


async def test_a_key_does_the_same_with_a_build_bar_button_focused(app: MillionsApp) -> None:
    """Launch day locks the cache: `c` is refused with the engine's reason, whichever widget
    has focus (it used to be dropped silently with a build-bar button focused). In one-address
    `w` adds a web server either way."""
    async with app.run_test(size=(120, 40)) as pilot:
        for level_id, key in (("launch-day", "c"), ("one-address", "w")):
            screen = PlayScreen(app.packs[0].level(level_id), app.settings)
            await app.push_screen(screen)
            await pilot.pause()
            site_map = screen.query_one(ArchitectureMap)
            on_map = await _press_with_focus(pilot, screen, site_map, key)
            for button in ("#size-S", "#add-web", "#add-balancer"):
                on_bar = await _press_with_focus(pilot, screen, screen.query_one(button), key)
                assert on_bar == on_map, (level_id, button)
            await pilot.pause()
            if key == "c":
                assert on_map == [("add cache S", "cache node is not unlocked in this level")]
                refused = [e for e in screen.query_one(EventLog).entries if e.kind == "refused"]
                assert len(refused) == 4
            else:
                assert on_map == [("made", "add web S")]
                assert sum(n.kind == "web" for n in screen.sim.nodes()) == 4 + 4
            await app.pop_screen()


async def test_a_build_bar_button_runs_its_keys_action(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlayScreen(app.packs[0].level("one-address"), app.settings)
        await app.push_screen(screen)
        await pilot.pause()
        await pilot.click("#size-L")
        await pilot.click("#add-web")
        await pilot.pause()
        assert screen.add_size == "L"
        assert [a.describe() for a in screen.actions] == ["add web L"]
        assert screen.query_one("#size-L", Button).has_class("-selected")


def test_no_screen_module_imports_another() -> None:
    """Only to extend a screen (the sandbox is the play screen with its own controls): a screen
    module imports another's for the class its own screen is built on, never to open it."""
    graph = grimp.build_graph("game", include_external_packages=True)
    screens = {m for m in graph.modules if m.startswith("game.ui.screens.")}
    for module in sorted(screens):
        imported = graph.find_modules_directly_imported_by(module) & screens
        assert imported <= _bases_of(module), f"{module} imports {sorted(imported)}"
    # The help is handed its key tables: it loads no screen module itself.
    help_imports = graph.find_modules_directly_imported_by("game.ui.screens.help")
    assert not help_imports & {"importlib", "pkgutil", "game.ui.screens"}


def _bases_of(module_name: str) -> set[str]:
    """The screen modules whose screens the module's own screens are built on."""
    module = importlib.import_module(module_name)
    return {
        base.__module__
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, Screen) and cls.__module__ == module_name
        for base in cls.__mro__[1:]
        if base.__module__.startswith("game.ui.screens.")
    }


def test_the_ui_has_no_import_cycle() -> None:
    graph = grimp.build_graph("game", include_external_packages=False)
    ui = {m for m in graph.modules if m.startswith("game.ui")}
    for module in sorted(ui):
        for imported in graph.find_modules_directly_imported_by(module) & ui:
            if imported != "game.ui" and not module.startswith(imported + "."):
                assert not graph.chain_exists(importer=imported, imported=module), (
                    f"{module} and {imported} import each other"
                )


async def test_keys_in_a_burst_land_on_the_screens_the_ways_lead_to(app: MillionsApp) -> None:
    """Keys typed faster than the screens are drawn (posted at once, as a terminal delivers a
    burst): start, step, o. The way changes the stack at once, so the step and the o reach the
    play screen, and no solutions screen opens over it from the briefing left behind."""
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("c", "enter")
        for key in ("s", "s", "o"):
            app.post_message(events.Key(key, key))
        for _ in range(5):
            await pilot.pause()
        assert _stack(app) == [TitleScreen, LevelSelectScreen, BriefingScreen, PlayScreen]
        assert app.screen.sim.tick == 1  # the second s stepped it
