"""The same cases in Ciw, a second discrete-event simulator, to cross-check des.py (test-only).

Ciw is an independent, well-used queueing-network simulator: its reneging and its
least-connections routing (`ciw.routing.LoadBalancing`, which counts the customer in service)
are its own code, not ours. Each function seeds Ciw, runs the case and returns what it measured.
"""

from __future__ import annotations

import statistics

import ciw


def jsq_samples(c: int, mu: float, lam: float, customers: int, seed: int, warm: int):
    """Least connections over c exponential servers, one FIFO queue each: a dispatcher node
    with no service time sends each arrival to the server holding the fewest (ties to the
    lowest). For the customers after the first `warm`, in arrival order: their response times
    and whether each waited (1.0) or found its server idle (0.0)."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(lam)] + [None] * c,
        service_distributions=[ciw.dists.Deterministic(0.0)] + [ciw.dists.Exponential(mu)] * c,
        number_of_servers=[float("inf")] + [1] * c,
        routing=ciw.routing.NetworkRouting(
            routers=[ciw.routing.LoadBalancing(list(range(2, c + 2)), tie_break="order")]
            + [ciw.routing.Leave()] * c
        ),
    )
    ciw.seed(seed)
    run = ciw.Simulation(network)
    run.simulate_until_max_customers(customers + warm, method="Finish")
    served = sorted(
        (r for r in run.get_all_records() if r.node > 1 and r.record_type == "service"),
        key=lambda r: r.arrival_date,
    )[warm:]
    times = [r.exit_date - r.arrival_date for r in served]
    return times, [1.0 if r.waiting_time > 0 else 0.0 for r in served]


def batch_mean(values: list[float], batches: int = 20) -> tuple[float, float]:
    """The mean of correlated samples and its standard error, by batch means."""
    size = len(values) // batches
    means = [statistics.fmean(values[i * size : (i + 1) * size]) for i in range(batches)]
    return statistics.fmean(means), statistics.stdev(means) / batches**0.5


def overload_runs(c, mu, rates, timeout_s, probes, runs, seed):
    """One shared FIFO queue in front of c servers; a customer who has not started service
    `timeout_s` after arriving reneges then. `rates[i]` is the arrival rate in second i.
    Returns per probe time the mean number waiting and the mean reneged by then, and the mean
    total reneged, over `runs` runs."""
    horizon = float(len(rates))
    endpoints = [float(i + 1) for i in range(len(rates))]
    waiting = [0.0] * len(probes)
    gone = [0.0] * len(probes)
    total = 0.0
    for run_index in range(runs):
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.PoissonIntervals(rates, endpoints, horizon)],
            service_distributions=[ciw.dists.Exponential(mu)],
            number_of_servers=[c],
            reneging_time_distributions=[ciw.dists.Deterministic(timeout_s)],
        )
        ciw.seed(seed + run_index)
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(horizon + timeout_s + 60.0)
        records = sim.get_all_records()
        for k, t in enumerate(probes):
            for r in records:
                if r.arrival_date <= t:
                    left_queue = r.service_start_date if r.record_type == "service" else r.exit_date
                    if left_queue > t:
                        waiting[k] += 1
                    elif r.record_type == "renege":
                        gone[k] += 1
        total += sum(1 for r in records if r.record_type == "renege")
    return [w / runs for w in waiting], [g / runs for g in gone], total / runs
