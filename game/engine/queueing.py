"""One tier: c identical servers, each serving mu req/s, offered lam req/s (model.md section 1).

Stable tiers (lam < c*mu) use steady-state formulas; these raise ValueError outside that domain,
because a steady state does not exist there. An overloaded tier has no steady state: its queue
is carried tick to tick as cohorts of arrivals (overload.py). Least connections (join the
shortest queue) is in jsq.py.

Times are in seconds, rates in requests/second.
"""

from __future__ import annotations

import math

from game.engine.latency import Dist


def _check_stable(c: int, mu: float, lam: float) -> None:
    if c < 1:
        raise ValueError(f"a tier needs at least one server, got c={c!r}")
    if not (math.isfinite(mu) and mu > 0.0):
        raise ValueError(f"service rate must be finite and > 0, got mu={mu!r}")
    if not (math.isfinite(lam) and lam >= 0.0):
        raise ValueError(f"arrival rate must be finite and >= 0, got lam={lam!r}")
    if lam >= c * mu:
        raise ValueError(
            f"no steady state at utilisation {lam / (c * mu):.3f} >= 1 (lam={lam}, c={c}, mu={mu}):"
            " carry its queue (overload.queue_step)"
        )


def erlang_c(c: int, a: float) -> float:
    """P(an arrival waits) in M/M/c with offered load a = lam/mu < c.

    Built from the Erlang B recursion, which needs no factorials and stays stable for
    thousands of servers. Raises ValueError unless c >= 1 and 0 <= a < c.
    """
    if c < 1:
        raise ValueError(f"a tier needs at least one server, got c={c!r}")
    if not (math.isfinite(a) and 0.0 <= a < c):
        raise ValueError(f"Erlang C needs 0 <= a < c, got a={a!r}, c={c}")
    blocking = 1.0
    for k in range(1, c + 1):
        blocking = a * blocking / (k + a * blocking)
    rho = a / c
    return blocking / (1.0 - rho * (1.0 - blocking))


def mmc_response(c: int, mu: float, lam: float) -> Dist:
    """Response time (wait + service) of one shared queue in front of c servers.

    No wait with probability 1-C, else Exp(theta) wait plus Exp(mu) service, theta = c*mu - lam.
    Raises ValueError unless the tier is stable.
    """
    _check_stable(c, mu, lam)
    waits = erlang_c(c, lam / mu)
    theta = c * mu - lam
    return Dist(((1.0 - waits, 0.0, (mu,)), (waits, 0.0, tuple(sorted((mu, theta))))))


def round_robin_sigma(c: int, mu: float, lam: float) -> float:
    """The root sigma in (0, 1) of sigma = (lam / (lam + mu*(1 - sigma)))**c.

    Strict round-robin hands each server every c-th arrival, so a server sees Erlang-c arrivals
    at rate lam/c: a GI/M/1 queue whose wait depends on sigma. Raises ValueError unless stable.
    """
    return 1.0 - _round_robin_escape(c, mu, lam)


def _round_robin_escape(c: int, mu: float, lam: float) -> float:
    """x = 1 - sigma, found by bisection on h(x)/x where h(x) = (1 - x) - (1 + mu*x/lam)**-c.

    x = 0 is always a root of h (a double root as utilisation -> 1); dividing it out leaves a
    function that is positive near 0 and negative at 1, with the wanted root as its only sign
    change. expm1/log1p keep h accurate for tiny x, so this holds at rho -> 1 and c ~ 1000.
    """
    _check_stable(c, mu, lam)
    if lam == 0.0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        h = -mid - math.expm1(-c * math.log1p(mu * mid / lam))
        if h > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return 0.5 * (lo + hi)


def round_robin_response(c: int, mu: float, lam: float) -> Dist:
    """Response time behind a strict round-robin balancer: Exp(mu*(1 - sigma)).

    For c = 1 this is M/M/1, Exp(mu - lam). Raises ValueError unless stable.
    """
    return Dist.exponential(mu * _round_robin_escape(c, mu, lam))


def random_split_response(c: int, mu: float, lam: float) -> Dist:
    """Response time behind a random balancer: c separate M/M/1 queues, Exp(mu - lam/c).

    Raises ValueError unless stable.
    """
    _check_stable(c, mu, lam)
    return Dist.exponential(mu - lam / c)
