"""`millions levels record`: re-simulate the solutions that claim scores, write what they score
now into their [scores] tables (nothing else in the files), and say which scores moved."""

from __future__ import annotations

import shutil
from pathlib import Path

from game.cli import main
from game.content.checker import check_pack
from game.content.packs import BUILTIN_PACKS, load_pack
from game.content.solutions import compare

CORE = BUILTIN_PACKS / "core"


def _one_level_pack(folder: Path, level: str) -> Path:
    """The core pack cut down to one level (its solutions and codex kept)."""
    shutil.copytree(CORE, folder)
    text = (folder / "pack.toml").read_text()
    head, _, rest = text.partition("levels = [")
    (folder / "pack.toml").write_text(f'{head}levels = ["{level}"]{rest.partition("]")[2]}')
    for path in (folder / "solutions").glob("*.toml"):
        if not path.name.startswith(f"{level}."):
            path.unlink()
    return folder


def test_record_rewrites_only_the_claimed_scores(tmp_path: Path, capsys):
    pack = _one_level_pack(tmp_path / "core", "hot-reads")
    path = pack / "solutions" / "hot-reads.reference.toml"
    original = path.read_text()
    lines = original.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("latency_ms = "))
    lines[at] = "latency_ms = 1.0  # tampered"
    path.write_text("\n".join(lines) + "\n")
    assert not check_pack(load_pack(pack), workers=1).ok  # the claim no longer re-simulates

    assert main(["levels", "record", str(pack)]) == 0
    out = capsys.readouterr().out
    assert "hot-reads" in out and "latency_ms" in out and "1 recorded scores changed" in out
    after = path.read_text().splitlines()
    assert after[at].startswith("latency_ms = ") and after[at].endswith("  # tampered")
    assert [x for i, x in enumerate(after) if i != at] == [
        x for i, x in enumerate(original.splitlines()) if i != at
    ]
    level = load_pack(pack).level("hot-reads")
    assert compare(level.reference.file, _run(level)).verified
    assert check_pack(load_pack(pack), workers=1).ok

    assert main(["levels", "record", str(pack)]) == 0  # nothing moves a second time
    assert "0 recorded scores changed" in capsys.readouterr().out


def test_a_bad_pack_gives_one_line_and_exit_2(tmp_path: Path, capsys):
    (tmp_path / "pack.toml").write_text("this is not toml =")
    assert main(["levels", "record", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("millions levels record:") and "Traceback" not in err


def _run(level):
    from game.engine.simulation import run

    return run(level.scenario, level.reference.actions)
