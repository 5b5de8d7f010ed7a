"""Relational replication from tick to tick: replica lag, promotions, writes lost in a failover.

Writes go to the primary and the replicas apply them after it (model.md section 4), in commit
order. Each write first travels for the ship delay d (catalog.REPLICATION_DELAY_S), then waits
in the replicas' apply queue, the backlog B, which they drain at their apply rate a:

    B' = max(0, B + (w - a) * dt)                      (w: writes the primary took per second)

At any moment the writes the primary acknowledged and the replicas have not applied are the
backlog plus the writes still in flight, U = B + w * d. A promoted replica is missing exactly
those, so a failover loses U writes. (Counting w * (d + B / a), the writes taken while the
newest one waits, overstates the loss by about w / a when writes outrun the replicas.) The same
U says how old a replica's data is: the unapplied writes are the newest, so the replica shows
the data as of U / w = d + B / w seconds ago (d + B / a once writes stop: the time to catch up).
A read of a key is stale when the key was written within that lag (cache.replica_stale_share).

When the primary dies and a replica is healthy, that replica is promoted after the failover
time. When none is healthy but one is still booting, it is promoted once it is up (and no
sooner than the failover time); it starts from a copy taken when it began booting, so the loss
is every write acknowledged since then. With no replica at all the primary is rebuilt from a
backup. A player may promote a healthy replica sooner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from game.engine import catalog
from game.engine.topology import Node


@dataclass(slots=True)
class Promotion:
    """A replica being made primary: writes fail until `until`."""

    until: int
    candidate: str  # replica id; empty: the oldest healthy one (replicas share one lag here)
    since: int = 0  # the tick the primary failed, or the player ordered the promotion
    rebuild: bool = False  # it waits for a booting replica: with none left, rebuild the primary


@dataclass(slots=True)
class Replication:
    """What replication hands from one tick to the next."""

    backlog: float = 0.0  # writes the replicas have received and not applied yet
    write_rate: float = 0.0  # writes per second the primary completed in the last tick
    promotion: Promotion | None = None  # under way: writes fail until it completes
    lost_pending: float = 0.0  # writes lost in a failover, reported with the tick it began in
    acknowledged: float = 0.0  # writes the primary has completed since the run began
    # a booting replica -> `acknowledged` when the copy it starts from was taken
    copies: dict[str, float] = field(default_factory=dict)

    def wrote(self, rate: float) -> None:
        """The primary completed `rate` writes this tick."""
        self.write_rate = rate
        self.acknowledged += rate

    def lag_s(self, rate: float) -> float:
        """One tick of replication at the last write rate, the replicas applying `rate` writes
        a second; the replicas' lag after it."""
        # backlog_step and replica_lag_s without their checks: this runs every tick, on rates
        # the engine made
        self.backlog = max(0.0, self.backlog + self.write_rate - rate)
        return _lag(self.backlog, self.write_rate, rate, catalog.REPLICATION_DELAY_S)

    def copy_for(self, replica_id: str) -> None:
        """A replica starts booting from a copy of the primary's data as it is now."""
        self.copies[replica_id] = self.acknowledged

    def booted(self, replica_id: str) -> None:
        """A replica is up: from now on it applies writes with the others."""
        self.copies.pop(replica_id, None)

    def fail_over(self, t: int) -> float:
        """The primary died at `t` with a healthy replica: it is promoted after the failover
        time, and the writes it had not applied are lost. Returns how many."""
        lost = unapplied_writes(self.backlog, self.write_rate, catalog.REPLICATION_DELAY_S)
        self.promotion = Promotion(t + catalog.FAILOVER_TICKS, "", since=t)
        self.lost_pending = lost
        return lost

    def await_boot(self, t: int, replica: Node) -> float:
        """The primary died at `t` with no healthy replica and `replica` booting: it is promoted
        once it is up, no sooner than the failover time. It lacks every write acknowledged
        since its copy was taken, and those in flight; returns how many are lost."""
        since_copy = self.acknowledged - self.copies.get(replica.id, self.acknowledged)
        lost = since_copy + self.write_rate * catalog.REPLICATION_DELAY_S
        until = max(t + catalog.FAILOVER_TICKS, replica.until)
        self.promotion = Promotion(until, "", since=t, rebuild=True)
        self.lost_pending = lost
        return lost

    def promote(self, t: int, candidate: str) -> None:
        """The player promotes `candidate` at `t`: done after PROMOTE_TICKS, or sooner if a
        failover under way ends first (it then promotes `candidate`)."""
        until = t + catalog.PROMOTE_TICKS
        if self.promotion is not None:
            self.promotion.until = min(self.promotion.until, until)
            self.promotion.candidate = candidate
        else:
            self.promotion = Promotion(until, candidate, since=t)

    def completing(self, t: int) -> Promotion | None:
        """The promotion that completes at `t`, no longer under way; None if there is none."""
        promotion = self.promotion
        if promotion is None or t < promotion.until:
            return None
        self.promotion = None
        return promotion

    def wait_for(self, promotion: Promotion, until: int) -> None:
        """A promotion found no healthy replica but one still booting: it completes at `until`."""
        promotion.until = until
        self.promotion = promotion

    def restart(self) -> None:
        """The replicas start level with the primary: a new primary, or a migrated store."""
        self.backlog = 0.0
        for replica_id in self.copies:
            self.copies[replica_id] = self.acknowledged

    def take_lost(self) -> float:
        """The writes lost since the last tick's report (for this tick's report)."""
        lost, self.lost_pending = self.lost_pending, 0.0
        return lost


