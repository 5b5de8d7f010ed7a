"""The play and results screens: snapshots of key moments, and a level won with keys only.

Apps are built with AppSettings.for_tests(): ticks advance only when a test steps them."""

from __future__ import annotations

import asyncio

import pytest

from game.content.packs import BUILTIN_PACKS, load_pack
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.screens.results import ResultsScreen
from game.ui.settings import AppSettings
from game.ui.widgets.metrics_panel import ROWS

CORE = load_pack(BUILTIN_PACKS / "core")
SIZES = [(80, 24), (120, 40)]
PLAY_SIZES = [*SIZES, (200, 50)]  # the play screen also where the room goes to what teaches


def _playing(level_id: str, ticks: int, plan: str | None = None, finish: bool = False):
    """An app showing `level_id` after `ticks` ticks, with a solution's actions applied."""
    level = CORE.level(level_id)
    actions = {}
    if plan is not None:
        solution = next(s for s in level.solutions if s.name == plan)
        for action in solution.actions:
            actions.setdefault(action.tick, []).append(action)

    async def run_before(pilot) -> None:
        screen = PlayScreen(level, pilot.app.settings)
        await pilot.app.push_screen(screen)
        while screen.sim.tick < ticks or (finish and not screen.sim.done):
            for action in actions.get(screen.sim.tick, ()):
                screen.apply(action)
            screen.advance()
        screen.query_one("#log").clear()  # the log's order of arrival is not the point here
        await pilot.pause()
        if finish:  # the results' post-mortem and par are measured on a worker
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    return MillionsApp(AppSettings.for_tests()), run_before


@pytest.mark.parametrize("size", PLAY_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_play_calm(snap_compare, size):
    app, before = _playing("servers-die", 60, plan="reference")
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", PLAY_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_play_overloaded_tier(snap_compare, size):
    app, before = _playing("launch-day", 320)
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", PLAY_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_play_failed_primary_mid_failover(snap_compare, size):
    """primary-down with the reference's replica but no manual promotion: tick 250 is inside
    the automatic failover."""
    level = CORE.level("primary-down")
    replica_only = next(s for s in level.solutions if s.name == "reference").actions[:1]
    assert replica_only[0].verb == "add"
    app = MillionsApp(AppSettings.for_tests())

    async def with_replica(pilot) -> None:
        screen = PlayScreen(level, pilot.app.settings)
        await pilot.app.push_screen(screen)
        while screen.sim.tick < 250:
            for action in replica_only:
                if action.tick == screen.sim.tick:
                    screen.apply(action)
            screen.advance()
        screen.query_one("#log").clear()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=with_replica)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_results_passed(snap_compare, size):
    app, before = _playing("launch-day", 0, plan="reference", finish=True)
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_results_failed(snap_compare, size):
    app, before = _playing("launch-day", 0, finish=True)
    assert snap_compare(app, terminal_size=size, run_before=before)


def test_win_level_one_with_keys_only():
    """Step to tick 30, select the box on the map, press its resize-to-L button, play on."""

    async def play() -> None:
        app = MillionsApp(AppSettings.for_tests())
        async with app.run_test(size=(120, 40)) as pilot:
            screen = PlayScreen(CORE.level("launch-day"), app.settings)
            await app.push_screen(screen)
            await pilot.press(*["s"] * 30)
            await pilot.press("enter")  # the map has focus: select its first component
            assert screen.selected == "box-1"
            for _ in range(20):
                if app.focused is not None and app.focused.id == "resize-L":
                    break
                await pilot.press("tab")
            assert app.focused.id == "resize-L"
            await pilot.press("enter")
            assert screen.sim.nodes()[0].size == "L"
            while not screen.sim.done:
                await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, ResultsScreen)
            assert app.screen.result.stars == 3

    asyncio.run(play())


