"""Asynchronous replication: the replica's backlog, its lag, and the writes a failover loses.

A replica applies the primary's writes in commit order. Each write first travels for the ship
delay d (catalog.REPLICATION_DELAY_S), then waits in the replica's apply queue, the backlog B,
which the replica drains at its apply rate a (writes/second):

    B' = max(0, B + (w - a) * dt)                       (w: writes the primary took per second)

At any moment the writes the primary acknowledged and the replica has not applied are the
backlog plus the writes still in flight:

    U = B + w * d

A promoted replica is missing exactly those, so a failover loses U writes. The older count,
w * (d + B / a), is the writes taken while the newest one waits to be applied; when writes
outrun the replica (w > a) it overstates the loss by a factor of about w / a.

The same U sets how far behind the replica's data is. The unapplied writes are the newest ones,
so the replica shows the data as of U / w seconds ago:

    lag = U / w = d + B / w                                      (lag = d when w = 0 and B = 0)

A read of a key is stale when the key was written within the last `lag` seconds
(cache.replica_stale_share takes this lag). With no writes coming in (w = 0) the backlog's age
cannot come from the write rate; the replica then catches up in B / a, which bounds the lag.

Rates in writes/second, times in seconds. Standard library only; pure functions.
"""

from __future__ import annotations

import math


def backlog_step(backlog: float, write_rps: float, apply_rps: float, dt: float = 1.0) -> float:
    """The replica's apply backlog after dt: max(0, B + (w - a) * dt)."""
    _check("backlog", backlog)
    _check("write_rps", write_rps)
    _check("apply_rps", apply_rps)
    _check("dt", dt)
    return max(0.0, backlog + (write_rps - apply_rps) * dt)


def unapplied_writes(backlog: float, write_rps: float, ship_delay_s: float) -> float:
    """Writes acknowledged by the primary and not yet applied on the replica: B + w * d.

    This is what a failover to this replica loses.
    """
    _check("backlog", backlog)
    _check("write_rps", write_rps)
    _check("ship_delay_s", ship_delay_s)
    return backlog + write_rps * ship_delay_s


def replica_lag_s(backlog: float, write_rps: float, apply_rps: float, ship_delay_s: float) -> float:
    """How old the replica's data is: d + B / w (the span of the unapplied writes).

    With w = 0 the backlog is drained in B / a, which is then the lag (d + B / a).
    Raises ValueError for negative input or a backlog with no way to drain (a = 0, w = 0).
    """
    _check("backlog", backlog)
    _check("write_rps", write_rps)
    _check("apply_rps", apply_rps)
    _check("ship_delay_s", ship_delay_s)
    if backlog == 0.0:
        return ship_delay_s
    if write_rps > 0.0:
        return ship_delay_s + backlog / write_rps
    if apply_rps > 0.0:
        return ship_delay_s + backlog / apply_rps
    raise ValueError("a backlog with no writes and no apply rate has no defined lag")


def _check(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0.0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
