"""The long versions of the model checks (millions of requests), not run by the test suite.

    python -m tests.model.heavy

prints, per case, the simulation, the engine's model and what the engine computed before
(tests/model/before.py).
"""

from __future__ import annotations

from game.engine import cache, catalog, queueing
from game.engine.jsq import jsq_response
from game.engine.overload import queue_step

from . import before
from .des import invalidation_race, jsq_response_times, overload_runs, quantile


def jsq_cases() -> None:
    for c, rho, n in (
        (3, 0.9, 3_000_000),
        (4, 0.75, 2_000_000),
        (16, 0.97, 3_000_000),
        (64, 0.9, 1_000_000),
    ):
        lam = rho * c * 100.0
        times = jsq_response_times(c, 100.0, lam, n, seed=13)
        model, shared = jsq_response(c, 100.0, lam), queueing.mmc_response(c, 100.0, lam)
        for q in (0.95, 0.99):
            simulated = quantile(times, q) * 1e3
            print(
                f"jsq c={c} rho={rho} p{round(q * 100)}: simulated {simulated:.2f} ms,"
                f" model {model.percentile(q) * 1e3:.2f}, before {shared.percentile(q) * 1e3:.2f}",
                flush=True,
            )


def overload_case() -> None:
    queue, dropped, total, latency = overload_runs(
        2, 100.0, lambda t: 260.0 if t < 20 else 150.0, 40.0, 2.0, (10.0, 20.0), 120, seed=21
    )
    cohorts, drops10, drops = (), 0.0, 0.0
    for t in range(40):
        step = queue_step(cohorts, 260.0 if t < 20 else 150.0, 2, 100.0, 2.0)
        cohorts = step.cohorts
        drops += step.dropped
        drops10 += step.dropped if t < 10 else 0.0
    print(
        f"overload: simulated queue {queue}, drops by t=10 {dropped[0]:.1f}, total {total:.1f},"
        f" mean latency {latency:.3f} s; model drops by t=10 {drops10:.1f}, total {drops:.1f}",
        flush=True,
    )


def race_case() -> None:
    one = cache.zipf_popularity(1, 0.0)
    stale, hits, reads = invalidation_race(
        2.5, 0.1, catalog.INVALIDATION_RACE_S, 300.0, 2_000_000.0, seed=3
    )
    model = cache.stale_share(one, 2.5, 300.0, 0.1, True, catalog.INVALIDATION_RACE_S)
    today = before.race_stale_share(one, 2.5, 300.0, 0.1, catalog.INVALIDATION_RACE_S)
    print(
        f"race: simulated {stale / hits:.5f} of hits ({stale / reads:.5f} of reads),"
        f" model {model:.5f}, before {today:.5f}",
        flush=True,
    )


if __name__ == "__main__":
    race_case()
    overload_case()
    jsq_cases()
