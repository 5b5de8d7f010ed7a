"""Saves: everything stored comes back, old formats are migrated, bad files are moved aside with
a message, a second game is refused, and a kill at any instant loses no completed write."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from game.engine.actions import Action
from game.store import SavedRun, SavedSolution, SaveError, Store, saves_folder, schema
from game.store.savefile import FILE_NAME
from game.store.unfinished import SavedRedo

LEVEL = "core/launch-day"
ROOT = Path(__file__).resolve().parents[2]
MOVES = (
    Action(3, "add", kind="web", size="M"),
    Action(7, "configure", target="cache", setting="ttl", value=300.0),
    Action(9, "configure", target="cache", setting="invalidate_on_write", value=True),
    Action(12, "configure", target="balancer", setting="algorithm", value="least-connections"),
    Action(20, "resize", target="box-1", size="XL"),
)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    return tmp_path / "saves"


def reopened(store: Store) -> Store:
    folder = store.folder
    store.close()
    return Store.open(folder)


def test_everything_stored_comes_back(folder: Path) -> None:
    store = Store.open(folder)
    store.save_settings("nord", 4, "reduced")
    store.record_run(LEVEL, {"availability": 0.99, "latency_ms": 80.0, "cost": 2100.0}, 2)
    solution = SavedSolution(LEVEL, "mine", 7, MOVES, {"availability": 0.99}, 2)
    store.save_solution(solution)
    store.save_run(SavedRun(LEVEL, 11, 42, MOVES, "0123abcd"))
    store = reopened(store)
    assert store.settings() == {"theme": "nord", "speed": 4, "animation": "reduced"}
    record = store.record(LEVEL)
    assert record.stars == 2 and record.best == {
        "availability": 0.99,
        "latency_ms": 80.0,
        "cost": 2100.0,
    }
    assert store.solution(LEVEL, "mine") == solution
    assert store.current_run() == SavedRun(LEVEL, 11, 42, MOVES, "0123abcd")
    store.close()


def test_a_run_keeps_its_pending_redo(folder: Path) -> None:
    store = Store.open(folder)
    redo = SavedRedo(20, 50, MOVES[3:])
    run = SavedRun(LEVEL, 11, 25, MOVES[:3], "0123abcd", 2, True, redo)
    store.save_run(run)
    assert reopened(store).current_run() == run


def test_each_best_score_is_kept_separately(folder: Path) -> None:
    store = Store.open(folder)
    store.record_run(LEVEL, {"availability": 0.999, "latency_ms": 80.0, "cost": 2100.0}, 3)
    cheaper = store.record_run(
        LEVEL, {"availability": 0.98, "latency_ms": 120.0, "cost": 1900.0}, 1
    )
    assert cheaper.new_bests == ("cost",)
    failed = store.record_run(LEVEL, {"availability": 0.5, "latency_ms": 10.0, "cost": 100.0}, 0)
    assert failed.new_bests == ()  # a failed run sets no record
    record = reopened(store).record(LEVEL)
    assert record.best == {"availability": 0.999, "latency_ms": 80.0, "cost": 1900.0}
    assert record.stars == 3
    assert [stars for stars, _ in record.runs] == [3, 1, 0]


def test_an_endless_levels_best_is_kept_for_each_seed(folder: Path) -> None:
    store = Store.open(folder)
    level = "endless/endless"
    store.record_run(level, {"peak_rps": 900.0, "cost_per_million": 60_000.0}, 1, seed=11)
    store.record_run(level, {"peak_rps": 400.0, "cost_per_million": 50_000.0}, 0, seed=11)
    store.record_run(level, {"peak_rps": 2500.0, "cost_per_million": 70_000.0}, 3, seed=12)
    record = reopened(store).record(level)
    # each score's best on a seed, failed runs included: a seed of the day is its own table
    assert record.by_seed == {
        11: {"peak_rps": 900.0, "cost_per_million": 50_000.0},
        12: {"peak_rps": 2500.0, "cost_per_million": 70_000.0},
    }
    assert record.best == {"peak_rps": 2500.0, "cost_per_million": 60_000.0}


def test_the_oldest_seeds_make_room_for_new_ones(folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(schema, "MAX_SEEDS_KEPT", 3)
    store = Store.open(folder)
    for seed in (1, 2, 3, 1, 4):  # seed 1 played again: 2 is now the one played longest ago
        store.record_run("endless/endless", {"peak_rps": float(seed)}, 0, seed=seed)
    assert list(reopened(store).record("endless/endless").by_seed) == [3, 1, 4]


def test_a_version_2_save_keeps_everything_in_the_current_version(folder: Path) -> None:
    folder.mkdir()
    version_2 = {
        "meta": {"1": {"version": 2}},
        "profile": {"1": {"name": "player"}},
        "records": {
            "1": {
                "level": LEVEL,
                "stars": 3,
                "best": {"availability": 0.999},
                "runs": [{"stars": 3, "scores": {"availability": 0.999}}],
            }
        },
    }
    (folder / FILE_NAME).write_text(json.dumps(version_2))
    store = Store.open(folder)
    assert f"updated from format 2 to {schema.VERSION}" in store.notices[0]
    record = store.record(LEVEL)
    assert record.stars == 3 and record.best == {"availability": 0.999} and record.by_seed == {}
    assert json.loads((folder / "progress.v2-backup.json").read_text()) == version_2


def test_named_solutions_copy_rename_delete(folder: Path) -> None:
    store = Store.open(folder)
    store.save_solution(SavedSolution(LEVEL, "draft", None, MOVES))
    with pytest.raises(SaveError, match="already a solution named 'draft'"):
        store.save_solution(SavedSolution(LEVEL, "draft", None, ()))
    store.copy_solution(LEVEL, "draft", store.free_name(LEVEL, "draft"))
    store.rename_solution(LEVEL, "draft-2", "faster")
    store = reopened(store)
    assert [s.name for s in store.solutions(LEVEL)] == ["draft", "faster"]
    assert store.solution(LEVEL, "faster").actions == MOVES
    store.delete_solution(LEVEL, "draft")
    with pytest.raises(SaveError, match="no solution named 'draft'"):
        store.rename_solution(LEVEL, "draft", "x")
    assert [s.name for s in reopened(store).solutions(LEVEL)] == ["faster"]


def test_an_older_save_is_migrated_and_its_file_kept(folder: Path) -> None:
    folder.mkdir()
    version_1 = {
        "records": {
            "1": {"level": LEVEL, "stars": 2, "best_run": {"availability": 0.99, "cost": 2000.0}}
        },
        "settings": {"1": {"theme": "nord", "speed": 2, "animation": "none"}},
    }
    (folder / FILE_NAME).write_text(json.dumps(version_1))
    store = Store.open(folder)
    [notice] = store.notices
    assert f"updated from format 1 to {schema.VERSION}" in notice
    record = store.record(LEVEL)
    assert record.stars == 2 and record.best == {"availability": 0.99, "cost": 2000.0}
    assert record.runs == ((2, {"availability": 0.99, "cost": 2000.0}),)
    assert store.settings() == {"theme": "nord", "speed": 2, "animation": "none"}
    assert json.loads((folder / "progress.v1-backup.json").read_text()) == version_1
    on_disk = json.loads((folder / FILE_NAME).read_text())
    assert schema.version_of(on_disk) == schema.VERSION
    assert reopened(store).notices == []


@pytest.mark.parametrize(
    "content, reason",
    [
        (b'{"meta": {"1": {"version": 2}}, "records": {"1": {"lev', "not valid JSON"),
        (bytes(random.Random(1).randrange(256) for _ in range(300)), "not"),
        (b'{"meta": {"1": {"version": 2}}, "records": {"1": {"level": 3}}}', "records[1]"),
        (b"[1, 2, 3]", "not a table of tables"),
    ],
    ids=["truncated", "binary", "wrong-shape", "not-tables"],
)
def test_a_corrupt_save_is_moved_aside(folder: Path, content: bytes, reason: str) -> None:
    folder.mkdir()
    (folder / FILE_NAME).write_bytes(content)
    store = Store.open(folder)
    [notice] = store.notices
    assert "could not be read" in notice and reason in notice
    [aside] = folder.glob("progress.corrupt-*.json")
    assert aside.read_bytes() == content  # nothing of the old file is lost
    assert str(aside) in notice
    assert store.record(LEVEL) is None and store.current_run() is None
    store.record_run(LEVEL, {"availability": 1.0}, 1)
    assert reopened(store).record(LEVEL).stars == 1


def test_a_newer_save_is_kept_aside_unchanged_and_play_goes_on(folder: Path) -> None:
    folder.mkdir()
    newer = json.dumps({"meta": {"1": {"version": schema.VERSION + 1}}, "future": {}})
    (folder / FILE_NAME).write_text(newer)
    store = Store.open(folder)
    [notice] = store.notices
    [aside] = folder.glob(f"progress.v{schema.VERSION + 1}-*.json")
    assert aside.read_text() == newer
    assert "newer version" in notice and str(aside) in notice
    store.record_run(LEVEL, {"availability": 1.0}, 1)
    assert reopened(store).record(LEVEL).stars == 1


def test_a_failed_write_says_so_and_keeps_the_last_save(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(folder)
    store.record_run(LEVEL, {"availability": 0.9}, 1)
    before = (folder / FILE_NAME).read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(SaveError, match="No space left on device.*safe"):
        store.record_run(LEVEL, {"availability": 0.95}, 2)
    monkeypatch.undo()
    assert (folder / FILE_NAME).read_bytes() == before
    assert store.record(LEVEL).stars == 1  # what the store says matches the disk
    assert not list(folder.glob("*.tmp"))
    store.close()


def test_a_second_game_on_the_same_folder_is_refused(folder: Path) -> None:
    first = Store.open(folder)
    holder = subprocess.run(
        [sys.executable, "-c", _TRY_OPEN, str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert holder.returncode == 3, holder.stderr
    assert "Another Zero to Millions" in holder.stdout and str(folder) in holder.stdout
    assert f"process {os.getpid()}" in holder.stdout
    first.record_run(LEVEL, {"availability": 0.99}, 1)  # the first keeps working
    assert reopened(first).record(LEVEL).stars == 1


_TRY_OPEN = """
import sys
from pathlib import Path
from game.store import SavesLocked, Store
try:
    Store.open(Path(sys.argv[1]))
