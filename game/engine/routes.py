"""A tick's latency by the route requests took: the numbers of the play screen's live panel.

A tick records each served path with its route (report.ROUTES: cache hit, database read,
write ...). Grouped by route, a route's latency is the mixture of its paths; beside it stands
every request's, read from the tick's histogram as the scores are. Percentiles do not add: the
p95 of every request is not the sum, nor a share, of the routes' p95s, and the panel shows both
so a player sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.engine.histogram import LatencyHistogram
from game.engine.report import TickReport

EVERY_REQUEST = ""  # the route of the row that holds every request


@dataclass(frozen=True, slots=True)
class RouteLatency:
    """One route's requests in one tick."""

    route: str  # a report.ROUTES id, or EVERY_REQUEST
    served: float  # requests that took it this tick
    share: float  # of the tick's served requests
    p50_ms: float
    p95_ms: float
    p99_ms: float
    masses: tuple[float, ...]  # share of its requests between each pair of the asked edges


def by_route(report: TickReport, edges_s: tuple[float, ...]) -> tuple[RouteLatency, ...]:
    """The routes of `report`'s served requests, busiest first, then every request; each with
    its share of requests between consecutive `edges_s` (ascending seconds: the first column
    also holds what is faster, the last what is slower). Percentiles are read as the scores
    read them, from a histogram (histogram.py), so every request's are the tick's own."""
    served = report.served
    if served <= 0:
        return ()
    groups: dict[str, LatencyHistogram] = {}
    for route, (count, dist) in zip(report.routes, report.paths, strict=True):
        groups.setdefault(route, LatencyHistogram()).add(dist, count)
    rows = [_row(route, histogram, served, edges_s) for route, histogram in groups.items()]
    rows.sort(key=lambda row: -row.served)
    return (*rows, _row(EVERY_REQUEST, report.latency, served, edges_s))


def _row(
    route: str, histogram: LatencyHistogram, served: float, edges_s: tuple[float, ...]
) -> RouteLatency:
    p50, p95, p99 = (1000.0 * (histogram.percentile(q) or 0.0) for q in (0.50, 0.95, 0.99))
    count = histogram.count
    shares = histogram.shares(edges_s)
    return RouteLatency(route, count, count / served, p50, p95, p99, shares)
