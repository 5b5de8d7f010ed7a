"""Least connections: join the shortest of c separate queues (JSQ), exponential servers.

A least-connections balancer sends each request to the server with the fewest requests, and the
request then waits at that server: it cannot move to another server that frees first. That makes
the tail longer than one shared M/M/c queue (queueing.mmc_response), by about 10% at the p99 for
c = 3, rho = .9 and 20% for c = 4, rho = .75.

The response time follows from what an arrival sees. Joining a queue that holds j requests (the
one in service included), it waits for j exponential services at its own server, so its response
time is Erlang(j + 1, mu): T = sum_j q_j * Erlang(j + 1, mu), where q_j is the share of arrivals
that find the shortest queue at length j (Poisson arrivals see time averages). The model:

- q_0 = 1 - P, where P is the probability that an arrival finds every server busy. P comes from
  the JSQ Markov chain restricted to states where no queue is longer than 2 while a server idles:
  state (I, k) = (idle servers, servers holding 2), the rest holding 1. Arrivals fill an idle
  server (I -> I-1) or, with none idle, turn a server of 1 into one of 2 (k -> k+1); a server of 1
  finishes at rate mu (I -> I+1), a server of 2 at rate mu (k -> k-1). Once every server holds 2
  (I = 0, k = c) the queues are taken as balanced, so the jobs beyond 2c form a birth-death tail
  (lam up, c*mu down) that stays until it drains: its mass is that state's mass / (1 - rho).
- Beyond the first level the shortest queue grows geometrically with ratio r = rho**c (the
  balanced-queue limit, which the exact chain reaches by its third level):
  q_j = P * (1 - r) * r**(j - 1) for j >= 1.

Summing the Erlangs: T = (1 - P) * Exp(mu) + P * (Exp(mu) + Exp(mu * (1 - rho**c))), the same
shape as M/M/c with the Erlang C replaced by P and the wait rate c*mu - lam replaced by
mu*(1 - rho**c) (smaller: the wait is for one server, not the first of c).

Checked against the exact JSQ chain (c = 2..8, rho .5-.95: p95/p99 within 1%) and against
discrete-event simulation up to c = 64 and rho = .97 (within 5%; tests/model/).

The chain is solved by linear level reduction over k with the idle count as phase: only the
arrival at I = 0 moves up a level, so each level needs two tridiagonal solves, O(c) work, and a
solve costs O(c * phases). Rates in requests/second, times in seconds; standard library only.
"""

from __future__ import annotations

import math

from game.engine.latency import Dist
from game.engine.queueing import _check_stable, erlang_c

_NEGLIGIBLE_WAIT = 1e-12  # below this Erlang C, JSQ and M/M/c both hardly ever wait
_FULL_LEVELS = 64  # up to this many servers every level is kept (the balanced tail included)
_SPREAD = 8.0  # counts beyond their mean + this many standard deviations carry no mass


def jsq_wait_probability(c: int, mu: float, lam: float) -> float:
    """P: the share of arrivals that find every one of the c servers busy under JSQ.

    Below Erlang C (a shared queue waits more often, but each wait is shorter). For c = 1 it is
    rho, as in M/M/1. Raises ValueError unless c >= 1, mu > 0 and 0 <= lam < c*mu.
    """
    _check_stable(c, mu, lam)
    if lam == 0.0:
        return 0.0
    if c == 1:
        return lam / mu
    if erlang_c(c, lam / mu) < _NEGLIGIBLE_WAIT:
        return erlang_c(c, lam / mu)
    rho = lam / (c * mu)
    a = lam / mu
    # Cuts that hold no mass: idle servers (mean c*(1 - rho)) and, in pools of more than 64,
    # servers of 2, which drain at mu each and are fed at most at lam * Erlang C.
    idle_cap = min(c, int(c * (1.0 - rho) + _SPREAD * math.sqrt(c) + 8))
    feed = a * erlang_c(c, a)
    top = c if c <= _FULL_LEVELS else min(c, int(feed + _SPREAD * math.sqrt(feed) + 8))
    rows = _row_zero_of_inverses(c, mu, lam, idle_cap, top)
    levels = [_level_zero(c, mu, lam, idle_cap, top, rows)]
    for k in range(1, top + 1):
        levels.append([levels[-1][0] * lam * x for x in rows[k]])
    # the balanced jobs beyond 2c, once every server holds 2
    tail = levels[c][0] * rho / (1.0 - rho) if top == c else 0.0
    total = math.fsum(math.fsum(level) for level in levels) + tail
    idle = math.fsum(math.fsum(level[1:]) for level in levels)
    return min(1.0, max(0.0, 1.0 - idle / total))


