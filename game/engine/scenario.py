"""A scenario: everything the engine needs to run a level, as plain immutable data.

Level files (game.content) are validated and turned into a Scenario; the engine never reads a
file. A run is a function of (scenario, seed, actions) and nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from game.engine import catalog
from game.engine.endless import ENDLESS_METRICS, Endless
from game.engine.regions import Region
from game.engine.scoring import Objectives, default_objectives
from game.engine.traffic import Traffic

JOB_METRICS = ("job_age_s",)  # scored only where the level's requests carry jobs

# Everything a player can do, as the names a level unlocks.
ADDABLE = (
    "web",
    "balancer",
    "primary",
    "replica",
    "cache",
    "cdn",
    "queue",
    "worker",
    "sessions",
    "datacenter",
)
VERBS = ("add", "remove", "resize", "configure", "promote", "rule")
# Settings a level unlocks by name beside `configure`: "shards" lets the primary be sharded.
FEATURES = ("shards",)


@dataclass(frozen=True, slots=True)
class Component:
    """One component of the starting build. An empty id gets the next free one of its kind."""

    kind: str
    size: str = "S"
    id: str = ""

    def __post_init__(self) -> None:
        if self.kind not in catalog.KINDS:
            raise ValueError(f"unknown component kind {self.kind!r}")
        if self.size not in catalog.KINDS[self.kind].sizes:
            sizes = ", ".join(catalog.KINDS[self.kind].sizes)
            raise ValueError(f"{self.kind} has no size {self.size!r} (sizes: {sizes})")


@dataclass(frozen=True, slots=True)
class Retries:
    """How the level's clients retry a failed or timed-out request (a level's [retries]).

    policy: none, immediate (next tick) or backoff (the n-th retry waits base * 2^(n-1), at
    most cap; with jitter spread evenly over that window); attempts: the most a client makes,
    the first included; budget: retries at most this share of first attempts (0: no budget);
    server_timeout_s: how long a web server keeps a request it has not started."""

    policy: str = "immediate"
    attempts: int = catalog.DEFAULT_RETRY_ATTEMPTS
    base_s: float = catalog.DEFAULT_RETRY_BASE_S
    cap_s: float = catalog.DEFAULT_RETRY_CAP_S
    jitter: bool = True
    budget: float = 0.0
    server_timeout_s: float = catalog.SERVER_TIMEOUT_S

    def __post_init__(self) -> None:
        if self.policy not in catalog.RETRY_POLICIES:
            raise ValueError(f"retry policy must be one of {catalog.RETRY_POLICIES}")
        if not 1 <= self.attempts <= catalog.MAX_RETRY_ATTEMPTS:
            raise ValueError(f"attempts must be between 1 and {catalog.MAX_RETRY_ATTEMPTS}")
        if not (math.isfinite(self.base_s) and 0 < self.base_s <= self.cap_s):
            raise ValueError("backoff base must be a positive number of seconds, at most the cap")
        if not self.cap_s <= catalog.MAX_RETRY_CAP_S:
            raise ValueError(f"backoff cap must be at most {catalog.MAX_RETRY_CAP_S:g} seconds")
        if not (math.isfinite(self.budget) and 0 <= self.budget <= 1):
            raise ValueError("retry budget must be a share between 0 (no budget) and 1")
        if not (
            math.isfinite(self.server_timeout_s)
            and 0 < self.server_timeout_s <= catalog.MAX_TIMEOUT_S
        ):
            raise ValueError(
                f"server timeout must be between 0 and {catalog.MAX_TIMEOUT_S:g} seconds"
            )


@dataclass(frozen=True, slots=True)
class Jobs:
    """Slow work some requests carry (a level's [jobs]; jobs.py): `share` of the requests the
    web tier serves brings a job that keeps a size-S server busy for `job_s` seconds."""

    share: float
    job_s: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.share) and 0 < self.share <= 1):
            raise ValueError("the share of requests with a job must be above 0 and at most 1")
        if not (math.isfinite(self.job_s) and 0 < self.job_s <= catalog.MAX_JOB_S):
            raise ValueError(
                f"a job must take more than 0 and at most {catalog.MAX_JOB_S:g} seconds"
            )


@dataclass(frozen=True, slots=True)
class Sessions:
    """Users who sign in (a level's [sessions]; sessions.py): `share` of the requests that
    reach the web tier needs a signed-in user, and a user whose session is lost fails those
    requests for `relogin_s` seconds, until they have signed in again."""

    share: float
    relogin_s: float = catalog.DEFAULT_RELOGIN_S

    def __post_init__(self) -> None:
        if not (math.isfinite(self.share) and 0 < self.share <= 1):
            raise ValueError("the share of requests with a session must be above 0 and at most 1")
        if not (math.isfinite(self.relogin_s) and 0 < self.relogin_s <= catalog.MAX_RELOGIN_S):
            raise ValueError(
                f"signing in again must take more than 0 and at most"
                f" {catalog.MAX_RELOGIN_S:g} seconds"
            )


@dataclass(frozen=True, slots=True)
class Settings:
    """Tier settings a player can configure."""

    balancer: str = "round_robin"
    eviction: str = "lru"
    ttl_s: float = catalog.DEFAULT_TTL_S
    invalidate_on_write: bool = True
    store: str = "relational"
    shed: bool = False  # the balancer refuses what would wait past the timeout (with retries)
    retries: Retries | None = None  # how clients retry; None: they do not (a client update
    # changes it)
    shards: int = 1  # the relational primary's keys split over this many shards (sharding.py)

    def __post_init__(self) -> None:
        if self.balancer not in catalog.BALANCER_ALGORITHMS:
            raise ValueError(f"balancer must be one of {catalog.BALANCER_ALGORITHMS}")
        if self.eviction not in catalog.EVICTIONS:
            raise ValueError(f"eviction must be one of {catalog.EVICTIONS}")
        if not 0 < self.ttl_s <= catalog.MAX_TTL_S:
            raise ValueError(f"ttl must be between 0 and {catalog.MAX_TTL_S:g} seconds")
        if self.store not in catalog.STORES:
            raise ValueError(f"store must be one of {catalog.STORES}")
        if isinstance(self.shards, bool) or not isinstance(self.shards, int):
            raise ValueError("shards takes a whole number of shards")
        if not 1 <= self.shards <= catalog.MAX_SHARDS:
            raise ValueError(f"shards must be between 1 and {catalog.MAX_SHARDS}")
        if self.shards > 1 and self.store != "relational":
            raise ValueError(
                "only a relational primary is sharded: a key-value store spreads its keys"
                " over its nodes already"
            )


@dataclass(frozen=True, slots=True)
class Incident:
    """A scheduled failure: component `target` dies at `tick` (and is repaired as usual)."""

    tick: int
    target: str
    announced: bool = False  # shown to the player ahead of time (the forecast); else a surprise


@dataclass(frozen=True, slots=True)
class RandomFailures:
    """Random failures drawn from per-component seeded streams; `mtbf_scale` stretches MTBFs
    and `kinds` are the component kinds they strike (the others fail only by incident)."""

    enabled: bool = False
    mtbf_scale: float = 1.0
    kinds: tuple[str, ...] = catalog.RANDOM_FAILURE_KINDS

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mtbf_scale) and self.mtbf_scale > 0):
            raise ValueError("mtbf_scale must be a positive number")
        unknown = [kind for kind in self.kinds if kind not in catalog.KINDS]
        if unknown:
            raise ValueError(
                f"cannot fail {', '.join(map(repr, unknown))} at random: not a component kind"
                f" (kinds: {', '.join(catalog.KINDS)})"
            )


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    duration: int
    seed: int = 0
    budget: float | None = None  # most a site may cost per tick; None is no limit
    start: tuple[Component, ...] = (Component("box"),)
    settings: Settings = field(default_factory=Settings)
    unlocked: frozenset[str] | None = None  # None unlocks everything
    traffic: Traffic = field(default_factory=Traffic)
    incidents: tuple[Incident, ...] = ()
    failures: RandomFailures = field(default_factory=RandomFailures)
    objectives: Objectives = field(default_factory=default_objectives)
    timeout_s: float = catalog.DEFAULT_TIMEOUT_S
    endless: Endless | None = None  # an endless level: it runs until the error budget is spent
    jobs: Jobs | None = None  # slow work some requests carry; None: none does
    sessions: Sessions | None = None  # users who sign in; None: no request needs a session
    # Where the users are (datacenters.py); the site's own data centre is in the first region.
    # None: one region, whose round trip is the traffic's origin_rtt_s.
    regions: tuple[Region, ...] = ()

    def __post_init__(self) -> None:
        _check_regions(self.regions)
        if not 1 <= self.duration <= catalog.MAX_TICKS:
            raise ValueError(f"duration must be between 1 and {catalog.MAX_TICKS} ticks")
        if not (math.isfinite(self.timeout_s) and 0 < self.timeout_s <= catalog.MAX_TIMEOUT_S):
            raise ValueError(f"timeout must be between 0 and {catalog.MAX_TIMEOUT_S:g} seconds")
        if self.budget is not None and not (math.isfinite(self.budget) and self.budget > 0):
            raise ValueError("budget must be a positive number per tick")
        if self.unlocked is not None:
            unknown = self.unlocked - set(ADDABLE) - set(VERBS) - set(FEATURES)
            if unknown:
                raise ValueError(f"cannot unlock {sorted(unknown)}: not a component or action")
        if self.endless is None:
            endless_only = [g.metric for g in self.objectives.goals if g.metric in ENDLESS_METRICS]
            if endless_only:
                raise ValueError(f"only an endless level can score {', '.join(endless_only)}")
        if self.jobs is None and any(g.metric in JOB_METRICS for g in self.objectives.goals):
            raise ValueError("only a level with [jobs] can score job_age_s")

    def allows(self, name: str) -> bool:
        """Whether this level lets the player use an action or component kind."""
        return self.unlocked is None or name in self.unlocked


def _check_regions(regions: tuple[Region, ...]) -> None:
    """Regions need distinct names, shares that sum to 1 and a round trip to every region."""
    if not regions:
        return
    if len(regions) > catalog.MAX_REGIONS:
        raise ValueError(f"a level has {catalog.MAX_REGIONS} regions at most")
    names = [r.name for r in regions]
    if len(set(names)) != len(names):
        raise ValueError("region names must differ")
    for r in regions:
        if not (math.isfinite(r.share) and 0 < r.share <= 1):
            raise ValueError(f"region {r.name!r}: its share of users must be above 0, at most 1")
        if set(r.rtt_s) != set(names):
            raise ValueError(f"region {r.name!r} needs a round trip to every region, no other")
        top = catalog.MAX_REGION_RTT_MS / 1000
        if any(not (math.isfinite(v) and 0 < v <= top) for v in r.rtt_s.values()):
            raise ValueError(f"region {r.name!r}: round trips must be above 0, at most {top:g} s")
    if abs(math.fsum(r.share for r in regions) - 1.0) > 1e-9:
        raise ValueError("the regions' shares of users must sum to 1")
