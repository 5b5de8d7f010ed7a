"""A tick's latency by route: every served request has a route, the routes add up to the tick,
and every request's percentiles are the scores' own (not a blend of the routes')."""

from __future__ import annotations

import pytest

from game.engine.report import ROUTES
from game.engine.routes import EVERY_REQUEST, by_route
from game.engine.simulation import Simulation
from game.engine.traffic import Mix
from tests.engine.scenarios import build, scenario

EDGES = tuple(0.001 * 10 ** (i / 7) for i in range(29))  # 1 ms to 10 s, 28 columns
MIX = Mix(static=0.2, read=0.6, write=0.1, join=0.1)


def _run(*parts: str, ticks: int = 30, rps: float = 150.0):
    sim = Simulation(scenario(build(*parts), rps=rps, mix=MIX, rtt=0.02), seed=1)
    for _ in range(ticks):
        sim.step()
    assert sim.last is not None
    return sim.last


@pytest.mark.parametrize(
    "site, routes",
    [
        (("box",), {"box"}),
        (("web:M", "primary:M"), {"static", "read", "join", "write"}),
        (("web:M", "cache:M", "primary:M"), {"static", "cache_hit", "read", "join", "write"}),
        (("cdn", "web:M", "cache:M", "primary:M"), {"edge", "static", "cache_hit", "read"}),
    ],
)
def test_every_path_has_a_route_of_the_site(site, routes) -> None:
    report = _run(*site)
    assert len(report.routes) == len(report.paths)
    assert set(report.routes) <= set(ROUTES)
    assert routes <= set(report.routes)


def test_the_routes_add_up_to_the_tick() -> None:
    report = _run("web:M", "cache:M", "primary:M")
    rows = by_route(report, EDGES)
    *routes, every = rows
    assert every.route == EVERY_REQUEST
    assert sum(r.served for r in routes) == pytest.approx(report.served)
    assert sum(r.share for r in routes) == pytest.approx(1.0)
    for row in rows:  # each row's shape holds all its requests, the tails at the axis's ends
        assert sum(row.masses) == pytest.approx(1.0, abs=1e-9)
        assert len(row.masses) == len(EDGES) - 1
    assert [r.served for r in routes] == sorted((r.served for r in routes), reverse=True)


def test_a_cache_hit_is_faster_than_a_database_read() -> None:
    rows = {r.route: r for r in by_route(_run("web:M", "cache:M", "primary:M"), EDGES)}
    assert rows["cache_hit"].p95_ms < rows["read"].p95_ms


def test_every_request_is_read_from_the_scores_histogram_and_percentiles_do_not_add() -> None:
    report = _run("web:L", "cache:L", "primary:S")  # fast cache hits, slow database reads
    *routes, every = by_route(report, EDGES)
    assert every.p95_ms == report.percentile_ms(0.95)
    assert every.p99_ms == report.percentile_ms(0.99)
    p95s = [r.p95_ms for r in routes]
    assert min(p95s) <= every.p95_ms <= max(p95s)  # a mixture's percentile lies among its parts'
    blended = sum(r.share * r.p95_ms for r in routes)
    assert every.p95_ms > 1.2 * blended  # the slow routes own the tail: p95s do not blend


def test_an_idle_tick_has_no_routes() -> None:
    report = _run("web:M", "primary:M", rps=0.0)
    assert by_route(report, EDGES) == ()
