"""The speed benchmark runs every case through its own code path and reports honestly.

No timing is asserted here: a few ticks per case only check the report's shape and claims."""

import json

import pytest

from game import bench
from game.content.scaffold import create_pack
from game.engine import catalog
from game.engine.scenario import ADDABLE, Component, Scenario
from game.engine.simulation import Simulation

TICKS = 5


@pytest.fixture(scope="module")
def report() -> bench.Report:
    return bench.measure(repeats=1, ticks=TICKS, day_ticks=TICKS + 2, check_seeds=None)


def test_every_site_under_every_load_has_one_row(report):
    expected = [(s.name, load) for s in bench.SITES for load in bench.LOADS]
    assert [(r.site, r.load) for r in report.rows] == expected
    for row in report.rows:
        assert row.ticks == TICKS
        assert (row.best_s is None) == bool(row.error), row  # a time or an error, never both
        assert row.first_s is not None and row.first_s >= row.best_s
        assert row.cpu_s is not None and row.cpu_s > 0
        assert row.cpu_median_s is not None and row.cpu_median_s >= row.cpu_s
    day = report.day
    assert (day.site, day.load, day.ticks) == (bench.LARGEST.name, bench.REALISTIC, TICKS + 2)
    assert day.best_s is not None and day.nodes == bench.LARGEST.nodes


def test_node_counts_are_what_the_rows_claim(report):
    largest = sum(catalog.KINDS[kind].limit for kind in ADDABLE)
    assert [s.nodes for s in bench.SITES] == [1, 20, largest]
    for row in report.rows:
        site = next(s for s in bench.SITES if s.name == row.site)
        assert row.nodes == site.nodes == len(site.start())


def test_the_largest_site_is_the_largest_the_engine_accepts():
    start = bench.LARGEST.start()
    for kind in ADDABLE:
        size = tuple(catalog.KINDS[kind].sizes)[0]
        over = Scenario("over", "over", 1, start=(*start, Component(kind, size)))
        with pytest.raises(ValueError, match="more than"):
            Simulation(over)


def test_realistic_load_grows_waves_and_fails():
    site = bench.SITES[1]
    built = bench.scenario(site, bench.REALISTIC, bench.TICKS)
    assert built.failures.enabled
    assert built.traffic.rate(0) == pytest.approx(bench.GROWTH_FROM * site.busy_rps)
    assert built.traffic.wave_amplitude == bench.WAVE
    steady = bench.scenario(site, bench.HEAVY, bench.TICKS)
    assert not steady.failures.enabled and steady.traffic.rate(600) == bench.HEAVY_RPS


def test_report_prints_every_row_and_target_and_serialises(report):
    text = bench.render(report)
    for row in (*report.rows, report.day):
        assert f"{row.site:<16}{row.nodes:>6}" in text
    targets = report.targets()
    assert len(targets) == len(bench.LOADS) + 2 + len(bench.SITES) + 2
    assert {t.status for t in targets} <= {"PASS", "MISS", "ERROR", "SKIP"}
    day = next(t for t in targets if "(a day)" in t.what)
    assert day.status == "SKIP"  # a day cut short is not held to the day's target
    data = json.loads(json.dumps(report.to_json()))
    assert len(data["runs"]) == len(report.rows) and data["day"]["ticks"] == TICKS + 2
    assert report.imports.cached_ms > 0 and report.imports.as_run_ms > 0, report.imports.error


def test_bad_arguments_exit_2():
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--no-such-flag"])
    assert exit_.value.code == 2


def test_the_check_is_timed_on_one_worker_and_on_two(tmp_path):
    create_pack(tmp_path / "starter")
    speed = bench.measure_check(tmp_path / "starter", seeds=1)
    # untouched, two solutions on two seeds, and the reference on a budget 5% tighter
    assert speed.runs == 1 + 2 * 2 + 1
    if speed.cores < 2:
        assert speed.one_s is None and "one core" in speed.error
    else:
        assert not speed.error and speed.one_s > 0 and speed.two_s > 0
        assert speed.speedup == speed.one_s / speed.two_s


def test_a_quick_bench_says_the_check_was_not_run(report):
    (target,) = [t for t in report.targets() if t.what.startswith("levels check")]
    assert (target.status, target.measured) == ("SKIP", "not run")
    assert "not run (--quick)" in bench.render(report)
