"""Sharding on screen: the primary's inspector offers "shard into N" priced before it is made
(its cost per tick and the keys' move), a press shards it, and the inspector and the map then
show the shards and each one's load."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine import catalog
from game.engine.actions import Action
from game.engine.view import Advice
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings
from game.ui.widgets import ArchitectureMap
from game.ui.widgets.status import advice_text

from .test_moves_priced import _select

BEYOND = load_pack(BUILTIN_PACKS / "beyond")


async def test_the_primary_is_sharded_from_its_inspector() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlayScreen(BEYOND.level("sharding"), app.settings)
        await app.push_screen(screen)
        await pilot.pause()
        screen.advance()
        await pilot.pause()
        inspector = await _select(pilot, screen, "db-1")
        button = inspector.query_one("#shards-4", Button)
        each = catalog.KINDS["primary"].sizes["L"].cost
        assert str(button.label) == "shard into 4"
        window = catalog.RESHARD_TICKS
        assert button.tooltip == (
            f"Set database shards: 4 shards · +{3 * each:g}/tick · keys move {window} s:"
            f" shards at {100 * catalog.RESHARD_CAPACITY_SHARE:g}% capacity"
        )
        assert screen.sim.settings.shards == 1  # nothing was made yet
        before = screen.sim.cost_per_tick()
        await pilot.click("#shards-4")
        await pilot.pause()
        assert screen.sim.settings.shards == 4
        assert screen.sim.cost_per_tick() == before + 3 * each
        screen.advance()
        for _ in range(3):
            await pilot.pause()
        inspector = await _select(pilot, screen, "db-1")
        facts = inspector.facts.plain
        assert "4 shards, each size L" in facts and "hot" in facts and "keys moving until" in facts
        # while the keys move, another resharding is refused, and says why
        again = inspector.query_one("#shards-8", Button)
        assert again.has_class("-refused") and "moving between shards" in str(again.tooltip)
        shown = screen.query_one(ArchitectureMap).render().plain
        assert "×4" in shown


def test_the_status_line_advises_sharding_a_saturated_primary_in_words() -> None:
    shard = Action(0, "configure", target="database", setting="shards", value=4)
    text = advice_text(Advice("primary", 1.3, (shard,))).plain
    assert "shard the primary into 4 shards" in text


SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_play_with_a_sharded_primary_selected(snap_compare, size):
    """sharding after its reference split the primary into 4 and the keys have moved: the map
    shows L×4 and the inspector each shard's load, the hot one first."""
    level = BEYOND.level("sharding")
    moves = level.reference.actions

    async def run_before(pilot) -> None:
        screen = PlayScreen(level, pilot.app.settings)
        await pilot.app.push_screen(screen)
        while screen.sim.tick < 200:
            for action in moves:
                if action.tick == screen.sim.tick:
                    screen.apply(action)
            screen.advance()
        await _select(pilot, screen, "db-1")

    app = MillionsApp(AppSettings.for_tests())
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_the_briefing_lists_sharding_among_the_moves_it_unlocks():
    from game.ui.level_text import unlocked_text

    assert "shard the primary" in unlocked_text(BEYOND.level("sharding")).plain
    assert "shard" not in unlocked_text(BEYOND.level("queue-jobs")).plain
