"""Every move shows its price where it is made, and every move stays reachable.

The inspector and the build bar say what a move costs per tick and what it takes down, from the
engine's preview, before the move is made; the inspector's rows wrap so that every resize of
every kind fits at 80x24 and 120x40; a press leaves the focus in its row."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine import catalog
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings
from game.ui.widgets import BuildBar, Inspector

CORE = load_pack(BUILTIN_PACKS / "core")
SIZES = [(80, 24), (120, 40)]


async def _start(pilot, level_id: str) -> PlayScreen:
    screen = PlayScreen(CORE.level(level_id), pilot.app.settings)
    await pilot.app.push_screen(screen)
    await pilot.pause()
    screen.advance()
    await pilot.pause()
    return screen


async def _select(pilot, screen: PlayScreen, node_id: str) -> Inspector:
    screen.selected = node_id
    screen._draw_inspector()
    for _ in range(3):
        await pilot.pause()
    return screen.query_one(Inspector)


def _fully_shown(app: MillionsApp, button: Button) -> bool:
    """The button is on screen, not clipped, and as wide as its words."""
    geometry = app.screen.find_widget(button)
    shown = geometry.region.intersection(geometry.clip)
    return shown == geometry.region and shown.width >= len(str(button.label)) + 2


async def test_a_resize_shows_its_price_and_downtime_before_it_is_made() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(pilot, "launch-day")
        inspector = await _select(pilot, screen, "box-1")
        boot = catalog.KINDS["box"].boot_ticks
        button = inspector.query_one("#resize-L", Button)
        sizes = catalog.KINDS["box"].sizes
        extra = sizes["L"].cost - sizes["S"].cost
        assert str(button.label) == f"L · +{extra:g}/tick"
        row = inspector.query_one("#inspector-resize .choices-label")
        assert str(row.render()) == f"resize to · down {boot} s"
        assert button.tooltip == f"Resize box-1 to L · +{extra:g}/tick · box-1 down {boot} s"
        assert screen.sim.topology.nodes["box-1"].size == "S"  # nothing was made


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    ("level_id", "node_ids"),
    [("launch-day", ("box-1",)), ("fresh-enough", ("web-1", "db-1", "replica-1", "cache-1"))],
)
async def test_every_resize_of_every_kind_is_reachable(size, level_id, node_ids) -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=size) as pilot:
        screen = await _start(pilot, level_id)
        for node_id in node_ids:
            inspector = await _select(pilot, screen, node_id)
            node = screen.sim.topology.nodes[node_id]
            others = [s for s in catalog.KINDS[node.kind].sizes if s != node.size]
            for target in others:
                button = inspector.query_one(f"#resize-{target}", Button)
                button.focus()  # as Tab would: the inspector scrolls it into view
                for _ in range(3):
                    await pilot.pause()
                assert _fully_shown(app, button), (node_id, target, size)


async def test_a_press_in_the_inspector_keeps_the_focus_in_its_row() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(pilot, "fresh-enough")
        inspector = await _select(pilot, screen, "web-1")
        button = inspector.query_one("#resize-S", Button)
        button.focus()
        await pilot.pause()
        button.press()
        for _ in range(5):
            await pilot.pause()
        assert screen.sim.topology.nodes["web-1"].size == "S"
        focused = app.focused
        assert isinstance(focused, Button) and focused.id is not None
        assert focused.id.startswith("resize-")
        assert focused in inspector.query_one("#inspector-resize").query(Button)


async def test_the_cache_offers_every_ttl_of_the_catalog() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(pilot, "fresh-enough")
        inspector = await _select(pilot, screen, "cache-1")
        offered = {m.action.value for m in inspector.moves if m.action.setting == "ttl"}
        assert offered == set(catalog.TTL_CHOICES_S) - {screen.sim.settings.ttl_s}


async def test_the_build_bar_prices_each_add_and_dims_a_locked_one() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start(pilot, "moving-out")
        bar = screen.query_one(BuildBar)
        primary = bar.query_one("#add-primary", Button)
        cost = catalog.KINDS["primary"].sizes["S"].cost
        assert f"{cost:g}" in str(primary.label)
        assert "serves in" in str(primary.tooltip) and f"+{cost:g}/tick" in str(primary.tooltip)
        web = bar.query_one("#add-web", Button)
        assert web.has_class("-refused") and "not unlocked" in str(web.tooltip)
        for kind in ("web", "balancer", "primary", "replica", "cache", "cdn"):
            assert _fully_shown(app, bar.query_one(f"#add-{kind}", Button)), kind
