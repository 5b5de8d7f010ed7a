"""`millions sim --timeline`: one row per tick, the columns the README and the module document."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from game.cli import main
from game.content.loader import load_level
from game.engine import catalog, timeline
from game.engine.simulation import Simulation

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LEVEL = ROOT / "levels" / "core" / "primary-down.toml"
PLAN = ROOT / "levels" / "core" / "solutions" / "primary-down.reference.toml"


def _readme_table() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- timeline:start -->\n(.*?)\n<!-- timeline:end -->", text, re.S)
    assert match, "README has no timeline section"
    rows = [line.strip("|").split("|") for line in match.group(1).splitlines()[2:]]
    return [(name.strip(), what.strip()) for name, what in rows]


def test_the_readme_documents_every_column_the_module_does():
    assert _readme_table() == list(timeline.COLUMNS.items())
    text = " ".join(README.read_text(encoding="utf-8").split())
    reasons = ", ".join(f"`{r}`" for r in catalog.FAILURE_REASONS)
    tiers = ", ".join(f"`{t}`" for t in timeline.TIERS)
    assert f"({reasons})" in text and f"({tiers})" in text


def test_the_columns_are_the_families_written_out():
    names = timeline.columns()
    assert len(names) == len(set(names))
    expected = []
    for pattern in timeline.COLUMNS:
        if "<reason>" in pattern:
            expected += [f"failed_{r}" for r in catalog.FAILURE_REASONS]
        elif "<tier>" in pattern:
            expected += [pattern.replace("<tier>", t) for t in timeline.TIERS]
        else:
            expected.append(pattern)
    assert list(names) == expected


def test_a_csv_timeline_has_a_row_per_tick_that_adds_up_to_the_run(tmp_path, capsys):
    out = tmp_path / "run.csv"
    assert main(["sim", str(LEVEL), "--plan", str(PLAN), "--timeline", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == list(timeline.columns())
    assert len(rows) == summary["ticks"] == [int(r["tick"]) for r in rows][-1] + 1
    served = sum(float(r["served"]) for r in rows)
    assert served == pytest.approx(summary["totals"]["served"], rel=1e-6)
    failed = sum(float(r["failed"]) for r in rows)
    assert failed == pytest.approx(summary["totals"]["failed"], rel=1e-6, abs=1e-3)
    for row in rows:
        reasons = sum(float(row[f"failed_{r}"]) for r in catalog.FAILURE_REASONS)
        assert reasons == pytest.approx(float(row["failed"]), abs=1e-5)
        assert row["keyvalue_queue"] == "" and row["box_queue"] == ""  # tiers it does not have
    down = [r for r in rows if float(r["failed_primary_down"]) > 0]
    assert down and all(r["primary_utilization"] in ("", "0.0") for r in down)


def test_json_lines_hold_the_engine_s_reports(tmp_path, capsys):
    out = tmp_path / "run.jsonl"
    assert main(["sim", str(LEVEL), "--timeline", str(out)]) == 0
    capsys.readouterr()
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    sim = Simulation(load_level(LEVEL)[1])
    for row in rows[:50]:
        report = sim.step()
        assert list(row) == list(timeline.columns())
        assert row == timeline.row(report)
        assert row["offered"] == pytest.approx(report.offered, abs=1e-6)
        assert row["p99_ms"] == pytest.approx(report.percentile_ms(0.99), abs=1e-6)


def test_dash_writes_csv_to_stdout_and_the_summary_to_stderr(capsys):
    assert main(["sim", str(LEVEL), "--timeline", "-", "--json"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(captured.out)))
    assert (
        tuple(rows[0]) == timeline.columns() and len(rows) == 1 + json.loads(captured.err)["ticks"]
    )


@pytest.mark.parametrize("target", ["/no/such/folder/run.csv", ".", ""])
def test_an_unwritable_timeline_is_one_line_and_exit_2(target, capsys):
    assert main(["sim", str(LEVEL), "--timeline", target]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("millions sim: ")


def test_json_summary_has_hit_ratio_queues_and_replica_lag(tmp_path, capsys):
    """--json carries the cache hit ratio, the queues and the replicas' lag, over the run and
    at the last tick, agreeing with the run's timeline."""
    out = tmp_path / "run.jsonl"
    level = ROOT / "levels" / "core" / "one-cache.toml"
    assert main(["sim", str(level), "--timeline", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    totals, last = summary["totals"], summary["last_tick"]
    ratios = [r["cache_hit_ratio"] for r in rows if r["cache_hit_ratio"] is not None]
    assert totals["cache_hit_ratio"] == pytest.approx(sum(ratios) / len(ratios), abs=1e-5)
    lags = [r["replica_lag_s"] for r in rows if r["replica_lag_s"] is not None]
    assert totals["peak_replica_lag_s"] == pytest.approx(max(lags), abs=1e-5)
    queued = [sum(r[f"{t}_queue"] or 0.0 for t in timeline.TIERS) for r in rows]
    assert totals["peak_queued"] == pytest.approx(max(queued), abs=1e-3) and max(queued) > 0
    assert last["tick"] == rows[-1]["tick"]
    assert last["cache_hit_ratio"] == pytest.approx(rows[-1]["cache_hit_ratio"], abs=1e-5)
    assert {t["name"]: t["queued"] for t in summary["tiers"]} == {
        t: pytest.approx(rows[-1][f"{t}_queue"], abs=1e-3)
        for t in timeline.TIERS
        if rows[-1][f"{t}_queue"] is not None
    }
