"""The inspector names a component for what it is now: the first box, once its database has
moved to a primary of its own, is a web server."""

from __future__ import annotations

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.actions import Action
from game.ui.app import MillionsApp
from game.ui.settings import AppSettings
from tests.ui.test_moves_priced import _select, _start

CORE = load_pack(BUILTIN_PACKS / "core")


async def test_the_box_is_a_web_server_once_the_database_has_moved_out() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(pilot, "moving-out")
        inspector = await _select(pilot, screen, "box-1")
        assert inspector._title.plain.startswith("Single box (web + database)")
        screen.apply(Action(0, "add", kind="primary", size="M"))
        while screen.sim.store_on_box:
            screen.advance()
        inspector = await _select(pilot, screen, "box-1")
        assert inspector._title.plain == "Web server (the first box)  box-1"
