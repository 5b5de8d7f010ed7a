"""Lost writes and replica lag from the unapplied writes, against a SimPy simulation.

The case: writes at 172/s to a primary whose one async replica (size M) applies 130/s, ship
delay 0.2 s, for 59 s; then the primary dies. It reproduces the issue's figures (the engine's
count 3,313 against ~2,500 unapplied)."""

from __future__ import annotations

import pytest

from game.engine import catalog
from game.engine.replica_lag import backlog_step, replica_lag_s, unapplied_writes

from .des import lost_writes

WRITES, APPLY, DELAY, FAIL_AT = 172.0, 130.0, catalog.REPLICATION_DELAY_S, 59


def _backlog() -> float:
    backlog = 0.0
    for _ in range(FAIL_AT):
        backlog = backlog_step(backlog, WRITES, APPLY)
    return backlog


def test_lost_writes_and_lag_agree_with_a_simulation():
    simulated_lost, simulated_lag = lost_writes(WRITES, APPLY, DELAY, float(FAIL_AT), 20, seed=4)
    backlog = _backlog()
    assert unapplied_writes(backlog, WRITES, DELAY) == pytest.approx(simulated_lost, rel=0.03)
    assert replica_lag_s(backlog, WRITES, APPLY, DELAY) == pytest.approx(simulated_lag, rel=0.03)
    engine_today = WRITES * (DELAY + backlog / APPLY)
    assert engine_today > 1.25 * simulated_lost


def test_unapplied_writes_are_the_backlog_plus_the_writes_in_flight():
    assert unapplied_writes(0.0, 100.0, 0.2) == pytest.approx(20.0)
    assert unapplied_writes(500.0, 100.0, 0.2) == pytest.approx(520.0)
    # the lag is how long the unapplied writes took to arrive
    assert replica_lag_s(500.0, 100.0, 50.0, 0.2) * 100.0 == pytest.approx(520.0)


def test_lag_without_writes_and_bad_input():
    assert replica_lag_s(0.0, 0.0, 10.0, 0.2) == 0.2
    assert replica_lag_s(30.0, 0.0, 10.0, 0.2) == pytest.approx(3.2)
    assert backlog_step(10.0, 0.0, 50.0) == 0.0
    with pytest.raises(ValueError):
        replica_lag_s(5.0, 0.0, 0.0, 0.2)
    with pytest.raises(ValueError):
        unapplied_writes(-1.0, 1.0, 0.2)
