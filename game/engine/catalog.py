"""Every tunable number of the simulation, in one place.

The codex, the README and the UI read their figures from here, so what the game says can never
drift from what it simulates. Game time is compressed (one tick = one simulated second, failures
come every few minutes instead of every few months) but the ratios follow real systems: bigger
machines cost proportionally more and give less than proportionally more throughput, managed
databases cost about 1.8x a server of the same size and cache nodes about 1.6x.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

SIZES: tuple[str, ...] = ("S", "M", "L", "XL")


@dataclass(frozen=True, slots=True)
class Size:
    """One machine size of a component kind."""

    capacity: float  # requests (or query units) per second one server completes
    cost: float  # money per tick while the server exists


@dataclass(frozen=True, slots=True)
class Kind:
    """A component kind: what it costs, how long it boots and how often it fails."""

    id: str
    title: str
    sizes: Mapping[str, Size]
    boot_ticks: int  # from being added (or resized) until it takes traffic
    mtbf_ticks: float  # mean ticks between random failures
    repair_ticks: int  # a failed component is replaced and back after this long
    limit: int  # most of this kind in one site
    # cache memory per size, in cached keys
    items: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


def _sizes(capacities: tuple[float, ...], costs: tuple[float, ...]) -> Mapping[str, Size]:
    return MappingProxyType(
        {name: Size(capacity, cost) for name, capacity, cost in zip(SIZES, capacities, costs)}
    )


# Capacity rises about 1.75x for each doubling of price, so scaling up gets dearer per request,
# and XL is the ceiling: there is nothing bigger to buy.
_WEB = _sizes((100.0, 175.0, 305.0, 530.0), (1.0, 2.0, 4.0, 8.0))
_DB = _sizes((150.0, 260.0, 450.0, 790.0), (1.8, 3.6, 7.2, 14.4))

KINDS: Mapping[str, Kind] = MappingProxyType(
    {
        "box": Kind("box", "Single box (web + database)", _WEB, 30, 2400.0, 90, 1),
        "web": Kind("web", "Web server", _WEB, 30, 2400.0, 60, 1000),
        # Two balancers at most: the one that holds the site's address and a standby.
        "balancer": Kind("balancer", "Load balancer", _sizes((1e12,), (0.5,)), 10, 20000.0, 30, 2),
        "primary": Kind("primary", "Database primary", _DB, 60, 3600.0, 180, 1),
        "replica": Kind("replica", "Read replica", _DB, 60, 3600.0, 120, 15),
        "cache": Kind(
            "cache",
            "Cache node",
            _sizes((20000.0, 20000.0, 20000.0), (1.6, 3.2, 6.4)),
            15,
            3000.0,
            45,
            32,
            items=MappingProxyType({"S": 20_000, "M": 50_000, "L": 120_000}),
        ),
        "cdn": Kind("cdn", "Content delivery network", _sizes((1e12,), (0.5,)), 20, 1e9, 0, 1),
        # A message queue holds jobs (its items, by size) and puts no limit on their rate; a
        # worker is a server of the web's sizes that runs jobs instead of answering requests.
        "queue": Kind(
            "queue",
            "Message queue",
            _sizes((1e12, 1e12, 1e12), (0.4, 0.8, 1.6)),
            20,
            1e9,
            60,
            1,
            items=MappingProxyType({"S": 5_000, "M": 20_000, "L": 80_000}),
        ),
        "worker": Kind("worker", "Worker", _WEB, 30, 2400.0, 60, 200),
        # A session store keeps the users' sessions out of the web servers' memory: a small
        # cache-like node whose capacity is session lookups per second.
        "sessions": Kind(
            "sessions",
            "Session store",
            _sizes((2_000.0, 5_000.0, 12_000.0), (0.6, 1.2, 2.4)),
            15,
            3000.0,
            45,
            4,
        ),
        # A second data centre (datacenters.py) mirrors the whole site in another region: its
        # price is a share of what the site's other components cost (MIRROR_COST_SHARE), so it
        # has no sizes to choose from; it fails only as a whole, by incident, and is back after
        # its repair ticks (the home data centre too).
        "datacenter": Kind(
            "datacenter",
            "Second data centre",
            _sizes((1e12,), (0.0,)),
            120,
            1e9,
            180,
            3,
        ),
    }
)

# Store engines. A key-value store answers plain key lookups faster and splits its keys over
# every data node, so reads and writes scale out; it cannot answer requests that need joins.
STORES: tuple[str, ...] = ("relational", "keyvalue")
KEYVALUE_SPEEDUP = 3.0  # a key-value node serves this many times the lookups of the same size
STORE_SWITCH_TICKS = 60  # changing the store engine migrates the data: the data tier is down

# Work one request puts on the data tier, in query units (a simple indexed read is 1).
READ_UNITS = 1.0
WRITE_UNITS = 2.0
JOIN_UNITS = 4.0

# Sharding (sharding.py): the relational primary's keys split by a hash of the key over N shards,
# each a primary of the primary's size (so N times its price), each with its own queue.
MAX_SHARDS = 8
SHARD_CHOICES: tuple[int, ...] = (1, 2, 4, 8)  # the shard counts the inspector offers
RESHARD_TICKS = 60  # changing the shard count migrates keys between shards for this long ...
RESHARD_CAPACITY_SHARE = 0.5  # ... while every shard serves at this share of its capacity

# Relational replication.
REPLICA_APPLY_SHARE = 1.0  # a replica applies writes as fast as a primary of its size takes them
REPLICATION_DELAY_S = 0.2  # ship-and-apply delay of one write when replicas keep up
FAILOVER_TICKS = 30  # a dead primary: detect, promote a replica, reconnect
PROMOTE_TICKS = 10  # a player-ordered promotion skips the detection
REBUILD_TICKS = 240  # no replica to promote: restore the primary from a backup

# The balancer notices a dead web server after this many ticks; until then its share fails.
HEALTH_CHECK_TICKS = 2
BALANCER_ALGORITHMS: tuple[str, ...] = ("round_robin", "least_connections")
BALANCER_COST_PER_MILLION = 0.8  # money per million requests through the balancer
# The active balancer dies: a standby notices (its heartbeats stop) and takes over the site's
# address after this many ticks; until then every request fails.
BALANCER_FAILOVER_TICKS = 3

# The kinds random failures strike when a level does not say: those a pool of spares survives
# losing (a lone balancer, primary, box or CDN takes the site down with it).
RANDOM_FAILURE_KINDS: tuple[str, ...] = ("web", "replica", "cache")

# Caches.
EVICTIONS: tuple[str, ...] = ("lru", "lfu", "fifo")
DEFAULT_TTL_S = 300.0
MAX_TTL_S = 86_400.0
INVALIDATION_RACE_S = 0.05  # a read racing an invalidating write can refill the old value
CACHE_WARM_AT = 0.999  # a refilling cache node is warm again at this share of its steady hits

# CDN: static assets are few and hot, so the edge answers almost all of them.
CDN_HIT_RATIO = 0.95
CDN_COST_PER_MILLION = 20.0  # money per million requests served at the edge
CDN_EDGE_SERVICE_S = 0.002

# Message queue and workers (jobs.py): a level's [jobs] table says which share of the requests
# the web tier serves carries slow work (mail to send, an image to resize) and how long one job
# keeps a size-S server busy. Without a queue the web server does it inside the request; with
# one the request only enqueues it and the workers drain the queue.
JOB_KINDS: tuple[str, ...] = ("queue", "worker")
MAX_JOB_S = 60.0  # the longest a job may take, in seconds of a size-S server
JOB_SIZE = "S"  # a job's time is stated for a server of this size (a bigger one is quicker)

# Sessions (sessions.py): a level's [sessions] table says which share of the requests the web
# tier gets needs a signed-in user, and how long a user who loses a session takes to sign in
# again (their requests fail meanwhile). Without a session store a session lives in the memory
# of the web server the user sticks to; with one, every session request looks it up there.
SESSION_KINDS: tuple[str, ...] = ("sessions",)
DEFAULT_RELOGIN_S = 30.0
MAX_RELOGIN_S = 600.0
SESSION_LOOKUPS = 1.0  # store lookups one session request costs

# Network, in seconds.
HOP_S = 0.0005  # one round trip inside the data centre
DEFAULT_ORIGIN_RTT_S = 0.060  # user to the site's data centre and back
DEFAULT_EDGE_RTT_S = 0.015  # user to the nearest CDN edge and back

# Queues: nobody waits in a queue longer than this; the request fails as a timeout.
DEFAULT_TIMEOUT_S = 2.0

# Client retries (a level's [retries] table). The timeout above is the client's; where clients
# retry, a web server keeps a request it has not started for up to SERVER_TIMEOUT_S (its own
# limit), so work on requests whose clients gave up is done and wasted, unless the balancer sheds.
RETRY_POLICIES: tuple[str, ...] = ("none", "immediate", "backoff")
DEFAULT_RETRY_ATTEMPTS = 3  # attempts in all, the first one included
MAX_RETRY_ATTEMPTS = 10
DEFAULT_RETRY_BASE_S = 1.0  # backoff: the n-th retry waits up to base * 2^(n-1) ...
DEFAULT_RETRY_CAP_S = 30.0  # ... and never longer than the cap
MAX_RETRY_CAP_S = 120.0  # bounds how many ticks ahead retries are carried
SERVER_TIMEOUT_S = 10.0
# Retry budgets a client update can ship: retries at most this share of first attempts
# (0: no budget, every failure is retried while attempts remain).
RETRY_BUDGET_CHOICES: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.5)

# Traffic a level gets when it says nothing else.
DEFAULT_RPS = 10.0
DEFAULT_MIX: Mapping[str, float] = MappingProxyType(
    {"static": 0.2, "read": 0.6, "write": 0.1, "join": 0.1}
)
DEFAULT_KEYS = 100_000  # distinct keys that reads and writes touch
DEFAULT_ZIPF_ALPHA = 0.9  # key popularity skew: 0 is uniform, 1+ is very hot-headed
DEFAULT_WAVE_PERIOD = 600  # ticks from one peak of the daily wave to the next

# Bounds that keep a scenario's run small and finite.
MAX_TICKS = 86_400
# The largest seed anywhere (level files, solutions, saves, the command line): a TOML integer.
MAX_SEED = 2**63 - 1
MAX_TIMEOUT_S = 60.0
MAX_RPS = 1e9
MAX_KEYS = 10**10
MAX_ZIPF_ALPHA = 3.0

# Endless levels (endless.py): traffic grows until the site overspends its error budget.
ENDLESS_OBJECTIVE = 0.99  # availability owed over the window: the budget is the other 1%
ENDLESS_WINDOW_TICKS = 300  # the error budget counts the last five minutes
ENDLESS_LATENCY_MS = 300.0  # ticks within this latency (the level's percentile) count to the peak
ENDLESS_PEAK_TICKS = 60  # the peak is the best minute: this many consecutive ticks, averaged
ENDLESS_DOUBLING_TICKS = 300  # traffic doubles every five minutes
ENDLESS_SPIKES_PER_HOUR = 6.0  # surprise spikes drawn from the run's seed
ENDLESS_MAX_SPIKES_PER_HOUR = 60.0
ENDLESS_MAX_SPIKES = 1500  # bounds a run's spikes whatever its length
ENDLESS_SPIKE_MULTIPLIER: tuple[float, float] = (1.5, 3.0)  # a surprise spike's size, uniform
ENDLESS_SPIKE_TICKS: tuple[int, int] = (20, 90)  # and its length
ENDLESS_SPIKE_STREAM = 0x5B1C3  # mixed into the seed: spikes and failures draw apart
TICKS_PER_HOUR = 3600

# Scoring: the latency percentiles a level may grade, and the objectives of a scenario that
# states none (a reasonable site, not a level's lesson): metric -> [pass, two, three stars].
LATENCY_PERCENTILES: tuple[int, ...] = (50, 90, 95, 99)
DEFAULT_LATENCY_PERCENTILE = 95
DEFAULT_OBJECTIVES: Mapping[str, tuple[float, float, float]] = MappingProxyType(
    {"availability": (0.99, 0.995, 0.999), "latency_ms": (500.0, 300.0, 200.0)}
)

# A tier at least this busy is saturated: the site's view carries advice for it.
SATURATED_AT = 0.9

# The TTLs a player picks from in the game (a level file may set any up to MAX_TTL_S).
TTL_CHOICES_S: tuple[float, ...] = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 86_400.0)

# How fast the game's clock may run: simulated seconds per real second.
SPEEDS: tuple[int, ...] = (1, 2, 4, 8)

# Why a request fails: the reason ids used in reports, with the words a player reads.
FAILURE_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "no_healthy_server": "no healthy web server to send it to",
        "box_down": "the single box was down",
        "dns_server_down": "DNS sends every user to one web server, and it was down",
        "server_down": "sent to a web server that had just died",
        "balancer_down": "the load balancer was down",
        "timeout_web": "timed out waiting in the web tier",
        "timeout_box": "timed out waiting on the single box",
        "timeout_cache": "timed out waiting in the cache tier",
        "timeout_primary": "timed out waiting on the database primary",
        "timeout_replicas": "timed out waiting on the read replicas",
        "timeout_keyvalue": "timed out waiting on the key-value store",
        "primary_down": "the database primary was down",
        "store_down": "the data store was down",
        "store_cannot_join": "the key-value store cannot answer a join",
        "shed": "refused at once by the balancer: the queue was longer than the timeout",
        "queue_full": "its job was refused: the message queue was full",
        "logged_out": "its user was signed out: the web server holding the session was gone",
        "session_store_down": "its user was signed out: the session store was lost",
        "timeout_sessions": "timed out waiting on the session store",
        "datacenter_down": "its data centre had gone dark (DNS named it, or none other was up)",
    }
)

# Scale rules (autoscale.py): the pools a rule may grow and shrink, and how it waits. After a
# rule adds a server it waits until that server is up and then this cooldown before it measures
# again (after a removal, the cooldown alone), so it judges the pool it made, not the one before.
RULE_POOLS: tuple[str, ...] = ("web", "replica")
RULE_COOLDOWN_TICKS = 10
RULE_MAX_WINDOW_S = 600  # the longest a rule may watch before it acts
# The rule a player starts from: add an S above 80% for 10 s, up to 8; remove below 30%, keep 1.
RULE_START: Mapping[str, int | str] = MappingProxyType(
    {"size": "S", "above": 80, "for_s": 10, "most": 8, "below": 30, "least": 1}
)

# -- the sandbox (sandbox.py) -----------------------------------------------------------------
SANDBOX_TICKS = 3_600  # a sandbox run's length: an hour of site time, paused at its end
SANDBOX_START_RPS = 100.0  # the traffic a sandbox run starts with
SANDBOX_RPS_STEP = 0.25  # a traffic key changes the rate by this share (at least 10 req/s)
SANDBOX_MIN_RPS_STEP = 10.0
SANDBOX_MIXES = (  # the mixes the mix key steps through, static/read/write/join in percent
    "40/45/10/5",
    "0/90/5/5",
    "0/50/50/0",
    "10/30/10/50",
    "100/0/0/0",
)

# Several data centres with geo-DNS (regions.py). A region's users reach a data centre over that
# region's round trip to it; DNS answers with the nearest healthy data centre, and a resolver
# keeps an answer for the TTL, so after a data centre dies its users keep being sent to it for
# up to one TTL. A second data centre's database replicates across regions with its own lag.
DNS_TTL_S = 60  # how long a resolver keeps a geo-DNS answer
CROSS_REGION_LAG_S = 0.5  # a write reaches the other region's replica this much later
MAX_REGIONS = 4  # a level's [[regions]] at most (a site has a data centre per region at most)
MAX_REGION_RTT_MS = 1000.0  # the longest round trip a level may give a region
MIRROR_COST_SHARE = 1.0  # a mirror costs this share of the site's other components, per tick
DATACENTER_KINDS: tuple[str, ...] = ("datacenter",)
