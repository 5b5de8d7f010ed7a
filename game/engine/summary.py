"""A run's result as plain JSON-ready data: the shape `millions sim --json` prints."""

from __future__ import annotations

from game.engine.report import TickReport, TierReport
from game.engine.simulation import RunResult

PERCENTILES = (("p50_ms", 0.50), ("p95_ms", 0.95), ("p99_ms", 0.99))


def _num(x: float | None, digits: int = 4) -> float | None:
    """Rounded so that results print the same on every machine (libm differs in the last bits)."""
    if x is None:
        return None
    value = round(x, digits)
    return 0.0 if value == 0 else value


def summarize(result: RunResult) -> dict:
    totals = result.totals
    summary = {
        "level": result.scenario.id,
        "seed": result.seed,
        "ticks": result.ticks,
        "passed": result.passed,
        "stars": result.stars,
        "scores": {name: _num(value, 6) for name, value in result.scores.items()},
        "totals": {
            "offered": _num(totals.offered),
            "served": _num(totals.served),
            "failed": _num(totals.failed_total),
            "availability": _num(totals.availability, 6),
            **{name: _num(totals.percentile_ms(q), 3) for name, q in PERCENTILES},
            "cost": _num(totals.cost),
            "stale_reads": _num(totals.stale_reads),
            "lost_writes": _num(totals.lost_writes),
            "cache_hit_ratio": _num(totals.mean_hit_ratio, 6),
            "peak_queued": _num(totals.peak_queued),
            "replica_lag_s": _num(totals.mean_lag_s, 6),
            "peak_replica_lag_s": _num(totals.peak_lag_s if totals.lag_ticks else None, 6),
        },
        "last_tick": last_tick(result.last) if result.last else None,
        "failures": {
            reason: _num(count) for reason, count in sorted(totals.failed.items()) if count > 0
        },
        "tiers": [tier_summary(t) for t in result.last.tiers] if result.last else [],
        "refused": [
            {"tick": o.action.tick, "action": o.action.describe(), "reason": o.reason}
            for o in result.outcomes
            if not o.accepted
        ],
    }
    return summary


def last_tick(report: TickReport) -> dict:
    return {
        "tick": report.tick,
        "cache_hit_ratio": _num(report.cache_hit_ratio, 6),
        "queued": _num(report.queued),
        "replica_lag_s": _num(report.replica_lag_s, 6),
    }


def tier_summary(tier: TierReport) -> dict:
    return {
        "name": tier.name,
        "kind": tier.kind,
        "servers": tier.servers,
        "capacity_rps": _num(tier.capacity_rps, 3),
        "utilization": _num(tier.utilization, 6),
        **{name: _num(tier.percentile_ms(q), 3) for name, q in PERCENTILES},
        "dropped": _num(tier.dropped),
        "queued": _num(tier.queued),
    }