except SavesLocked as error:
    print(error)
    sys.exit(3)
"""


def test_a_kill_at_any_moment_loses_no_completed_write(folder: Path) -> None:
    """SIGKILL a writer 50 times at random moments; every acknowledged write survives."""
    rng = random.Random(20261124)
    acknowledged = -1
    for _ in range(50):
        writer = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("writer.py")), str(folder)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.05))
        writer.kill()
        writer.wait()
        lines = writer.stdout.read().split()
        writer.stdout.close()
        if lines:
            acknowledged = max(acknowledged, int(lines[-1]))
        store = Store.open(folder)
        assert store.notices == []
        names = {s.name for s in store.solutions(LEVEL)}
        assert {f"s{n}" for n in range(acknowledged + 1)} <= names
        run = store.current_run()
        assert run is None or run.tick >= acknowledged
        store.close()
    assert acknowledged > 0  # the writer did get writes done between kills


def test_saves_folder_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILLIONS_SAVES", str(tmp_path / "env"))
    assert saves_folder(tmp_path / "flag") == tmp_path / "flag"
    assert saves_folder() == tmp_path / "env"
    monkeypatch.delenv("MILLIONS_SAVES")
    assert saves_folder() == ROOT / "saves"  # run from a checkout


def test_in_memory_store_keeps_nothing_on_disk(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = Store.in_memory()
    store.record_run(LEVEL, {"availability": 0.9}, 1)
    assert store.record(LEVEL).stars == 1 and store.folder is None
    assert list(tmp_path.iterdir()) == []
