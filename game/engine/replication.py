"""Relational replication from tick to tick: replica lag, promotions, writes lost in a failover.

Writes go to the primary and the replicas apply them after it (model.md section 4). What they
have not applied yet is a backlog carried between ticks:

    B' = max(0, B + write rate - apply rate)      lag = ship delay + B / apply rate

When the primary dies and a replica is healthy, that replica is promoted after the failover
time, and the writes it had not applied are lost. A player may promote a replica sooner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from game.engine import catalog
from game.engine.topology import Node


@dataclass(slots=True)
class Promotion:
    """A replica being made primary: writes fail until `until`."""

    until: int
    candidate: str  # replica id; empty: the oldest healthy one (replicas share one lag here)


@dataclass(slots=True)
class Replication:
    """What replication hands from one tick to the next."""

    backlog: float = 0.0  # writes the replicas have not applied yet
    write_rate: float = 0.0  # writes per second the primary completed in the last tick
    promotion: Promotion | None = None  # under way: writes fail until it completes
    lost_pending: float = 0.0  # writes lost in a failover, reported with the tick it began in

    def lag_s(self, replicas: Iterable[Node]) -> float:
        """One tick of replication at the last write rate; the replicas' lag after it."""
        rate = apply_rate(replicas)
        self.backlog = max(0.0, self.backlog + self.write_rate - rate)
        return catalog.REPLICATION_DELAY_S + self.backlog / rate

    def fail_over(self, t: int, healthy_replicas: Iterable[Node]) -> float:
        """The primary died at `t` with healthy replicas: one is promoted after the failover
        time, and the writes it had not applied are lost. Returns how many."""
        lag = catalog.REPLICATION_DELAY_S + self.backlog / apply_rate(healthy_replicas)
        lost = self.write_rate * lag
        self.promotion = Promotion(t + catalog.FAILOVER_TICKS, "")
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
            self.promotion = Promotion(until, candidate)

    def completing(self, t: int) -> Promotion | None:
        """The promotion that completes at `t`, no longer under way; None if there is none."""
        promotion = self.promotion
        if promotion is None or t < promotion.until:
            return None
        self.promotion = None
        return promotion

    def restart(self) -> None:
        """The replicas start level with the primary: a new primary, or a migrated store."""
        self.backlog = 0.0

    def take_lost(self) -> float:
        """The writes lost since the last tick's report (for this tick's report)."""
        lost, self.lost_pending = self.lost_pending, 0.0
        return lost


def apply_rate(replicas: Iterable[Node]) -> float:
    """Writes per second the slowest of these replicas applies."""
    slowest = min(r.spec.capacity for r in replicas)
    return catalog.REPLICA_APPLY_SHARE * slowest / catalog.WRITE_UNITS
