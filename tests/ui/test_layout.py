"""The play screen uses the room it has: on a tall terminal a pool is drawn server by server
while it fits, on a short one it collapses to one line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.actions import Action
from game.engine.scenario import Component
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.widgets import ArchitectureMap, LatencyByRoute

CORE = load_pack(BUILTIN_PACKS / "core")


def twelve_web_servers():
    """skewed (nine large web servers at the start) with three more in its starting build."""
    level = CORE.level("skewed")
    start = level.scenario.start + tuple(Component("web", "L") for _ in range(3))
    return replace(level, scenario=replace(level.scenario, start=start))


@pytest.mark.parametrize(
    "size, one_by_one", [((80, 24), False), ((120, 40), True), ((200, 50), True)]
)
async def test_a_pool_of_twelve_is_drawn_server_by_server_where_it_fits(
    app: MillionsApp, size, one_by_one
) -> None:
    async with app.run_test(size=size) as pilot:
        screen = PlayScreen(twelve_web_servers(), app.settings)
        await app.push_screen(screen)
        for _ in range(5):
            screen.advance()
        await pilot.pause()
        site_map = screen.query_one(ArchitectureMap)
        webs = [n.id for n in screen.sim.nodes() if n.kind == "web"]
        assert len(webs) == 12
        drawn = site_map.item_keys
        assert all(web in drawn for web in webs) == one_by_one
        assert ("pool:web" in drawn) != one_by_one
        if one_by_one:  # every server's row is on screen, none cut off below the map
            assert site_map.region.height >= site_map.virtual_size.height


async def test_the_screen_is_laid_out_again_only_when_the_site_changes_shape(
    app: MillionsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tick's new numbers redraw the map and the latency panel in place; a new server, which
    adds a row, lays them out again (a layout every tick costs the play screen a third of its
    speed)."""
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlayScreen(CORE.level("read-heavy"), app.settings)
        await app.push_screen(screen)
        for _ in range(3):
            screen.advance()
        await pilot.pause()
        layouts: list[str] = []

        def counting(widget):
            original = widget.refresh

            def refresh(*args, layout=False, **kw):
                if layout:
                    layouts.append(type(widget).__name__)
                return original(*args, layout=layout, **kw)

            return refresh

        for widget in (screen.query_one(ArchitectureMap), screen.query_one(LatencyByRoute)):
            monkeypatch.setattr(widget, "refresh", counting(widget))
        for _ in range(20):
            screen.advance()
        await pilot.pause()
        assert layouts == []
        screen.apply(Action(0, "add", kind="web", size="M"))
        await pilot.pause()
        assert "ArchitectureMap" in layouts