def test_arrows_go_from_move_to_move_in_the_inspector():
    """Tab reaches the first resize button; the arrows then go along the buttons (down then
    enter once resized to M, the first one, where L, the second, was meant)."""

    async def play() -> None:
        app = MillionsApp(AppSettings.for_tests())
        async with app.run_test(size=(80, 24)) as pilot:
            screen = PlayScreen(CORE.level("launch-day"), app.settings)
            await app.push_screen(screen)
            await pilot.press("s", "enter")  # select the box
            for _ in range(20):
                if app.focused is not None and app.focused.id == "resize-M":
                    break
                await pilot.press("tab")
            await pilot.press("down")
            assert app.focused.id == "resize-L"
            await pilot.press("right", "up")
            assert app.focused.id == "resize-L"
            await pilot.press("enter")
            assert screen.sim.nodes()[0].size == "L"

    asyncio.run(play())


def test_build_with_the_mouse():
    """Clicking a size, then a component in the build bar, adds it; clicking a locked one
    shows nothing new on the map."""

    async def play() -> None:
        app = MillionsApp(AppSettings.for_tests())
        async with app.run_test(size=(120, 40)) as pilot:
            screen = PlayScreen(CORE.level("one-address"), app.settings)
            await app.push_screen(screen)
            await pilot.pause()
            await pilot.click("#size-M")
            await pilot.click("#add-balancer")
            await pilot.click("#add-web")
            await pilot.pause()
            kinds = [(n.kind, n.size) for n in screen.sim.nodes()]
            assert ("balancer", "S") in kinds
            assert kinds.count(("web", "M")) == 5  # four to start with, one added
            await pilot.click("#add-cache")  # not unlocked in this level
            await pilot.pause()
            assert not any(n.kind == "cache" for n in screen.sim.nodes())

    asyncio.run(play())


def test_next_opens_the_following_levels_briefing_once_passed():
    async def play() -> None:
        app = MillionsApp(AppSettings.for_tests())
        async with app.run_test(size=(120, 40)) as pilot:
            level = next(lv for pack in app.packs for lv in pack.levels if lv.id == "launch-day")
            for moves in ((), level.reference.actions):  # a failed run, then the reference
                screen = PlayScreen(level, app.settings)
                await app.push_screen(screen)
                plan = {a.tick: a for a in moves}
                while not screen.sim.done:
                    if screen.sim.tick in plan:
                        screen.apply(plan[screen.sim.tick])
                    screen.advance()
                await pilot.pause()
                assert isinstance(app.screen, ResultsScreen)
                await pilot.press("n")
                await pilot.pause()
                if not moves:  # not passed: level 2 stays locked
                    assert isinstance(app.screen, ResultsScreen)
                    assert not app.screen.query_one("#next").display
                    await pilot.press("q")
            assert app.screen.level.id == "moving-out"

    asyncio.run(play())


# -- the command palette ---------------------------------------------------------------------


async def _start(app: MillionsApp, pilot, level_id: str) -> PlayScreen:
    screen = PlayScreen(CORE.level(level_id), app.settings)
    await app.push_screen(screen)
    await pilot.pause()
    return screen


async def _palette_command(app: MillionsApp, pilot, command: str) -> None:
    """Open the palette, type `command` and run the hit whose words are exactly `command`."""
    from textual.command import CommandList, CommandPalette
    from textual.widgets import Input

    await pilot.press("ctrl+p")
    await pilot.pause()
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    palette.query_one(Input).value = command
    commands = palette.query_one(CommandList)
    for _ in range(100):  # the search runs in the background: wait for the exact hit
        await pilot.pause(0.02)
        texts = [commands.get_option_at_index(i).hit.text for i in range(commands.option_count)]
        if command in texts:
            break
    assert command in texts, texts
    commands.highlighted = texts.index(command)
    await pilot.press("enter")
    for _ in range(20):
        await pilot.pause()
        if not isinstance(app.screen, CommandPalette):
            break


