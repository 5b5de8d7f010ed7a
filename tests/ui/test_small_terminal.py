"""At 80x24 nothing essential is out of reach: a long inspector scrolls instead of being cut."""

from __future__ import annotations

from textual.widgets import Button

from game.content.packs import BUILTIN_PACKS, load_pack
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings
from game.ui.widgets import ArchitectureMap, Inspector

CORE = load_pack(BUILTIN_PACKS / "core")


async def test_every_inspector_move_can_be_scrolled_into_view_at_80x24() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = PlayScreen(CORE.level("read-heavy"), app.settings)
        await app.push_screen(screen)
        screen.post_message(ArchitectureMap.NodeSelected("db-1"))
        inspector = screen.query_one(Inspector)
        for _ in range(50):  # the buttons are composed, then laid out: on a busy machine later
            await pilot.pause()
            buttons = list(inspector.query(Button))
            if buttons and buttons[-1].virtual_region.height > 0:
                break
        assert buttons, "the primary has moves"
        last = buttons[-1]
        inspector.scroll_to_widget(last, animate=False)
        await pilot.pause()
        assert inspector.region.contains_region(last.region)  # not cut off, across or down
        assert all(button.region.right <= 80 for button in buttons)
