"""What the command line is given and echoes back: arguments and folder names with escape codes
are shown escaped, text in packs that could spoof what is read is refused where it is written,
seeds are bounded as in every file, `levels new` makes a pack its own check accepts, and a
closed or full standard output is one line on standard error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from game.cli import main
from game.content.errors import LevelError
from game.content.packs import BUILTIN_PACKS, load_pack
from game.content.scaffold import create_pack
from game.engine import catalog
from game.ui.settings import AppSettings

ROOT = Path(__file__).resolve().parents[1]
LEVEL = BUILTIN_PACKS / "core" / "launch-day.toml"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# -- echoes ---------------------------------------------------------------------------------------


def test_an_argument_with_escape_codes_is_echoed_escaped(capsys) -> None:
    code, _, err = run(capsys, "replay", "x:\x1b]0;X\x07")
    assert code == 2
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b]0;X\\x07" in err


def test_a_broken_pack_folder_with_escape_codes_and_markup_prints_neither(
    tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "p\x1b]0;X\x07[reverse]R[link=x.com]L\u202e"
    folder.mkdir()
    (folder / "pack.toml").write_text('id = "p"\n')
    code, out, _ = run(capsys, "levels", "check", str(folder))
    assert code == 1
    assert not any(ch in out for ch in "\x1b\x07\u202e")
    unwrapped = out.replace("\n", "")  # the report is 120 columns wide when not on a terminal
    assert "p\\x1b]0;X\\x07[reverse]R[link=x.com]L\\u202e: invalid pack" in unwrapped


# -- text in packs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "char, name",
    [
        ("\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("\u2066", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
        ("\u200b", "U+200B (ZERO WIDTH SPACE)"),
        ("\u2028", "U+2028 (LINE SEPARATOR)"),
    ],
)
@pytest.mark.parametrize("field", ["title", "author"])
def test_bidi_and_invisible_characters_are_refused_in_titles(
    tmp_path: Path, char: str, name: str, field: str
) -> None:
    create_pack(tmp_path / "p")
    manifest = tmp_path / "p" / "pack.toml"
    lines = manifest.read_text().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith(f"{field} ="))
    lines[number - 1] = f'{field} = "Safe{char}Pack"\n'
    manifest.write_text("".join(lines))
    with pytest.raises(LevelError) as error:
        load_pack(tmp_path / "p")
    [problem] = error.value.problems
    assert (problem.field, problem.line) == (field, number)
    assert problem.message == (
        f"contains the invisible or bidi character {name} at character 5; level text must be"
        " plain (no terminal escape codes, no bidi or invisible characters)"
    )


def test_a_configure_value_with_a_bidi_isolate_is_refused(tmp_path: Path, capsys) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[[actions]]\ntick = 1\ndo = "configure"\ntarget = "balancer"\n'
        'setting = "algorithm"\nvalue = "round-robin\u2066"\n'
    )
    code, _, err = run(capsys, "sim", str(LEVEL), "--plan", str(plan))
    assert code == 2
    assert f"{plan}:6: actions[0].value: contains the invisible or bidi character U+2066" in err
    assert "\u2066" not in err


# -- seeds ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["sim", "replay"])
@pytest.mark.parametrize("seed", [-1, catalog.MAX_SEED + 1, 10**30])
def test_seeds_are_bounded_the_same_everywhere(capsys, command: str, seed: int) -> None:
    target = LEVEL if command == "sim" else BUILTIN_PACKS / "core" / "solutions"
    if command == "replay":
        target = target / "launch-day.reference.toml"
    code, _, err = run(capsys, command, str(target), "--seed", str(seed))
    assert (code, err) == (2, f"millions {command}: --seed must be between 0 and 2**63-1\n")


@pytest.mark.parametrize("seed", [-1, catalog.MAX_SEED + 1])
def test_the_games_seed_is_bounded_too(capsys, seed: int) -> None:
    code, _, err = run(capsys, "--seed", str(seed))
    assert (code, err) == (2, "millions: --seed must be between 0 and 2**63-1\n")


def test_the_largest_seed_runs(capsys) -> None:
    code, out, _ = run(capsys, "sim", str(LEVEL), "--seed", str(catalog.MAX_SEED), "--json")
    assert code == 0 and f'"seed": {catalog.MAX_SEED}' in out


def test_the_app_takes_no_seed_a_file_could_not_hold() -> None:
    with pytest.raises(ValueError, match="seed must be between 0 and"):
        AppSettings(seed=catalog.MAX_SEED + 1)
    assert AppSettings(seed=catalog.MAX_SEED).seed == catalog.MAX_SEED


# -- levels new -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, pack_id",
    [
        ("Café Über", "cafe-uber"),
        ("日本のパック", "my-pack"),
        ("x" * 60, "x" * 40),
        ("--a__b--", "a-b"),
    ],
)
def test_levels_new_makes_a_valid_pack_from_any_folder_name(
    tmp_path: Path, capsys, name: str, pack_id: str
) -> None:
    code, _, err = run(capsys, "levels", "new", str(tmp_path / name))
    assert code == 0, err
    assert load_pack(tmp_path / name).id == pack_id


# -- standard output ------------------------------------------------------------------------------


def _millions(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "game", *args],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.mark.parametrize("args", [("levels", "schema"), ("sim", str(LEVEL))])
def test_a_full_standard_output_is_one_line_on_standard_error(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        done = _millions(*args, stdout=full)
    assert done.returncode != 0
    assert done.stderr == "millions: cannot write the output: No space left on device\n"


def test_a_closed_pipe_is_one_line_on_standard_error() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `| head -0` does
    try:
        done = _millions("levels", "schema", stdout=write_end)
    finally:
        os.close(write_end)
    assert done.returncode != 0
    assert done.stderr == "millions: cannot write the output: Broken pipe\n"


def test_a_closed_standard_output_is_one_line_on_standard_error() -> None:
    done = _millions("levels", "schema", preexec_fn=lambda: os.close(1))
    assert done.returncode != 0
    assert done.stderr == "millions: cannot write the output: standard output is closed\n"


def test_the_game_with_standard_input_closed_says_so(tmp_path: Path) -> None:
    env = {**os.environ, "MILLIONS_SAVES": str(tmp_path / "saves")}
    done = _millions(env=env, stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(0))
    assert done.returncode == 2
    assert done.stderr == (
        "millions: standard input is closed; the game needs a terminal to play in\n"
    )
