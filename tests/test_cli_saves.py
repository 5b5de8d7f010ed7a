"""`millions replay LEVEL:NAME`, `export` and `import`: a player's solutions leave and enter the
saves as verified files; and the game refuses a saves folder another game is using."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from game.cli import main
from game.content.loader import load_plan_file
from game.content.packs import BUILTIN_PACKS, load_pack
from game.store import SavedSolution, Store

CORE = load_pack(BUILTIN_PACKS / "core")
LEVEL = CORE.level("scale-out")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "saves"
    monkeypatch.setenv("MILLIONS_SAVES", str(folder))
    store = Store.open(folder)
    store.save_solution(SavedSolution("core/scale-out", "mine", None, LEVEL.reference.actions))
    store.close()
    return folder


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_replay_a_saved_solution_by_name(saves: Path, capsys) -> None:
    code, out, _ = _run(capsys, "replay", "scale-out:mine")
    assert code == 0
    assert out.rstrip().endswith("no claimed scores: nothing to verify")
    code, out, _ = _run(capsys, "replay", "core/scale-out:reference")  # the pack's own
    assert code == 0 and out.rstrip().endswith("verified: matches the scores it claims")


def test_replay_names_what_exists_when_a_name_is_wrong(saves: Path, capsys) -> None:
    code, _, err = _run(capsys, "replay", "scale-out:nope")
    assert code == 2
    assert "no solution 'nope' for scale-out" in err and "mine" in err and "reference" in err
    code, _, err = _run(capsys, "replay", "scale-ot:mine")
    assert code == 2 and "scale-out" in err  # did you mean


def test_export_then_import_elsewhere_round_trips(saves: Path, tmp_path: Path, capsys) -> None:
    exported = tmp_path / "shared.toml"
    code, out, err = _run(capsys, "export", "scale-out:mine", "-o", str(exported))
    assert code == 0, err
    plan, _ = load_plan_file(exported)
    assert plan.level == "scale-out" and plan.pack == "core" and plan.name == "mine"
    assert plan.scores is not None and plan.scores.stars == 3
    code, out, _ = _run(capsys, "replay", str(exported))
    assert code == 0 and out.rstrip().endswith("verified: matches the scores it claims")

    other = tmp_path / "other-player"
    code, out, err = _run(capsys, "--saves", str(other), "import", str(exported))
    assert code == 0, err
    assert "imported" in out and "3 stars" in out
    store = Store.open(other)
    [solution] = store.solutions("core/scale-out")
    assert solution.name == "mine" and solution.actions == LEVEL.reference.actions
    assert solution.stars == 3
    store.close()
    code, out, _ = _run(capsys, "--saves", str(other), "import", str(exported))
    assert code == 0 and "as 'mine-2'" in out  # a second import never overwrites


def test_export_refuses_to_overwrite(saves: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "x.toml"
    target.write_text("mine")
    code, _, err = _run(capsys, "export", "scale-out:mine", "-o", str(target))
    assert code == 2 and "--force" in err
    assert target.read_text() == "mine"


def test_a_tampered_file_is_not_imported(saves: Path, tmp_path: Path, capsys) -> None:
    exported = tmp_path / "shared.toml"
    assert _run(capsys, "export", "scale-out:mine", "-o", str(exported))[0] == 0
    text = exported.read_text()
    start = text.index("cost = ")
    end = text.index("\n", start)
    exported.write_text(text[:start] + "cost = 1.0" + text[end:])
    code, out, err = _run(capsys, "--saves", str(tmp_path / "b"), "import", str(exported))
    assert code == 2 and "do not hold" in err and "cost" in out
    assert not (tmp_path / "b" / "progress.json").exists()


def test_the_game_refuses_a_saves_folder_in_use(saves: Path) -> None:
    store = Store.open(saves)  # a game already running on these saves
    try:
        second = subprocess.run(
            [sys.executable, "-m", "game", "--saves", str(saves)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    finally:
        store.close()
    assert second.returncode == 2
    assert "Another Zero to Millions" in second.stderr and "--saves DIR" in second.stderr
    assert "Traceback" not in second.stderr
