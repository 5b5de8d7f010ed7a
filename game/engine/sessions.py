"""Signed-in users (a level's [sessions]): where their sessions live, and who loses one.

A share of the requests that reach the web tier needs a signed-in user. Without a session store
the sessions live in the memory of the web servers, and a user sticks to the server that holds
theirs (sticky sessions): each healthy server holds its share of the pool's traffic (an equal
share under round robin, a share by capacity under least connections; without a balancer DNS
sends everyone to one server, which holds them all). A server that stops being healthy (it
dies, is removed, or restarts on a resize) takes its sessions with it: that share of the users
still signed in is signed out.

With a session store up, the sessions live in it, split evenly over its healthy nodes, and any
web server can answer any user: losing a web server signs nobody out, but every session
request costs a lookup on the store (its own tier: an overloaded store is slow and times out),
and a store node that is lost takes its share of the sessions with it. With no store node up
the sessions fall back to the web servers' memory.

Signed-out users are fluid and dice-free: a loss at tick t0 signs out a cohort, whose session
requests fail (for the cohort's reason) with weight clamp(relogin_s - (t - t0), 0, 1) at tick
t, so a cohort fails exactly relogin_s seconds' worth of its requests, then has signed in again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from game.engine import catalog
from game.engine.report import TickReport
from game.engine.scenario import Sessions
from game.engine.tiers import LEAST_CONNECTIONS
from game.engine.topology import FAILED, HEALTHY, WEB_KINDS, Topology

STORE = "sessions"  # the component kind that holds sessions, and its tier's name
LOGGED_OUT, STORE_LOST = "logged_out", "session_store_down"  # the cohorts' failure reasons


@dataclass(slots=True)
class Cohort:
    """Users signed out together at tick `since`: `share` of all session users."""

    since: int
    share: float
    reason: str


@dataclass(slots=True)
class Logins:
    """What one tick hands the next: who holds the sessions, and who is signed out."""

    holders: dict[str, tuple[str, float]] = field(default_factory=dict)  # id -> (kind, share)
    cohorts: list[Cohort] = field(default_factory=list)

    def signed_out(self, t: int, relogin_s: float) -> dict[str, float]:
        """Share of the session users signed out at tick `t`, by reason (expired cohorts go)."""
        self.cohorts = [c for c in self.cohorts if t - c.since < relogin_s]
        return self.at(t, relogin_s)

    def at(self, t: int, relogin_s: float) -> dict[str, float]:
        """Share of the session users signed out at tick `t`, by reason (changes nothing)."""
        out: dict[str, float] = {}
        for c in self.cohorts:
            weight = min(1.0, relogin_s - (t - c.since))
            if weight > 0:
                out[c.reason] = out.get(c.reason, 0.0) + c.share * weight
        return out

    def __bool__(self) -> bool:
        return bool(self.cohorts)


@dataclass(frozen=True, slots=True)
class SessionsView:
    """Where the users' sessions live and how many are signed out, for the screens."""

    share: float  # of the requests reaching the web tier, those that need a session
    relogin_s: float  # how long a signed-out user takes to sign in again
    held_by: str  # STORE (a session store) or "web" (sticky, in the web servers' memory)
    signed_out: float  # share of the session users signed out at the last tick


def sessions_view(
    spec: Sessions | None, logins: Logins, topology: Topology, last: TickReport | None
) -> SessionsView | None:
    """The level's sessions as they stand after the `last` tick (None: before the first)."""
    if spec is None:
        return None
    out = sum(logins.at(last.tick, spec.relogin_s).values()) if last is not None else 0.0
    held_by = STORE if store_up(topology) else "web"
    return SessionsView(spec.share, spec.relogin_s, held_by, min(1.0, out))


def store_up(topology: Topology) -> bool:
    """Whether a session store node is up to hold the sessions."""
    return bool(topology.pool(STORE).nodes)


def holders(topology: Topology, front: str | None, balancer: str) -> dict[str, tuple[str, float]]:
    """Who holds the sessions now, and which share each: the store's healthy nodes when there
    are any, else the web servers (`front`: the balancer's state, topology.front_door)."""
    store = topology.pool(STORE).nodes
    if store:
        return {n.id: (STORE, 1 / len(store)) for n in store}
    if front not in (HEALTHY, FAILED):  # DNS sends everyone to the oldest server
        web = topology.of_kind(*WEB_KINDS)
        target = web[0] if web else None
        return {target.id: (target.kind, 1.0)} if target and target.state == HEALTHY else {}
    healthy = [n for n in topology.of_kind(*WEB_KINDS) if n.state == HEALTHY]
    if balancer == LEAST_CONNECTIONS:
        total = sum(n.spec.capacity for n in healthy)
        return {n.id: (n.kind, n.spec.capacity / total) for n in healthy}
    return {n.id: (n.kind, 1 / len(healthy)) for n in healthy}


def step(
    logins: Logins,
    topology: Topology,
    t: int,
    relogin_s: float,
    front: str | None,
    balancer: str,
    on_lost: Callable[[str, float], None] | None = None,
) -> dict[str, float]:
    """Tick `t`: sign out the users whose sessions were held by what is no longer up, and
    return the share of session users signed out now, by reason. `on_lost` hears of each
    holder lost: its id and the share of all session users it signed out."""
    before = logins.signed_out(t, relogin_s)
    signed_in = max(0.0, 1.0 - sum(before.values()))
    lost: dict[str, float] = {}
    nodes = topology.nodes
    for node_id, (kind, share) in logins.holders.items():
        node = nodes.get(node_id)
        if node is None or node.state != HEALTHY:
            reason = STORE_LOST if kind == STORE else LOGGED_OUT
            lost[reason] = lost.get(reason, 0.0) + share
            if on_lost is not None and share * signed_in > 0:
                on_lost(node_id, share * signed_in)
    for reason, share in sorted(lost.items()):
        logins.cohorts.append(Cohort(t, share * signed_in, reason))
    logins.holders = holders(topology, front, balancer)
    if not lost:
        return before
    return logins.signed_out(t, relogin_s)


def lookups(requests: float) -> float:
    """Store lookups `requests` session requests cost."""
    return requests * catalog.SESSION_LOOKUPS
