"""Several data centres behind geo-DNS: where each region's users go, and what a region loses.

A level may split its users into regions (`Region`): each holds a share of the users and has a
round trip from its users to each region's data centre. A site may build a data centre per
region. DNS answers a region's resolvers with the nearest data centre that is up (the shortest
round trip; ties by name), so a user's latency is the latency inside that data centre plus the
round trip to it (`site_latency`: the data centres' shapes, each shifted by the round trip,
mixed by the share of users that takes it).

A resolver keeps an answer for the DNS TTL. Resolvers look up at moments spread evenly over a
TTL (each serves many users, so its answer is refreshed as soon as it expires), so when a data
centre dies at time 0, a share max(0, 1 - s / TTL) of its users still hold an answer naming it
s seconds later: their requests fail ("datacenter_down"), and the rest already go to the next
nearest data centre, over its longer round trip. Over the tick [s0, s1] that share is the mean
of the line over the interval (`stale_share`). When it comes back the same line says which
share of its users still hold the other data centre's answer: they are served, over the longer
round trip, until their copy runs out.

The second data centre's database is a replica of the first, across regions: it shows the
writes of `CROSS_REGION_LAG_S` ago. A region failover promotes it, and the writes acknowledged
in that lag are lost: write rate x lag, the unapplied writes of replication.py with no backlog.

This is the routing and its maths, held to a discrete-event model of resolvers
(tests/model/test_geo_dns.py); datacenters.py plays it in the tick.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from game.engine import catalog
from game.engine.latency import Dist
from game.engine.replication import unapplied_writes

REASON = "datacenter_down"  # a cached answer named a dead data centre, or none was up


@dataclass(frozen=True, slots=True)
class Region:
    """Users in one region: their share of all users and their round trip to each region's
    data centre, in seconds."""

    name: str
    share: float
    rtt_s: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Route:
    """Where one region's users go this tick: shares of the region's requests per data centre,
    and the share that fails because a cached answer names a dead one."""

    region: str
    to: Mapping[str, float]
    failed: float = 0.0


def nearest(region: Region, datacenters: Iterable[str]) -> str | None:
    """The data centre among `datacenters` with the shortest round trip from `region` (ties by
    name); None when the region reaches none of them."""
    reachable = [dc for dc in datacenters if dc in region.rtt_s]
    if not reachable:
        return None
    return min(reachable, key=lambda dc: (region.rtt_s[dc], dc))


def stale_share(s0: float, s1: float, ttl_s: float = catalog.DNS_TTL_S) -> float:
    """The share of a dead data centre's users whose cached answer still names it, averaged over
    [s0, s1] seconds after it died: the mean of max(0, 1 - s / ttl) over the interval."""
    if not 0.0 <= s0 < s1:
        raise ValueError(f"stale_share needs 0 <= s0 < s1, got {s0!r}, {s1!r}")
    if ttl_s <= 0.0:
        return 0.0
    a, b = min(s0, ttl_s), min(s1, ttl_s)
    # integral of (1 - s / ttl) from a to b, over the whole interval's length
    return ((b - a) - (b * b - a * a) / (2.0 * ttl_s)) / (s1 - s0)


@dataclass(slots=True)
class GeoDns:
    """The data centres built and which are down since when; routes each tick."""

    regions: tuple[Region, ...]
    built: set[str] = field(default_factory=set)
    down_since: dict[str, float] = field(default_factory=dict)  # data centre -> time it died
    back_since: dict[str, float] = field(default_factory=dict)  # data centre -> time it came back
    ttl_s: float = catalog.DNS_TTL_S

    def fail(self, dc: str, t: float) -> None:
        """Data centre `dc` goes dark at `t` (an incident)."""
        if dc in self.built:
            self.down_since.setdefault(dc, t)

    def recover(self, dc: str, t: float) -> None:
        """`dc` is back at `t`: DNS names it again. Answers cached for the other data centre
        still reach a healthy one, so nothing fails, but for up to a TTL a falling share of its
        users keep the longer round trip."""
        if self.down_since.pop(dc, None) is not None:
            self.back_since[dc] = t

    def routes(self, t: float, dt: float = 1.0) -> list[Route]:
        """Where every region's users go over the tick [t, t + dt] (a tick is a second)."""
        up = [dc for dc in sorted(self.built) if dc not in self.down_since]
        out = []
        for region in self.regions:
            home = nearest(region, self.built)
            if home is None:
                out.append(Route(region.name, {}, 1.0))
                continue
            if home not in self.down_since:
                out.append(self._home(region, home, up, t, dt))
                continue
            since = self.down_since[home]
            stale = stale_share(max(0.0, t - since), max(0.0, t - since) + dt, self.ttl_s)
            backup = nearest(region, up)
            if backup is None:
                out.append(Route(region.name, {}, 1.0))
            else:
                out.append(Route(region.name, {backup: 1.0 - stale}, stale))
        return out

    def _home(self, region: Region, home: str, up: list[str], t: float, dt: float) -> Route:
        """A region whose nearest data centre is up; if it came back less than a TTL ago, the
        answers cached while it was down still send a share to the next one."""
        back = self.back_since.get(home)
        away = nearest(region, [dc for dc in up if dc != home])
        if back is None or away is None or t - back >= self.ttl_s:
            return Route(region.name, {home: 1.0})
        s = max(0.0, t - back)
        still = stale_share(s, s + dt, self.ttl_s)
        return Route(region.name, {home: 1.0 - still, away: still})


def loads(regions: Iterable[Region], routes: Iterable[Route], rate: float) -> dict[str, float]:
    """Requests per second each data centre receives when the site takes `rate`."""
    shares = {region.name: region.share for region in regions}
    out: dict[str, float] = {}
    for route in routes:
        for dc, part in route.to.items():
            out[dc] = out.get(dc, 0.0) + rate * shares[route.region] * part
    return out


def failed_share(regions: Iterable[Region], routes: Iterable[Route]) -> float:
    """The share of all requests that a cached answer sent to a dead data centre."""
    shares = {region.name: region.share for region in regions}
    return sum(shares[route.region] * route.failed for route in routes)


def site_latency(
    regions: Iterable[Region], routes: Iterable[Route], inside: Mapping[str, Dist]
) -> Dist | None:
    """The latency of the requests served: each data centre's own latency (`inside`) shifted by
    the round trip of the region whose users it serves, mixed by their share. None when none
    is served."""
    by_name = {region.name: region for region in regions}
    parts = []
    for route in routes:
        region = by_name[route.region]
        for dc, part in route.to.items():
            if part > 0.0:
                parts.append((region.share * part, inside[dc].shifted(region.rtt_s[dc])))
    return Dist.mixture(parts) if parts else None


def failover_lost_writes(write_rate: float, lag_s: float = catalog.CROSS_REGION_LAG_S) -> float:
    """The writes a region failover loses: those acknowledged within the cross-region lag."""
    return unapplied_writes(0.0, write_rate, lag_s)