async def test_palette_offers_every_move_on_the_site(app: MillionsApp) -> None:
    """Words for adds, each component's resizes, removal and promotion, and each setting value
    the inspector offers (once, however many components it applies to)."""
    from game.ui.palette import site_moves
    from game.ui.words import command

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(app, pilot, "fresh-enough")
        offered = [command(action) for action, _ in site_moves(screen)]
        for command in (
            "Add web server M",
            "Resize web-3 to XL",
            "Remove cache-1",
            "Promote replica-2",
            "Set cache eviction = LFU",
            "Set cache TTL = 5 s",
            "Set cache invalidation on write = on",
            "Set balancer algorithm = round robin",
            "Set database store = key-value",
        ):
            assert command in offered
        assert len(offered) == len(set(offered))
        assert "Resize web-3 to L" not in offered  # it is size L already
        assert not any(c.startswith("Promote web") for c in offered)


async def test_palette_resizes_and_configures(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(app, pilot, "fresh-enough")
        assert screen.sim.topology.nodes["web-2"].size == "L"
        await _palette_command(app, pilot, "Resize web-2 to S")
        assert screen.sim.topology.nodes["web-2"].size == "S"
        assert screen.sim.settings.eviction == "lru"
        await _palette_command(app, pilot, "Set cache eviction = LFU")
        assert screen.sim.settings.eviction == "lfu"


async def test_a_refused_move_from_the_palette_shows_the_engines_reason(app: MillionsApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(app, pilot, "fresh-enough")
        await _palette_command(app, pilot, "Remove db-1")
        assert "db-1" in screen.sim.topology.nodes
        shown = [(str(n.title), str(n.message)) for n in app._notifications]
        reason = "the data lives on the primary: promote a replica to replace it"
        assert ("remove db-1", reason) in shown


# -- a large terminal ------------------------------------------------------------------------


def test_play_large_terminal(snap_compare):
    """200x50, late in servers-die played by its reference: the event log keeps its entries
    and takes the height the panels above leave."""
    level = CORE.level("servers-die")
    plan = next(s for s in level.solutions if s.name == "reference").actions
    app = MillionsApp(AppSettings.for_tests())

    async def before(pilot) -> None:
        screen = PlayScreen(level, pilot.app.settings)
        await pilot.app.push_screen(screen)
        while screen.sim.tick < 400:
            for action in plan:
                if action.tick == screen.sim.tick:
                    screen.apply(action)
            screen.advance()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(200, 50), run_before=before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_panel_is_on_screen_and_the_log_takes_what_is_left(app, size) -> None:
    """Status, map, middle row, build bar and footer stack inside the screen without gaps or
    overlap; in the middle row the readings sit above the log, which takes what they leave,
    and the inspector beside them has the row's full height."""
    from textual.widgets import Footer

    width, height = size
    async with app.run_test(size=size) as pilot:
        screen = await _start(app, pilot, "primary-down")
        for _ in range(250):
            screen.advance()
        screen.selected = "db-1"  # the inspector with its buttons: the middle row's tallest
        screen._draw_inspector()
        await pilot.pause()
        panels = [screen.query_one(f"#{name}") for name in ("status", "forecast", "map", "middle")]
        panels += [screen.query_one("#build"), screen.query_one(Footer)]
        regions = [panel.region for panel in panels]
        assert regions[0].y == 0 and regions[-1].bottom == height
        for above, below in zip(regions, regions[1:]):
            assert above.bottom == below.y  # stacked, no gap, no overlap
        for region in regions:
            assert region.width == width and region.height > 0
        middle = screen.query_one("#middle").region
        inspector = screen.query_one("#inspector").region
        log = screen.query_one("#log").region
        assert (inspector.y, inspector.bottom) == (middle.y, middle.bottom)
        assert log.bottom == middle.bottom and log.height >= 2 and log.right == inspector.x
        metrics = screen.query_one("#metrics")
        assert metrics.rows == (*ROWS, "lost")  # primary-down grades its lost writes
        assert metrics.region.y == middle.y and metrics.region.height == len(metrics.rows)
        if height >= 40:  # room to spare: the log has it, well beyond its old 4 lines
            assert log.height >= height - 26
