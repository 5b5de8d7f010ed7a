"""The catalog's numbers as text for people: README tables, codex entries and tooltips read
them from here, so no figure is ever typed by hand.

`python -m game.content.figures` prints the README's catalog section.
"""

from __future__ import annotations

import re

from game.engine import catalog
from game.engine.topology import DATA_KINDS

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")
_KIND_FIELDS = ("boot_ticks", "mtbf_ticks", "repair_ticks", "limit", "title")
_SIZE_FIELDS = ("capacity", "cost", "items")


def _number(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:g}"


def components_table() -> str:
    """A Markdown table of every component kind and size."""
    rows = [
        "| component | size | serves per second | cost per tick | boots in"
        " | mean time between failures | back after a failure |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in catalog.KINDS.values():
        for size, numbers in spec.sizes.items():
            cost = f"{numbers.cost:g}"
            if spec.id in catalog.DATACENTER_KINDS:
                serves = "a copy of the whole site, in another region"
                cost = f"{catalog.MIRROR_COST_SHARE:g}x the other components'"
            elif spec.id == "queue":
                serves = f"no limit, holds {spec.items[size]:,} jobs"
            elif numbers.capacity >= 1e11:
                serves = "no limit"
            elif spec.id == "sessions":
                serves = f"{_number(numbers.capacity)} session lookups"
            elif spec.id == "cache":
                serves = f"{_number(numbers.capacity)} lookups, holds {spec.items[size]:,} keys"
            elif spec.id == "box":
                database = catalog.KINDS["primary"].sizes[size].capacity
                serves = f"{_number(numbers.capacity)} requests + {_number(database)} query units"
            elif spec.id in DATA_KINDS:
                serves = f"{_number(numbers.capacity)} query units"
            elif spec.id == "worker":
                serves = f"jobs: the work of {_number(numbers.capacity)} requests"
            else:
                serves = f"{_number(numbers.capacity)} requests"
            size_name = size if len(spec.sizes) > 1 else "-"
            mtbf = "never" if spec.mtbf_ticks >= 1e8 else f"{spec.mtbf_ticks:,.0f} s"
            rows.append(
                f"| {spec.title} | {size_name} | {serves} | {cost} | {spec.boot_ticks} s"
                f" | {mtbf} | {spec.repair_ticks} s |"
            )
    return "\n".join(rows)


def rules_list() -> str:
    """The other tunable numbers, one line each."""
    c = catalog
    lines = [
        f"- Query units: a read costs {c.READ_UNITS:g}, a write {c.WRITE_UNITS:g}, a join"
        f" {c.JOIN_UNITS:g}; a key-value node serves {c.KEYVALUE_SPEEDUP:g}x the lookups of"
        f" a relational one of the same size and cannot answer joins.",
        f"- A dead primary fails over to a replica in {c.FAILOVER_TICKS} s ({c.PROMOTE_TICKS} s"
        f" when the player promotes one); with no replica it is rebuilt in {c.REBUILD_TICKS} s.",
        f"- Replicas apply writes at {c.REPLICA_APPLY_SHARE:g}x their capacity, with a"
        f" {1000 * c.REPLICATION_DELAY_S:g} ms replication delay.",
        f"- A balancer notices a dead web server after {c.HEALTH_CHECK_TICKS} s and costs"
        f" {c.BALANCER_COST_PER_MILLION:g} per million requests. A second balancer stands by:"
        f" it takes over the site's address {c.BALANCER_FAILOVER_TICKS} s after the active one"
        f" dies.",
        f"- A scale rule acts on its pool's utilization ({', '.join(c.RULE_POOLS)}); after each"
        f" server it adds it waits for the boot and {c.RULE_COOLDOWN_TICKS} s more.",
        f"- The CDN answers {100 * c.CDN_HIT_RATIO:g}% of static requests at the edge and costs"
        f" {c.CDN_COST_PER_MILLION:g} per million of them.",
        f"- Requests wait in a queue at most {c.DEFAULT_TIMEOUT_S:g} s (a level may change it);"
        f" a round trip inside the data centre takes {1000 * c.HOP_S:g} ms.",
        f"- Changing the store engine migrates the data: the data tier is down for"
        f" {c.STORE_SWITCH_TICKS} s.",
        f"- A relational primary may be split into up to {c.MAX_SHARDS} shards by a hash of the"
        " key, each a primary of its size and price with its own queue; the shard of the"
        " hottest key gets its share and an even part of the rest. Changing the count moves"
        f" keys for {c.RESHARD_TICKS} s, with every shard at"
        f" {100 * c.RESHARD_CAPACITY_SHARE:g}% of its capacity. A join asks every shard and"
        " waits for the slowest.",
        f"- A job's time (a level's [jobs], at most {c.MAX_JOB_S:g} s) is its time on a size-"
        f"{c.JOB_SIZE} server; a web server doing it inside the request, or a worker, of a"
        " bigger size does it faster in proportion to its capacity. A full queue refuses new"
        " jobs, and their requests fail.",
        f"- Sessions (a level's [sessions]): a user whose session is lost fails the requests"
        f" that need it until they have signed in again ({c.DEFAULT_RELOGIN_S:g} s unless the"
        f" level says, at most {c.MAX_RELOGIN_S:g} s). Kept in web servers' memory, a server"
        " that dies, is removed or resized signs out its share of the users; kept in a session"
        f" store, each session request costs {c.SESSION_LOOKUPS:g} lookup there.",
        f"- Regions (a level's [[regions]], at most {c.MAX_REGIONS}): DNS sends each region's"
        " users to the nearest data centre that is up, and their requests take that round trip"
        f" (at most {c.MAX_REGION_RTT_MS:g} ms). Resolvers keep an answer {c.DNS_TTL_S:g} s, so"
        " after a data centre goes dark a share of its users that falls to none over that time"
        " still fails; the rest move to the next one. A failover between regions loses the"
        f" writes of the last {c.CROSS_REGION_LAG_S:g} s.",
    ]
    return "\n".join(lines)


def figure(name: str) -> str:
    """One catalog figure as text: `web.S.capacity`, `cache.M.items`, `primary.boot_ticks`,
    `FAILOVER_TICKS`. KeyError names what is wrong."""
    parts = name.split(".")
    if len(parts) == 1:
        value = getattr(catalog, name, None) if name.isupper() else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise KeyError(f"{name!r} is not a number in the catalog")
        return _number(value)
    spec = catalog.KINDS.get(parts[0])
    if spec is None:
        raise KeyError(f"no component kind {parts[0]!r} (kinds: {', '.join(catalog.KINDS)})")
    if len(parts) == 2 and parts[1] in _KIND_FIELDS:
        value = getattr(spec, parts[1])
        return value if isinstance(value, str) else _number(value)
    if len(parts) == 3 and parts[1] in spec.sizes and parts[2] in _SIZE_FIELDS:
        if parts[2] == "items":
            if parts[1] not in spec.items:
                raise KeyError(f"{parts[0]} has no memory size")
            return _number(spec.items[parts[1]])
        return _number(getattr(spec.sizes[parts[1]], parts[2]))
    raise KeyError(
        f"{name!r}: use KIND.{{{'|'.join(_KIND_FIELDS)}}} or KIND.SIZE.{{{'|'.join(_SIZE_FIELDS)}}}"
    )


def fill(text: str) -> str:
    """Text with every {{placeholder}} replaced by its catalog figure (KeyError if unknown)."""
    return PLACEHOLDER.sub(lambda m: figure(m.group(1)), text)


def readme_section() -> str:
    return components_table() + "\n\n" + rules_list()


if __name__ == "__main__":
    print(readme_section())