def apply_rate(slowest: float) -> float:
    """Writes per second the replicas apply, the slowest completing `slowest` query units a
    second."""
    return catalog.REPLICA_APPLY_SHARE * slowest / catalog.WRITE_UNITS


def backlog_step(backlog: float, write_rps: float, apply_rps: float, dt: float = 1.0) -> float:
    """The replicas' apply backlog after dt: max(0, B + (w - a) * dt)."""
    _check("backlog", backlog)
    _check("write_rps", write_rps)
    _check("apply_rps", apply_rps)
    _check("dt", dt)
    return max(0.0, backlog + (write_rps - apply_rps) * dt)


def unapplied_writes(backlog: float, write_rps: float, ship_delay_s: float) -> float:
    """Writes acknowledged by the primary and not yet applied on a replica: B + w * d (what a
    failover to it loses)."""
    _check("backlog", backlog)
    _check("write_rps", write_rps)
    _check("ship_delay_s", ship_delay_s)
    return backlog + write_rps * ship_delay_s


def replica_lag_s(backlog: float, write_rps: float, apply_rps: float, ship_delay_s: float) -> float:
    """How old a replica's data is: d + B / w (the span of the unapplied writes); with w = 0,
    the time to drain the backlog, d + B / a. Raises ValueError for negative input or a
    backlog with no way to drain (a = 0 and w = 0)."""
    _check("backlog", backlog)
    _check("write_rps", write_rps)
    _check("apply_rps", apply_rps)
    _check("ship_delay_s", ship_delay_s)
    no_span = write_rps == 0.0 or backlog / write_rps == math.inf
    if backlog > 0.0 and no_span and apply_rps == 0.0:
        raise ValueError("a backlog with no writes and no apply rate has no defined lag")
    return _lag(backlog, write_rps, apply_rps, ship_delay_s)


def _lag(backlog: float, write_rps: float, apply_rps: float, ship_delay_s: float) -> float:
    if backlog == 0.0:
        return ship_delay_s
    span = backlog / write_rps if write_rps > 0.0 else math.inf
    if span < math.inf:
        return ship_delay_s + span
    return ship_delay_s + backlog / apply_rps  # no writes to measure the span by: catching up


def _check(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0.0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