def jsq_response(c: int, mu: float, lam: float) -> Dist:
    """Response time (wait + service) of a least-connections pool: c servers, one queue each.

    (1 - P) * Exp(mu) + P * (Exp(mu) + Exp(mu * (1 - rho**c))), P = jsq_wait_probability.
    Raises ValueError unless stable.
    """
    return response(jsq_wait_probability(c, mu, lam), mu, wait_rate(c, mu, lam))


def wait_rate(c: int, mu: float, lam: float) -> float:
    """The rate of a waiting arrival's wait, mu * (1 - rho**c): it waits for one server, whose
    queue grows geometrically with ratio rho**c. A wait exceeds t with probability
    P * exp(-wait_rate * t). Raises ValueError unless stable."""
    _check_stable(c, mu, lam)
    rho = lam / (c * mu)
    return mu * -math.expm1(c * math.log(rho)) if rho > 0 else mu


def response(waits: float, mu: float, theta: float) -> Dist:
    """(1 - waits) * Exp(mu) + waits * (Exp(mu) + Exp(theta))."""
    return Dist(((1.0 - waits, 0.0, (mu,)), (waits, 0.0, tuple(sorted((mu, theta))))))


def _level(c: int, mu: float, lam: float, k: int, idle_cap: int, top: int):
    """-Q restricted to level k (phases I = 0..min(c-k, idle_cap)): (sub, diag, sup) of a
    tridiagonal matrix; sub[i] is the entry (i+1, i), sup[i] the entry (i, i+1). Level `top`
    is the last: an arrival there with no idle server stays in it (at top = c it joins the
    balanced tail)."""
    n = min(c - k, idle_cap) + 1
    diag = []
    for idle in range(n):
        out = mu * (c - k - idle) + mu * k  # a server of 1 or of 2 finishes
        if idle > 0 or k < top:
            out += lam
        if idle == n - 1 and n - 1 < c - k:
            out -= mu * (c - k - idle)  # the cut: no move beyond the last kept phase
        diag.append(out)
    sup = [-mu * (c - k - idle) for idle in range(n - 1)]
    sub = [-lam] * (n - 1)
    return sub, diag, sup


def _solve_left(sub: list[float], diag: list[float], sup: list[float], b: list[float]):
    """x with x @ T = b for the tridiagonal T (the Thomas algorithm on T transposed)."""
    n = len(diag)
    lower = [0.0] + sup  # T transposed: entry (i, i-1) is sup[i-1]
    upper = sub + [0.0]  # entry (i, i+1) is sub[i]
    cp = [0.0] * n
    dp = [0.0] * n
    cp[0] = upper[0] / diag[0]
    dp[0] = b[0] / diag[0]
    for i in range(1, n):
        m = diag[i] - lower[i] * cp[i - 1]
        cp[i] = upper[i] / m
        dp[i] = (b[i] - lower[i] * dp[i - 1]) / m
    x = [0.0] * n
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return x


def _row_zero_of_inverses(
    c: int, mu: float, lam: float, idle_cap: int, top: int
) -> list[list[float]]:
    """Per level k >= 1: row 0 of (-(D_k + R_{k+1} A_{k+1}))^-1, top level first.

    The stationary vector satisfies pi_k = pi_{k-1}[0] * lam * rows[k]. The correction from the
    level above touches only row 0 (arrivals move up from I = 0 only), so Sherman-Morrison turns
    each inverse row into two tridiagonal solves.
    """
    rows: list[list[float]] = [[] for _ in range(top + 1)]
    feedback: list[float] | None = None
    for k in range(top, 0, -1):
        sub, diag, sup = _level(c, mu, lam, k, idle_cap, top)
        n = len(diag)
        y = _solve_left(sub, diag, sup, [1.0] + [0.0] * (n - 1))
        if feedback is None:
            rows[k] = y
        else:
            v = (feedback + [0.0] * n)[:n]
            z = _solve_left(sub, diag, sup, v)
            rows[k] = [yi + y[0] * zi / (1.0 - z[0]) for yi, zi in zip(y, z)]
        # a server of 2 finishing (rate mu*k) keeps the idle count: phase I -> I one level down
        feedback = [lam * mu * k * x for x in rows[k]]
    return rows


def _level_zero(c: int, mu: float, lam: float, idle_cap: int, top: int, rows: list[list[float]]):
    """pi_0 up to scale: pi_0 @ (T_0 - e_0 v) = 0 gives pi_0 = pi_0[0] * (v @ T_0^-1)."""
    sub, diag, sup = _level(c, mu, lam, 0, idle_cap, top)
    n = len(diag)
    v = [lam * mu * x for x in rows[1]] if top >= 1 else []
    v = (v + [0.0] * n)[:n]
    return _solve_left(sub, diag, sup, v)
