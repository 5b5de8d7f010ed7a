"""The join-the-shortest-queue Markov chain solved exactly (numpy; test-only).

State: the sorted queue lengths of c exponential servers (the one in service counted), levels
by the total number of requests. Arrivals join a shortest queue, each busy server finishes at
rate mu. The chain is cut at `levels` requests and at a spread of `spread` between the longest
and the shortest queue (both hold no mass at the cuts used here: moving them changes nothing
in the fourth digit). Solved by linear level reduction; returns the share of arrivals that find
the shortest queue at each length (Poisson arrivals see time averages).
"""

from __future__ import annotations

import math

import numpy as np


def _states(c: int, total: int, spread: int) -> list[tuple[int, ...]]:
    found: list[tuple[int, ...]] = []

    def grow(prefix: list[int], left: int, slots: int, low: int) -> None:
        if slots == 0:
            if left == 0:
                found.append(tuple(prefix))
            return
        for x in range(low, left + 1):
            if prefix and x - prefix[0] > spread or x * slots > left:
                break
            grow(prefix + [x], left - x, slots - 1, x)

    grow([], total, c, 0)
    return found


def shortest_queue_seen(c: int, rho: float, levels: int, spread: int) -> dict[int, float]:
    mu, lam = 1.0, rho * c
    states = [_states(c, n, spread) for n in range(levels + 1)]
    index = [{s: i for i, s in enumerate(level)} for level in states]
    up, down, diag = [], [], []
    for n, level in enumerate(states):
        u = np.zeros((len(level), len(states[n + 1]))) if n < levels else None
        d = np.zeros((len(level), len(states[n - 1]))) if n > 0 else None
        out = np.zeros(len(level))
        for i, s in enumerate(level):
            if n < levels:
                t = list(s)
                t[0] += 1
                j = index[n + 1].get(tuple(sorted(t)))
                if j is not None:
                    u[i, j] += lam
                    out[i] += lam
            for k in range(c):
                if n > 0 and s[k] > 0:
                    t = list(s)
                    t[k] -= 1
                    j = index[n - 1].get(tuple(sorted(t)))
                    if j is not None:
                        d[i, j] += mu
                        out[i] += mu
        up.append(u)
        down.append(d)
        diag.append(np.diag(-out))
    rates = [None] * (levels + 1)
    m = diag[levels]
    for n in range(levels, 0, -1):
        rates[n] = -up[n - 1] @ np.linalg.inv(m)
        m = diag[n - 1] + rates[n] @ down[n]
    system = np.vstack([m.T, np.ones(m.shape[0])])
    rhs = np.zeros(m.shape[0] + 1)
    rhs[-1] = 1.0
    pis = [np.linalg.lstsq(system, rhs, rcond=None)[0]]
    for n in range(1, levels + 1):
        pis.append(pis[-1] @ rates[n])
    total = sum(p.sum() for p in pis)
    seen: dict[int, float] = {}
    for n, level in enumerate(states):
        for i, s in enumerate(level):
            seen[s[0]] = seen.get(s[0], 0.0) + pis[n][i] / total
    return seen


def response_percentile(seen: dict[int, float], mu: float, q: float) -> float:
    """T = sum_j seen[j] * Erlang(j + 1, mu): its q-quantile by bisection."""

    def survival(t: float) -> float:
        total = 0.0
        for j, w in seen.items():
            term = head = 1.0
            for i in range(1, j + 1):
                term *= mu * t / i
                head += term
            total += w * math.exp(-mu * t) * head
        return total

    lo, hi = 0.0, 1.0 / mu
    while survival(hi) > 1 - q:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if survival(mid) > 1 - q else (lo, mid)
    return hi
