"""The room of a tall screen goes to what teaches: this tick's latency by route beside every
request's (percentiles do not add), and each tier's busy share over the last two minutes."""

from __future__ import annotations

import pytest

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.routes import EVERY_REQUEST
from game.ui import numbers, words
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.widgets import LatencyByRoute, TierCharts
from game.ui.widgets.tier_charts import HISTORY

CORE = load_pack(BUILTIN_PACKS / "core")


async def _played(app: MillionsApp, level: str, ticks: int) -> PlayScreen:
    screen = PlayScreen(CORE.level(level), app.settings)
    await app.push_screen(screen)
    for _ in range(ticks):
        screen.advance()
    return screen


@pytest.mark.parametrize(
    "size, routes, tiers",
    [((80, 24), False, False), ((120, 40), True, False), ((200, 50), True, True)],
)
async def test_the_panels_show_where_there_is_room(app: MillionsApp, size, routes, tiers) -> None:
    async with app.run_test(size=size) as pilot:
        screen = await _played(app, "skewed", 20)
        await pilot.pause()
        assert screen.query_one(LatencyByRoute).display == routes
        assert screen.query_one(TierCharts).display == tiers


async def test_every_request_row_is_the_tick_p95_the_scores_use(app: MillionsApp) -> None:
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await _played(app, "skewed", 40)  # a cache in front: hits, reads, writes
        await pilot.pause()
        panel = screen.query_one(LatencyByRoute)
        text = panel.text().plain
        assert panel.region.height >= len(text.splitlines())  # nothing cut off
        *routes, every = panel.rows(40)
        assert every.route == EVERY_REQUEST
        assert {"cache_hit", "read"} <= {r.route for r in routes}
        report = screen.sim.last
        assert report is not None
        assert every.p95_ms == report.percentile_ms(0.95)
        lines = {line.split("  ")[0].strip(): line for line in text.splitlines()[1:]}
        assert numbers.millis(every.p95_ms) in lines[words.ROUTE[EVERY_REQUEST]]
        hits = next(r for r in routes if r.route == "cache_hit")
        assert numbers.millis(hits.p95_ms) in lines[words.ROUTE["cache_hit"]]


def test_every_route_the_engine_names_has_a_word() -> None:
    from game.engine.report import ROUTES

    assert set(words.ROUTE) == {*ROUTES, EVERY_REQUEST}


async def test_the_tier_charts_keep_two_minutes_on_a_fixed_scale(app: MillionsApp) -> None:
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await _played(app, "skewed", HISTORY + 30)
        await pilot.pause()
        charts = screen.query_one(TierCharts)
        assert set(charts.busy) == {"web", "cache", "replicas", "primary"}
        report = screen.sim.last
        assert report is not None
        for tier in report.tiers:
            series = charts.busy[tier.name]
            assert len(series) == HISTORY  # the last two minutes, no more
            assert series[-1] == tier.utilization
        rows = charts.text().plain.splitlines()
        web = next(r for r in rows if r.startswith(words.TIER["web"]))
        assert numbers.percent(report.tiers[0].utilization) in web
