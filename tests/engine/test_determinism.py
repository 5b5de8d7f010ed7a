"""A run is a function of (scenario, seed, actions) and nothing else.

- the same rich run (random failures, incidents, a wave, spikes, caches, replicas, a plan of
  moves) gives byte-identical output in two interpreters with different PYTHONHASHSEEDs, and
  twice in one process;
- every component draws its failures from its own stream: adding a web server does not move
  the failures of the other components;
- the seed is used: another seed, other failure times.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from game.content.packs import load_pack
from game.engine import catalog, replay
from game.engine.actions import Action, Outcome
from game.engine.report import TickReport
from game.engine.scenario import Component, Incident, RandomFailures, Scenario, Settings
from game.engine.simulation import Simulation, run
from game.engine.summary import summarize
from game.engine.traffic import Mix, Spike, Traffic

ROOT = Path(__file__).resolve().parents[2]
PERCENTILES = (0.5, 0.95, 0.99)


# -- a rich run ------------------------------------------------------------------------------


def rich_scenario() -> Scenario:
    start = (
        Component("balancer"),
        Component("web", "M"),
        Component("web", "M"),
        Component("web", "S"),
        Component("primary", "L"),
        Component("replica", "M"),
        Component("replica", "M"),
        Component("cache", "S"),
        Component("cache", "M"),
        Component("cdn"),
    )
    traffic = Traffic(
        points=((0, 300.0), (150, 1_400.0), (300, 900.0), (400, 1_100.0)),
        curve="exponential",
        wave_amplitude=0.25,
        wave_period=120,
        spikes=(Spike(140, 20, 2.5), Spike(310, 6, 6.0)),
        mix=Mix(static=0.25, read=0.55, write=0.12, join=0.08),
        keys=2_000_000,
        zipf_alpha=1.05,
        origin_rtt_s=0.045,
        edge_rtt_s=0.012,
    )
    return Scenario(
        id="determinism",
        title="Determinism",
        duration=400,
        seed=20240607,
        start=start,
        settings=Settings(ttl_s=120.0),
        traffic=traffic,
        incidents=(
            Incident(50, "web-1"),
            Incident(120, "cache-1"),
            Incident(200, "replica-2"),
            Incident(250, "db-1"),
            Incident(260, "no-such-node"),
        ),
        failures=RandomFailures(enabled=True, mtbf_scale=0.05),
        timeout_s=1.5,
    )


PLAN = (
    Action(5, "add", kind="web", size="M"),
    Action(20, "configure", target="cache", setting="ttl", value=60),
    Action(30, "resize", target="replica-1", size="L"),
    Action(45, "configure", target="balancer", setting="algorithm", value="least_connections"),
    Action(60, "add", kind="cache", size="M"),
    Action(90, "add", kind="box"),  # refused: not addable
    Action(100, "resize", target="cdn-1", size="M"),  # refused: one size
    Action(150, "configure", target="cache", setting="eviction", value="lfu"),
    Action(180, "promote", target="replica-2"),
    Action(220, "remove", target="web-2"),
    Action(260, "configure", target="cache", setting="invalidate_on_write", value=False),
    Action(300, "add", kind="replica", size="M"),
    Action(340, "configure", target="database", setting="store", value="keyvalue"),
    Action(999, "add", kind="web"),  # refused: after the level
)


def tick_fields(r: TickReport) -> tuple:
    """Every field of a tick report, floats exact (repr round-trips them)."""
    return (
        r.tick,
        r.rps,
        r.offered,
        r.served,
        sorted(r.failed.items()),
        r.queued,
        r.cost,
        r.stale_reads,
        r.lost_writes,
        r.cache_hit_ratio,
        r.replica_lag_s,
        [
            (
                t.name,
                t.kind,
                t.servers,
                t.capacity_rps,
                t.offered,
                t.served,
                t.dropped,
                t.queued,
                t.utilization,
                [t.percentile_ms(q) for q in PERCENTILES],
            )
            for t in r.tiers
        ],
        [(e.tick, e.kind, e.component, e.text) for e in r.events],
        [r.percentile_ms(q) for q in PERCENTILES],
        r.latency.count,
        r.latency.mean(),
    )


def stepped(scenario: Scenario, plan=(), seed: int | None = None):
    """Run like `run` does, but keep every tick's report: (result, reports)."""
    sim = Simulation(scenario, seed)
    by_tick: dict[int, list[Action]] = {}
    outcomes: list[Outcome] = []
    for action in plan:
        if 0 <= action.tick < scenario.duration:
            by_tick.setdefault(action.tick, []).append(action)
        else:
            outcomes.append(Outcome(action, False, f"tick {action.tick} is outside the level"))
    reports = []
    while not sim.done:
        for action in by_tick.get(sim.tick, ()):
            outcomes.append(sim.apply(action))
        reports.append(sim.step())
    return sim.result(outcomes), reports


