"""A tick's latency by the route requests took: the numbers of the play screen's live panel.

A tick records each served path with its route (report.ROUTES: cache hit, database read,
write ...). Grouped by route, a route's latency is the mixture of its paths; beside it stands
every request's, read from the tick's histogram as the scores are. Percentiles do not add: the
p95 of every request is not the sum, nor a share, of the routes' p95s, and the panel shows both
so a player sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.engine.latency import Dist
from game.engine.report import ROUTES, TickReport

EVERY_REQUEST = "every request"


@dataclass(frozen=True, slots=True)
class RouteLatency:
    """One route's requests in one tick."""

    route: str  # a report.ROUTES id, or "" for every request
    label: str  # the route in the screens' words
    served: float  # requests that took it this tick
    share: float  # of the tick's served requests
    p50_ms: float
    p95_ms: float
    p99_ms: float
    masses: tuple[float, ...]  # share of its requests between each pair of the asked edges


def by_route(report: TickReport, edges_s: tuple[float, ...]) -> tuple[RouteLatency, ...]:
    """The routes of `report`'s served requests, busiest first, then every request; each with
    its share of requests between consecutive `edges_s` (ascending seconds: the first column
    also holds what is faster, the last what is slower)."""
    groups: dict[str, list[tuple[float, Dist]]] = {}
    for route, (count, dist) in zip(report.routes, report.paths, strict=True):
        groups.setdefault(route, []).append((count, dist))
    served = report.served
    if served <= 0:
        return ()
    rows = [_row(route, ROUTES[route], parts, served, edges_s) for route, parts in groups.items()]
    rows.sort(key=lambda row: -row.served)
    every = _row("", EVERY_REQUEST, list(report.paths), served, edges_s)
    p50, p95, p99 = (report.percentile_ms(q) for q in (0.50, 0.95, 0.99))
    if p50 is not None and p95 is not None and p99 is not None:  # the scores' own figures
        every = RouteLatency("", EVERY_REQUEST, served, 1.0, p50, p95, p99, every.masses)
    return (*rows, every)


def _row(
    route: str,
    label: str,
    parts: list[tuple[float, Dist]],
    served: float,
    edges_s: tuple[float, ...],
) -> RouteLatency:
    count = sum(n for n, _ in parts)
    dist = Dist.mixture(parts)
    p50, p95, p99 = (1000.0 * dist.percentile(q) for q in (0.50, 0.95, 0.99))
    survival = [min(1.0, max(0.0, s)) for s in dist.survival_at(list(edges_s))]
    inner = [survival[i] - survival[i + 1] for i in range(len(survival) - 1)]
    if inner:  # what lies outside the axis is drawn at its ends
        inner[0] += 1.0 - survival[0]
        inner[-1] += survival[-1]
    masses = tuple(max(0.0, m) for m in inner)
    return RouteLatency(route, label, count, count / served, p50, p95, p99, masses)
