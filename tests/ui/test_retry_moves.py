"""Where a level's clients retry, the balancer's inspector offers load shedding and a client
update, each a button that works, at 80x24 and 120x40."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from game.content.packs import BUILTIN_PACKS, load_pack
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings
from game.ui.widgets import Inspector

BEYOND = load_pack(BUILTIN_PACKS / "beyond")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_balancer_offers_shedding_and_a_client_update(size) -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=size) as pilot:
        screen = PlayScreen(BEYOND.level("retry-storm"), pilot.app.settings)
        await pilot.app.push_screen(screen)
        await pilot.pause()
        screen.advance()
        screen.selected = "lb-1"
        screen._draw_inspector()
        for _ in range(3):
            await pilot.pause()
        inspector = screen.query_one(Inspector)
        labels = {str(b.label) for b in inspector.query(Button)}
        assert {"shed load", "client update: back off", "client update: budget 10%"} <= labels
        for button_id in ("#shed-True", "#budget-0_1", "#policy-backoff"):
            button = screen.query_one(Inspector).query_one(button_id, Button)
            button.press()
            for _ in range(3):
                await pilot.pause()
        settings = screen.sim.settings
        assert settings.shed
        assert settings.retries is not None
        assert (settings.retries.policy, settings.retries.budget) == ("backoff", 0.1)