def fingerprint() -> str:
    """The rich run as text: its summary JSON (from `run`) and a digest of every tick's report
    (from the same run stepped by hand)."""
    scenario = rich_scenario()
    _, reports = stepped(scenario, PLAN)
    digest = hashlib.sha256()
    for report in reports:
        digest.update(repr(tick_fields(report)).encode())
        digest.update(b"\n")
    summary = json.dumps(summarize(run(scenario, PLAN)), sort_keys=True)
    return f"{summary}\n{digest.hexdigest()}\n"


SNIPPET = (
    "import sys\n"
    "from tests.engine.test_determinism import fingerprint\n"
    "sys.stdout.write(fingerprint())\n"
    "sys.stderr.write(str(hash('zero-to-millions')))\n"
)


def _in_subprocess(hash_seed: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", SNIPPET],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


# -- same input, same output -----------------------------------------------------------------


def test_the_rich_run_exercises_what_it_should():
    """Guard the other tests against a scenario that quietly stopped being rich."""
    result, reports = stepped(rich_scenario(), PLAN)
    events = [e for r in reports for e in r.events]
    texts = [e.text for e in events]
    assert any("random failure" in t for t in texts)
    assert any("scheduled incident" in t for t in texts)
    assert any(e.kind == "promoted" for e in events)
    assert sum(not o.accepted for o in result.outcomes) >= 3
    assert sum(o.accepted for o in result.outcomes) >= 8
    assert any(r.cache_hit_ratio for r in reports)
    assert any(r.replica_lag_s is not None for r in reports)
    assert any(r.failed for r in reports)
    assert result.ticks == 400


def test_output_is_byte_identical_under_different_hash_seeds():
    one = _in_subprocess("1")
    other = _in_subprocess("12345")
    assert one.stderr != other.stderr, "the hash seeds did not take effect"
    assert one.stdout == other.stdout
    summary, digest, _ = one.stdout.split("\n")
    assert json.loads(summary)["ticks"] == 400 and len(digest) == 64
    # ...and the same as this process, whatever its hash seed.
    assert one.stdout == fingerprint()


def test_the_same_run_twice_in_process_is_identical():
    assert fingerprint() == fingerprint()
    scenario = rich_scenario()
    first, second = run(scenario, PLAN), run(scenario, PLAN)
    assert summarize(first) == summarize(second)
    assert json.dumps(summarize(first)) == json.dumps(summarize(second))
    # `run` and a hand-stepped run agree.
    stepped_result, _ = stepped(scenario, PLAN)
    assert summarize(stepped_result) == summarize(first)


def test_reading_the_scores_every_tick_changes_no_score():
    """The play screen reads the run's scores after every tick; the final scores must be those
    of a run nobody watched, to the last digit (they were not: a read folded the pending paths
    into the histogram at that tick, and float sums depend on their grouping)."""
    level = load_pack(ROOT / "levels" / "core").levels[0]
    actions, seed = level.solutions[0].actions, level.scenario.seed
    watched = Simulation(level.scenario, seed)
    outcomes = replay.play(watched, actions, on_report=lambda sim, _: sim.scores())
    assert dict(watched.result(outcomes).scores) == dict(run(level.scenario, actions, seed).scores)


def test_a_simulation_is_independent_of_other_simulations_in_the_process():
    """Interleaving two runs tick by tick changes neither (no shared mutable state)."""
    scenario = rich_scenario()
    _, alone = stepped(scenario, PLAN)
    a, b = Simulation(scenario), Simulation(scenario, seed=99)
    interleaved = []
    plan = {}
    for action in PLAN:
        plan.setdefault(action.tick, []).append(action)
    while not a.done:
        for action in plan.get(a.tick, ()):
            a.apply(action)
            b.apply(action)
        interleaved.append(a.step())
        b.step()
    assert [repr(tick_fields(r)) for r in interleaved] == [repr(tick_fields(r)) for r in alone]


# -- per-component failure streams -----------------------------------------------------------


STREAM_START = (
    Component("balancer"),
    Component("web"),
    Component("web"),
    Component("primary", "M"),
    Component("replica"),
    Component("replica"),
    Component("cache"),
    Component("cache"),
    Component("cdn"),
)
ONE_MORE_WEB = STREAM_START[:2] + (Component("web", "L"),) + STREAM_START[2:]


@functools.cache
def _failures(start, seed: int = 11, plan=()) -> dict[str, list[int]]:
    """Ticks of random failures, per component id (callers must not change the answer)."""
    scenario = Scenario(
        id="streams",
        title="Streams",
        duration=600,
        seed=seed,
        start=start,
        traffic=Traffic(points=((0, 250.0),)),
        failures=RandomFailures(enabled=True, mtbf_scale=0.05, kinds=tuple(catalog.KINDS)),
    )
    _, reports = stepped(scenario, plan)
    failed: dict[str, list[int]] = {}
    for report in reports:
        for event in report.events:
            if event.kind == "failed":
                assert "random failure" in event.text
                failed.setdefault(event.component, []).append(event.tick)
    return failed


def _first(failures: dict[str, list[int]]) -> dict[str, int]:
    return {node: ticks[0] for node, ticks in failures.items()}


def test_the_stream_scenario_has_failures_to_compare():
    failed = _failures(STREAM_START)
    assert {"web-1", "web-2", "db-1"} <= set(failed)
    assert {"replica-1", "replica-2"} & set(failed) and {"cache-1", "cache-2"} & set(failed)
    assert sum(len(ticks) for ticks in failed.values()) >= 10


def test_adding_a_web_server_to_the_start_moves_no_other_failure():
    base = _failures(STREAM_START)
    more = _failures(ONE_MORE_WEB)
    assert "web-3" in more, "the extra server should fail too at this MTBF scale"
    common = set(base) & set(more)
    assert len(common) >= 5
    first_base, first_more = _first(base), _first(more)
    assert {n: first_base[n] for n in common} == {n: first_more[n] for n in common}
    # Nothing else depends on the web pool either, so whole failure histories match.
    assert {n: base[n] for n in common} == {n: more[n] for n in common}
    assert set(more) - set(base) == {"web-3"}


def test_adding_a_web_server_mid_run_moves_no_other_failure():
    base = _failures(STREAM_START)
    more = _failures(STREAM_START, plan=(Action(7, "add", kind="web"),))
    assert "web-3" in more
    common = set(base) & set(more)
    assert len(common) >= 5
    assert {n: _first(base)[n] for n in common} == {n: _first(more)[n] for n in common}
    assert {n: base[n] for n in common} == {n: more[n] for n in common}


def test_another_seed_gives_other_failure_times():
    one, other = _first(_failures(STREAM_START, seed=11)), _first(_failures(STREAM_START, seed=12))
    common = set(one) & set(other)
    assert len(common) >= 5
    differ = [n for n in common if one[n] != other[n]]
    assert len(differ) >= len(common) // 2, (one, other)
    # Same seed, same times (_failures is cached: run it afresh).
    assert _first(_failures.__wrapped__(STREAM_START, seed=11)) == one


def test_components_draw_from_their_own_streams():
    """Identical components in one run do not fail in lockstep."""
    first = _first(_failures(STREAM_START))
    assert first["web-1"] != first["web-2"] or first["cache-1"] != first["cache-2"]
