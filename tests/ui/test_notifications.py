"""Notifications are drawn, not just queued: their text is shown literally, brackets and all.

Pilot leaves toasts out unless asked (`notifications=True`), so these tests ask."""

from __future__ import annotations

from game.content.packs import BUILTIN_PACKS, load_pack
from game.store import SaveError
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings
from tests.ui.test_screens import screen_text

CORE = load_pack(BUILTIN_PACKS / "core")


async def test_a_refused_move_draws_the_engines_reason() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = PlayScreen(CORE.level("launch-day"), app.settings)
        await app.push_screen(screen)
        await pilot.press("c")  # a cache: not unlocked on launch day
        await pilot.pause()
        [note] = app._notifications
        assert note.title == "add cache S"
        assert note.message == "cache node is not unlocked in this level"
        assert note.message in screen_text(app)  # drawn on screen, without a crash


async def test_a_save_error_with_brackets_is_shown_as_written() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:

        def refused() -> None:
            raise SaveError("Could not save to /tmp/[red]x: no space")

        assert not app.save(refused)
        await pilot.pause()
        text = screen_text(app)
        assert "/tmp/[red]x: no space" in text
