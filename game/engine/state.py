"""What one tick hands the next, beside the components themselves (topology.py).

queues        every tier queue's backlog (tiers.Queues)
replication   the replicas' unapplied writes, the primary's write rate, a promotion under
              way and the writes a failover lost (replication.Replication)
store_moved   whether the database has left the single box for a primary
incidents     the scheduled failures, by tick
events        what happened since the last report, for the next one
warming       the cache nodes refilling after a restart (warmup.Warming)
retries       the clients' retries on their way, by tick ahead (retries.Schedule)
jobs          the jobs waiting in the message queue (jobs.Backlog)
logins        who holds the users' sessions, and who is signed out (sessions.Logins)
resharding_until  the tick a migration of keys between shards ends (None: none under way)

Latency shapes and hit ratios are not state: they are pure functions of their inputs,
remembered by shapes.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from game.engine.jobs import Backlog
from game.engine.replication import Replication
from game.engine.report import EVENT_KINDS, Event
from game.engine.retries import Schedule
from game.engine.scenario import Scenario
from game.engine.sessions import Logins
from game.engine.tiers import Queues
from game.engine.warmup import Warming


class EventLog:
    """The events since they were last taken, oldest first."""

    __slots__ = ("_events",)

    def __init__(self) -> None:
        self._events: list[Event] = []

    def log(self, tick: int, kind: str, component: str, text: str) -> None:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        self._events.append(Event(tick, kind, component, text))

    def take(self) -> list[Event]:
        events, self._events = self._events, []
        return events


@dataclass(slots=True)
class RunState:
    """The state a tick hands the next (the components are in the Topology)."""

    queues: Queues
    replication: Replication
    store_moved: bool  # a primary has taken the database over from the single box
    incidents: Mapping[int, tuple[str, ...]]  # tick -> components that fail then
    events: EventLog = field(default_factory=EventLog)
    warming: Warming = field(default_factory=Warming)  # cache nodes refilling after a restart
    retries: Schedule = field(default_factory=Schedule)  # retries on their way
    jobs: Backlog = field(default_factory=Backlog)  # jobs waiting in the message queue
    logins: Logins = field(default_factory=Logins)  # sessions' holders, users signed out
    resharding_until: int | None = None  # keys move between shards until then (sharding.py)

    @classmethod
    def start(cls, scenario: Scenario, has_primary: bool) -> RunState:
        """Before the first tick of `scenario`; `has_primary`: its starting build has one."""
        incidents: dict[int, list[str]] = {}
        for incident in scenario.incidents:
            incidents.setdefault(incident.tick, []).append(incident.target)
        return cls(
            queues=Queues(),
            replication=Replication(),
            store_moved=has_primary,
            incidents=MappingProxyType({t: tuple(ids) for t, ids in incidents.items()}),
        )

    @property
    def store_on_box(self) -> bool:
        """Whether the database still lives on the single box."""
        return not self.store_moved
