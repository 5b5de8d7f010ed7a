"""Latency distributions of request paths (the histogram that sums them is in histogram.py).

A latency is a finite mixture of components, each "a constant shift plus a sum of independent
exponential phases". The family is closed under sums of independent latencies (convolution)
and under mixtures, and it holds M/M/c response times exactly, so a path through several tiers
stays analytic: no sampling, and 10 or 10 million requests cost the same.

Times are in seconds, rates in 1/s.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

Component = tuple[float, float, tuple[float, ...]]
"""(weight, shift_s, rates): the latency shift_s + Exp(rates[0]) + Exp(rates[1]) + ..."""

MAX_COMPONENTS = 48
"""Upper bound on a Dist's components, so a path's cost per tick stays O(1).

Beyond it, the two components with equal rates whose merge moves the least probability
(smallest w1*w2/(w1+w2) * (shift1-shift2)**2) become one at their weight-averaged shift, which
keeps the mean exact. Only if no two components share their rates is the lightest one dropped.
"""

MIN_WEIGHT = 1e-12
"""Components lighter than this are dropped: they cannot move any percentile we report."""

RATE_CLUSTER_TOLERANCE = 1e-4
"""Rates closer than this (relatively) are treated as one Erlang block in the CDF.

The closed form for distinct rates divides by rate gaps and loses about 1e-16/gap**(phases-1)
to cancellation, while replacing a cluster of relative spread e by an Erlang block of the same
mean changes the CDF by O(e**2) (about 3e-10 for a pair at this tolerance). The tolerance widens
for a sum whose coefficients would still be too large (see _hypoexponential_terms). Measured
worst CDF error against exact arithmetic, over chains of near-equal rates of any spacing:
3e-10 for 2, 1e-8 for 3, 2e-7 for 4, 2e-6 for 5, 2e-5 for 6 (exactly equal rates: ~1e-15).
"""

_MAX_COEFFICIENT_SUM = 1e10
"""Partial-fraction coefficients up to this size cost at most ~1e-6 of CDF to rounding."""

# A term (coefficient, rate, k) contributes coefficient * P(Erlang(k, rate) > x) to a survival.
_Term = tuple[float, float, int]


@dataclass(frozen=True, slots=True)
class Dist:
    """A latency distribution: a mixture of shifted sums of exponential phases.

    The constructor canonicalises its input (weights normalised to 1, rates sorted, components
    with equal shift and rates merged, weights below MIN_WEIGHT dropped, at most MAX_COMPONENTS
    kept, a stable order), so equal distributions built the same way compare and hash equal and
    can key a cache.
    """

    components: tuple[Component, ...]
    _hash: int = field(init=False, repr=False, compare=False)
    _compiled: tuple[tuple[float, float, tuple[_Term, ...]], ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        components = _canonical(self.components)
        object.__setattr__(self, "components", components)
        object.__setattr__(self, "_hash", hash(components))

    def __hash__(self) -> int:
        return self._hash

    @staticmethod
    def point(shift_s: float) -> Dist:
        """A constant latency, such as a network round trip."""
        return Dist(((1.0, shift_s, ()),))

    @staticmethod
    def exponential(rate: float) -> Dist:
        return Dist(((1.0, 0.0, (rate,)),))

    @staticmethod
    def mixture(parts: Iterable[tuple[float, Dist]]) -> Dist:
        """Requests that take part i with probability proportional to its weight."""
        components: list[Component] = []
        for weight, dist in parts:
            if not (math.isfinite(weight) and weight >= 0.0):
                raise ValueError(f"mixture weight must be finite and >= 0, got {weight!r}")
            if weight > 0.0:
                components.extend((weight * w, s, rates) for w, s, rates in dist.components)
        return Dist(tuple(components))

    def convolve(self, other: Dist) -> Dist:
        """The latency of crossing both: the sum of two independent latencies."""
        return Dist(
            tuple(
                (w1 * w2, s1 + s2, r1 + r2)
                for w1, s1, r1 in self.components
                for w2, s2, r2 in other.components
            )
        )

    def shifted(self, s: float) -> Dist:
        """Every request s seconds later (a network round trip on top of a tier)."""
        return Dist(tuple((w, shift + s, rates) for w, shift, rates in self.components))

    def mean(self) -> float:
        return math.fsum(w * (s + sum(1.0 / r for r in rates)) for w, s, rates in self.components)

    def cdf(self, t: float) -> float:
        return min(1.0, max(0.0, 1.0 - self._survival(t)))

    def percentile(self, q: float) -> float:
        """The latency below which a share q of requests fall, in seconds (bisection on cdf)."""
        if not 0.0 < q < 1.0:
            raise ValueError(f"percentile needs 0 < q < 1, got {q!r}")
        lo = min(s for _, s, _ in self.components)
        hi = max(
            s + (_erlang_tail(len(rates), 1.0 - q) / rates[0] if rates else 0.0)
            for _, s, rates in self.components
        )
        while self._survival(hi) > 1.0 - q:
            hi = 2.0 * hi if hi > 0.0 else 1e-9
        while hi - lo > 1e-12 + 1e-10 * hi:
            mid = 0.5 * (lo + hi)
            if self._survival(mid) > 1.0 - q:
                lo = mid
            else:
                hi = mid
        return hi

    def _survival(self, t: float) -> float:
        """P(latency > t), computed directly so that tail probabilities keep their precision."""
        total = 0.0
        for shift, weight, terms in self._terms():
            x = t - shift
            if x < 0.0:
                total += weight
            else:
                for coefficient, rate, k in terms:
                    total += coefficient * _erlang_survival(k, rate * x)
        return min(1.0, max(0.0, total))

    def survival_at(self, times: list[float]) -> list[float]:
        """P(latency > t) for many ascending t at once (the histogram's bucket edges).

        Not clamped: sums may stray from [0, 1] by rounding (~1e-16).
        """
        exp = math.exp
        totals = [0.0] * len(times)
        for shift, weight, terms in self._terms():
            first = bisect_right(times, shift)  # from here on t > shift
            if first:
                totals[:first] = [s + weight for s in totals[:first]]
            if not terms:
                continue
            elapsed = [t - shift for t in times[first:]]
            tail = totals[first:]
            for coefficient, rate, k in terms:
                if k == 1:
                    tail = [s + coefficient * exp(-rate * x) for s, x in zip(tail, elapsed)]
                elif k == 2:
                    tail = [
                        s + coefficient * (1.0 + rate * x) * exp(-rate * x)
                        for s, x in zip(tail, elapsed)
                    ]
                else:
                    tail = [
                        s + coefficient * _erlang_survival(k, rate * x)
                        for s, x in zip(tail, elapsed)
                    ]
            totals[first:] = tail
        return totals

    def span(self, epsilon: float) -> tuple[float, float]:
        """Times that bound where the CDF lies in [epsilon, 1 - epsilon]: below the first, at
        most epsilon of the requests; above the second, at most epsilon."""
        start = math.inf
        end = 0.0
        bounds: dict[int, tuple[float, float]] = {}  # phase count -> (head, tail) of Erlang(n, 1)
        for _, shift, rates in self.components:
            n = len(rates)
            if n == 0:
                start, end = min(start, shift), max(end, shift)
                continue
            if n not in bounds:
                bounds[n] = (_erlang_head(n, epsilon), _erlang_tail(n, epsilon))
            head, tail = bounds[n]
            start = min(start, shift + head / rates[-1])
            end = max(end, shift + tail / rates[0])
        return start, end

    def _terms(self) -> tuple[tuple[float, float, tuple[_Term, ...]], ...]:
        """The survival as (shift, weight, terms) per distinct shift, built on first use and kept.

        Below its shift a group contributes its weight; above, the sum of its terms, whose
        coefficients already carry the weights. Components that share a shift (every path with
        the same round trip) share their exponentials: a web -> db path needs 4, not 12.
        """
        compiled = self._compiled
        if compiled is None:
            by_rates: dict[tuple[float, ...], tuple[_Term, ...]] = {}
            groups: dict[float, tuple[float, dict[tuple[float, int], float]]] = {}
            for weight, shift, rates in self.components:
                if rates not in by_rates:
                    by_rates[rates] = _hypoexponential_terms(rates)
                group_weight, coefficients = groups.get(shift, (0.0, {}))
                groups[shift] = (group_weight + weight, coefficients)
                for coefficient, rate, k in by_rates[rates]:
                    coefficients[rate, k] = coefficients.get((rate, k), 0.0) + weight * coefficient
            compiled = tuple(
                (shift, weight, tuple((c, rate, k) for (rate, k), c in coefficients.items()))
                for shift, (weight, coefficients) in groups.items()
            )
            object.__setattr__(self, "_compiled", compiled)
        return compiled


def _canonical(components: Iterable[Component]) -> tuple[Component, ...]:
    merged: dict[tuple[float, tuple[float, ...]], float] = {}
    for weight, shift, rates in components:
        if not 0.0 <= weight < math.inf:
            raise ValueError(f"component weight must be finite and >= 0, got {weight!r}")
        if not 0.0 <= shift < math.inf:
            raise ValueError(f"component shift must be finite and >= 0 seconds, got {shift!r}")
        if rates and not (min(rates) > 0.0 and math.isfinite(sum(rates))):
            raise ValueError(f"phase rates must be finite and > 0, got {rates!r}")
        if weight > 0.0:
            key = (shift, tuple(sorted(rates)))
            merged[key] = merged.get(key, 0.0) + weight
    total = math.fsum(merged.values())
    if total <= 0.0:
        raise ValueError("a distribution needs components of positive total weight")
    kept = [
        (w / total, shift, rates) for (shift, rates), w in merged.items() if w / total >= MIN_WEIGHT
    ]
    if len(kept) > MAX_COMPONENTS:
        kept = _reduce(kept)
    if len(kept) < len(merged):
        total = math.fsum(w for w, _, _ in kept)
        kept = [(w / total, shift, rates) for w, shift, rates in kept]
    kept.sort(key=lambda c: (c[1], c[2]))  # by shift, then rates
    return tuple(kept)


def _reduce(kept: list[Component]) -> list[Component]:
    """Cut components down to MAX_COMPONENTS (see there for how)."""
    kept = sorted(kept, key=lambda c: (c[2], c[1]))  # same rates adjacent, by shift
    while len(kept) > MAX_COMPONENTS:
        best = -1
        best_cost = math.inf
        for i in range(len(kept) - 1):
            w_a, shift_a, rates_a = kept[i]
            w_b, shift_b, rates_b = kept[i + 1]
            if rates_a == rates_b:
                cost = w_a * w_b / (w_a + w_b) * (shift_b - shift_a) ** 2
                if cost < best_cost:
                    best, best_cost = i, cost
        if best < 0:
            del kept[min(range(len(kept)), key=lambda i: kept[i][0])]
            continue
        w_a, shift_a, rates = kept[best]
        w_b, shift_b, _ = kept[best + 1]
        merged_shift = (w_a * shift_a + w_b * shift_b) / (w_a + w_b)
        kept[best : best + 2] = [(w_a + w_b, merged_shift, rates)]
    return kept


def _rate_blocks(rates: tuple[float, ...], tolerance: float) -> list[tuple[float, int]]:
    """Sorted rates as (rate, multiplicity) Erlang blocks, rates closer than tolerance joined.

    A joined block keeps the mean of its phases: its rate is multiplicity / sum(1/rate).
    """
    clusters: list[list[float]] = []
    for rate in rates:
        if clusters and rate <= clusters[-1][-1] * (1.0 + tolerance):
            clusters[-1].append(rate)
        else:
            clusters.append([rate])
    return [
        (c[0], 1) if len(c) == 1 else (len(c) / math.fsum(1.0 / r for r in c), len(c))
        for c in clusters
    ]


def _hypoexponential_terms(rates: tuple[float, ...]) -> tuple[_Term, ...]:
    """P(sum of Exp(rates) > x) as sum_i sum_k A_ik * P(Erlang(k, rate_i) > x).

    The coefficients come from partial fractions, which divide by rate gaps; rounding then costs
    about 1e-16 * sum|A_ik|. Near-equal rates are therefore joined into Erlang blocks, starting at
    RATE_CLUSTER_TOLERANCE and widening the tolerance while the coefficients are too large.
    """
    tolerance = RATE_CLUSTER_TOLERANCE
    while True:
        terms = _partial_fractions(_rate_blocks(rates, tolerance))
        if tolerance >= 0.1 or math.fsum(abs(a) for a, _, _ in terms) <= _MAX_COEFFICIENT_SUM:
            return terms
        tolerance *= 2.0


def _partial_fractions(blocks: list[tuple[float, int]]) -> tuple[_Term, ...]:
    """Terms for a sum of Erlang blocks (rate_i, m_i) with distinct rates.

    Partial fractions of the Laplace transform prod_i (r_i/(r_i+s))^m_i, so equal rates need no
    special case: A_ik = prod_{j!=i} (r_j/(r_j-r_i))^m_j times the coefficient of w^(m_i-k) in
    the power series prod_{j!=i} (1 + w*r_i/(r_j-r_i))^(-m_j).
    """
    if all(m == 1 for _, m in blocks):  # distinct rates: A_i = prod_{j!=i} r_j/(r_j-r_i)
        return tuple(
            (math.prod(r_j / (r_j - r_i) for r_j, _ in blocks if r_j != r_i), r_i, 1)
            for r_i, _ in blocks
        )
    terms: list[_Term] = []
    for i, (rate_i, m_i) in enumerate(blocks):
        scale = 1.0
        series = [1.0] + [0.0] * (m_i - 1)
        for j, (rate_j, m_j) in enumerate(blocks):
            if j == i:
                continue
            gap = rate_j - rate_i
            scale *= (rate_j / gap) ** m_j
            ratio = rate_i / gap
            for _ in range(m_j):  # series /= (1 + ratio*w), truncated to degree m_i - 1
                for n in range(1, m_i):
                    series[n] -= ratio * series[n - 1]
        for k in range(1, m_i + 1):
            coefficient = scale * series[m_i - k]
            if coefficient != 0.0:
                terms.append((coefficient, rate_i, k))
    return tuple(terms)


def _poisson_head(k: int, x: float) -> float:
    """sum_{j<k} x^j/j!"""
    term = 1.0
    total = 1.0
    for j in range(1, k):
        term *= x / j
        total += term
    return total


def _erlang_survival(k: int, x: float) -> float:
    """P(Erlang(k, 1) > x): fewer than k Poisson events by time x."""
    return math.exp(-x) * _poisson_head(k, x)


def _erlang_tail(n: int, epsilon: float) -> float:
    """x with P(Erlang(n, 1) > x) about <= epsilon: x = ln(1/eps) + ln(sum_{j<n} x^j/j!).

    A sum of n phases is stochastically below Erlang(n, its smallest rate), so x / min rate
    bounds its tail. A few fixed-point steps from ln(1/eps) suffice.
    """
    log_inverse = -math.log(epsilon)
    x = log_inverse
    for _ in range(8 if n > 1 else 0):
        x = log_inverse + math.log(_poisson_head(n, x))
    return x


def _erlang_head(n: int, epsilon: float) -> float:
    """x with P(Erlang(n, 1) <= x) <= epsilon, from that CDF being below x^n / n!.

    A sum of n phases is stochastically above Erlang(n, its largest rate), so x / max rate
    bounds its head.
    """
    return (epsilon * math.factorial(n)) ** (1.0 / n)
