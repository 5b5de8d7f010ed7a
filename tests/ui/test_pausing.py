"""The play screen's clock stops while another screen covers it, and picks up as it was."""

from __future__ import annotations

from dataclasses import replace

from game.content.packs import BUILTIN_PACKS, load_pack
from game.ui.app import MillionsApp
from game.ui.screens.help import HelpScreen
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings

CORE = load_pack(BUILTIN_PACKS / "core")


async def test_time_stops_while_another_screen_covers_the_play_screen() -> None:
    app = MillionsApp(replace(AppSettings.for_tests(), tick_source="timer"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlayScreen(CORE.level("launch-day"), app.settings)
        await app.push_screen(screen)
        assert not screen.paused  # a timer drives it
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen) and screen.paused
        tick = screen.sim.tick
        await pilot.pause(0.3)
        assert screen.sim.tick == tick  # nothing ran while the help was up
        await pilot.press("escape")
        assert app.screen is screen and not screen.paused
        await pilot.press("space", "question_mark", "escape")  # paused by the player: stays so
        assert screen.paused
