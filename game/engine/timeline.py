"""A run tick by tick, as flat rows: what `millions sim --timeline` writes.

One row per tick, the same columns every tick and every site: a tier the site does not have,
or a number that does not apply, is None (an empty CSV field, a JSON null). COLUMNS says what
each column holds, in order; `failed_<reason>` and the `<tier>_...` columns are families,
written out in place, one column for each catalog.FAILURE_REASONS id and for each of TIERS
(box, the single box while it holds the database; web; sessions, the session store; cache;
primary; replicas; keyvalue).
`columns()` gives every name. The README's timeline table is COLUMNS, and a test keeps the two
and the written header equal. Counts are fluid (a tier serves 123.4 requests in a tick when
that is its rate); numbers are rounded to 6 decimals, so a timeline reads the same on every
machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from game.engine import catalog
from game.engine.report import TickReport

TIERS = ("box", "web", "sessions", "cache", "primary", "replicas", "keyvalue")
PERCENTILES = (("p50_ms", 0.50), ("p95_ms", 0.95), ("p99_ms", 0.99))
_DIGITS = 6

# Column -> what it holds, `<reason>` and `<tier>` standing for families of columns.
COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "tick": "the tick (one simulated second)",
        "offered": "requests that arrived",
        "served": "requests served",
        "failed": "requests that failed, for any reason",
        "failed_<reason>": "requests that failed for that reason",
        "p50_ms": "median latency of the tick's served requests, ms",
        "p95_ms": "95th percentile latency of the tick's served requests, ms",
        "p99_ms": "99th percentile latency of the tick's served requests, ms",
        "cost": "spend this tick",
        "cache_hit_ratio": "share of reads the cache tier answered (empty without a cache)",
        "<tier>_queue": "requests waiting in the tier's queue at the tick's end",
        "<tier>_utilization": "offered work / capacity of the tier",
        "<tier>_dropped": "requests that timed out in the tier's queue this tick",
        "replica_lag_s": "how old the replicas' data is, seconds (empty without replicas)",
        "stale_reads": "reads served with an out-of-date value",
        "lost_writes": "writes acknowledged, then lost in a failover begun this tick",
    }
)


def columns() -> tuple[str, ...]:
    """Every column name in order, each family written out in place."""
    out: list[str] = []
    for pattern in COLUMNS:
        if "<reason>" in pattern:
            out += [pattern.replace("<reason>", reason) for reason in catalog.FAILURE_REASONS]
        elif "<tier>" in pattern:
            out += [pattern.replace("<tier>", tier) for tier in TIERS]
        else:
            out.append(pattern)
    return tuple(out)


def row(report: TickReport) -> dict[str, float | int | None]:
    """One tick's row: every column of `columns()`, in that order."""
    values: dict[str, float | int | None] = {
        "tick": report.tick,
        "offered": report.offered,
        "served": report.served,
        "failed": report.failed_total,
        "cost": report.cost,
        "cache_hit_ratio": report.cache_hit_ratio,
        "replica_lag_s": report.replica_lag_s,
        "stale_reads": report.stale_reads,
        "lost_writes": report.lost_writes,
    }
    for reason in catalog.FAILURE_REASONS:
        values[f"failed_{reason}"] = report.failed.get(reason, 0.0)
    for name, q in PERCENTILES:
        values[name] = report.percentile_ms(q)
    tiers = {t.name: t for t in report.tiers}
    for name in TIERS:
        tier = tiers.get(name)
        values[f"{name}_queue"] = tier.queued if tier else None
        values[f"{name}_utilization"] = tier.utilization if tier else None
        values[f"{name}_dropped"] = tier.dropped if tier else None
    return {c: values[c] if c == "tick" else _num(values[c]) for c in columns()}


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    value = round(x, _DIGITS)
    return 0.0 if value == 0 else value
