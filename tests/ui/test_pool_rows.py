"""The map draws a pool server by server while it fits the height the map may take."""

from __future__ import annotations

from game.engine.view import REQUESTS
from game.ui.widgets import ArchitectureMap
from tests.ui.test_views import node, report, view


def _pool(count: int):
    web = [node(f"web-{i}", "web", tier="web", capacity=100, unit=REQUESTS) for i in range(count)]
    return view([node("lb-1", "balancer"), *web, node("db-1", "primary", unit="")], report(1))


async def _lines(height: int, count: int) -> list[str]:
    from tests.ui.test_widgets import WidgetApp

    shown = ArchitectureMap()
    shown.styles.max_height = height
    app = WidgetApp(shown, lambda w: w.show(_pool(count)))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        shown.show(_pool(count))
        await pilot.pause()
        return [str(line) for line in shown.render().split("\n")]


async def test_a_pool_that_fits_is_drawn_server_by_server() -> None:
    lines = await _lines(30, 12)
    assert sum("web-" in line for line in lines) == 12
    assert not any("×12" in line for line in lines)


async def test_a_pool_that_does_not_fit_collapses() -> None:
    lines = await _lines(8, 12)
    assert any("web ×12" in line for line in lines)
