"""Endless runs: traffic that grows until the error budget is spent, scored by the peak served."""

from __future__ import annotations

from collections import deque

import pytest

from game.engine import catalog
from game.engine.actions import Action
from game.engine.endless import Endless, seed_of_day, surprise_spikes
from game.engine.scenario import Component, Scenario
from game.engine.scoring import Goal, Objectives
from game.engine.simulation import Simulation, run
from game.engine.summary import summarize
from game.engine.traffic import Traffic

ENDLESS = Endless(objective=0.99, window=120, latency_ms=300, doubling_ticks=120)


def endless_scenario(**changes) -> Scenario:
    fields = dict(
        id="endless",
        title="Endless",
        duration=catalog.MAX_TICKS,
        start=(Component("balancer"), Component("web"), Component("web"), Component("primary")),
        traffic=Traffic(points=((0, 40.0),)),
        endless=ENDLESS,
        objectives=Objectives((Goal("peak_rps", 100, 200, 400),)),
    )
    fields.update(changes)
    return Scenario(**fields)


def stepped(scenario: Scenario, seed: int | None = None, actions=()):
    """Every tick's report of a run stepped by hand, and the simulation at its end."""
    sim = Simulation(scenario, seed)
    plan = {}
    for a in actions:
        plan.setdefault(a.tick, []).append(a)
    reports = []
    while not sim.done:
        for a in plan.get(sim.tick, ()):
            sim.apply(a)
        reports.append(sim.step())
    return sim, reports


def test_the_run_ends_at_the_first_tick_that_overspends_the_budget():
    sim, reports = stepped(endless_scenario())
    assert sim.tick < catalog.MAX_TICKS
    finished = deque(maxlen=ENDLESS.window)
    over = []
    for r in reports:
        finished.append((r.served + r.failed_total, r.failed_total))
        done, failed = sum(f for f, _ in finished), sum(f for _, f in finished)
        window_done = done * ENDLESS.window / len(finished)  # a short run stands for the window
        over.append(failed > (1 - ENDLESS.objective) * window_done)
    assert over[-1] and not any(over[:-1])
    assert sim.budget is not None and sim.budget.left == 0.0


def test_an_ordinary_level_is_not_cut_short_by_failing():
    overloaded = Traffic(points=((0, 40.0), (900, 2000.0)))
    ordinary = endless_scenario(
        endless=None, objectives=Objectives(()), duration=900, traffic=overloaded
    )
    sim, reports = stepped(ordinary)
    assert sim.tick == 900 and reports[-1].availability < 0.5  # failing for long, and on it runs
    assert "peak_rps" not in sim.scores()


def test_traffic_doubles_every_doubling_time():
    sim = Simulation(endless_scenario())
    rate = sim.scenario.traffic.rate
    spikes = sim.scenario.traffic.spikes
    quiet = [
        t
        for t in range(0, 2000, 120)
        if not any(s.start <= t < s.start + s.duration for s in spikes)
    ]
    for t in quiet[:5]:
        assert rate(t) == pytest.approx(40.0 * 2 ** (t / ENDLESS.doubling_ticks))


def test_surprise_spikes_come_from_the_seed():
    a, b = surprise_spikes(Endless(), 1, 20_000), surprise_spikes(Endless(), 2, 20_000)
    assert a == surprise_spikes(Endless(), 1, 20_000)
    assert a != b
    low, high = catalog.ENDLESS_SPIKE_MULTIPLIER
    assert all(low <= s.multiplier <= high and s.start < 20_000 for s in a + b)
    hours = 20_000 / catalog.TICKS_PER_HOUR
    assert 0.5 * 6 * hours < len(a) < 1.5 * 6 * hours  # a Poisson stream at 6 an hour
    assert surprise_spikes(Endless(spikes_per_hour=0), 1, 20_000) == ()


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    plan = [Action(0, "add", kind="web"), Action(200, "add", kind="replica", size="M")]
    first = run(endless_scenario(), plan, seed=4)
    assert summarize(run(endless_scenario(), plan, seed=4)) == summarize(first)
    assert first.ticks != run(endless_scenario(), plan, seed=5).ticks or (
        first.scores != run(endless_scenario(), plan, seed=5).scores
    )


def test_a_replayed_run_refuses_the_moves_after_its_end():
    end = run(endless_scenario()).ticks
    late = Action(end + 10, "add", kind="web")
    result = run(endless_scenario(), [late])
    assert result.ticks == end
    [outcome] = result.outcomes
    assert not outcome.accepted and "after the end" in outcome.reason


def test_the_peak_is_the_best_minute_within_the_latency_objective():
    sim, reports = stepped(endless_scenario())
    n = catalog.ENDLESS_PEAK_TICKS
    percentile = sim.scenario.objectives.latency_percentile / 100
    best = 0.0
    for end in range(n, len(reports) + 1):
        minute = reports[end - n : end]
        fast = all(
            r.served > 0 and r.percentile_ms(percentile) <= ENDLESS.latency_ms for r in minute
        )
        if fast:
            best = max(best, sum(r.served for r in minute) / n)
    assert best > 0
    assert sim.scores()["peak_rps"] == pytest.approx(best)


def test_more_capacity_goes_further():
    bare = run(endless_scenario())
    grown = run(
        endless_scenario(),
        [Action(0, "add", kind="web", size="M") for _ in range(4)]
        + [Action(0, "add", kind="cache", size="M")],
    )
    assert grown.ticks > bare.ticks
    assert grown.scores["peak_rps"] > bare.scores["peak_rps"]


def test_the_seed_of_the_day_is_fixed_for_a_date():
    # sha256 of the date's words: the same on every machine, for ever
    assert seed_of_day(2026, 12, 2) == seed_of_day(2026, 12, 2)
    assert seed_of_day(2026, 12, 2) != seed_of_day(2026, 12, 3)
    assert seed_of_day(2026, 12, 2) == 3955587442892560112
    assert 0 <= seed_of_day(1, 1, 1) <= catalog.MAX_SEED


def test_only_an_endless_level_scores_the_peak():
    with pytest.raises(ValueError, match="only an endless level can score peak_rps"):
        endless_scenario(endless=None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("objective", 1.0),
        ("objective", 0),
        ("window", 0),
        ("latency_ms", -1),
        ("doubling_ticks", 0),
    ],
)
def test_endless_settings_are_bounded(field, value):
    with pytest.raises(ValueError):
        Endless(**{field: value})
