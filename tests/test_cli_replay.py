"""`millions replay FILE`: re-simulate a solution file and check the scores it claims."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from game.cli import main
from game.content.packs import BUILTIN_PACKS, load_pack
from game.content.scaffold import create_pack
from game.content.solutions import recorded, write_solution
from game.engine.endless import ENDLESS_METRICS
from game.engine.metrics import METRICS
from game.engine.scenario import JOB_METRICS
from game.engine.simulation import run

# What a core level scores (not an endless level's, nor a level-with-jobs' oldest job).
CAMPAIGN_METRICS = [m for m in METRICS if m not in ENDLESS_METRICS + JOB_METRICS]

SOLUTIONS = BUILTIN_PACKS / "core" / "solutions"
REFERENCE = SOLUTIONS / "primary-down.reference.toml"
COUNTER = SOLUTIONS / "primary-down.without-failover.toml"


def _copy(tmp_path: Path, source: Path, old: str = "", new: str = "") -> Path:
    text = source.read_text()
    if old:
        assert old in text, old
        text = text.replace(old, new, 1)
    target = tmp_path / source.name
    target.write_text(text)
    return target


def _availability_line(path: Path) -> str:
    text = path.read_text()
    table = text[text.index("[scores]") :]
    return next(line for line in table.splitlines() if line.startswith("availability = "))


def _replay(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["replay", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _last_line(out: str) -> str:
    return out.rstrip("\n").splitlines()[-1]


# -- verdicts -------------------------------------------------------------------------------------


def test_a_shipped_reference_is_verified(capsys):
    code, out, err = _replay(capsys, str(REFERENCE))
    assert code == 0, err
    assert _last_line(out) == "verified: matches the scores it claims"
    assert "Primary down" in out  # the run's summary, as `millions sim` prints it
    assert "Tiers at the last tick" in out
    assert "Scores on seed 8" in out
    assert "99.654%" in out
    assert "differs" not in out
    assert err == ""


def test_a_tampered_score_does_not_match(tmp_path: Path, capsys):
    path = _copy(tmp_path, REFERENCE, _availability_line(REFERENCE), "availability = 0.999")
    code, out, _ = _replay(capsys, str(path))
    assert code == 1
    assert _last_line(out) == (
        "does not match: availability claims 99.900%, re-simulation gives 99.654%"
    )
    assert "differs" in out


def test_a_tampered_action_does_not_match(tmp_path: Path, capsys):
    path = _copy(tmp_path, REFERENCE, "tick = 241", "tick = 300")
    code, out, _ = _replay(capsys, str(path))
    assert code == 1
    last = _last_line(out)
    assert last.startswith("does not match: ")
    assert "availability claims 99.654%, re-simulation gives" in last


def test_a_solution_without_scores_has_nothing_to_verify(capsys):
    code, out, _ = _replay(capsys, str(COUNTER))
    assert code == 0
    assert _last_line(out) == "no claimed scores: nothing to verify"


def test_another_seed_has_nothing_to_verify(capsys):
    code, out, _ = _replay(capsys, str(REFERENCE), "--seed", "9")
    assert code == 0
    assert "Scores on seed 9" in out
    assert _last_line(out) == (
        "no claimed scores for seed 9 (the file claims seed 8's): nothing to verify"
    )


def test_json_reports_the_verification(tmp_path: Path, capsys):
    code, out, _ = _replay(capsys, str(REFERENCE), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["level"] == "primary-down"
    assert data["pack"] == "core"
    assert data["seed"] == 8
    verification = data["verification"]
    assert verification["status"] == "verified"
    assert verification["differences"] == []
    level = load_pack(BUILTIN_PACKS / "core").level("primary-down")
    result = run(level.scenario, level.reference.actions)
    assert verification["recorded"] == {**result.scores, "stars": result.stars}  # every digit
    assert verification["claimed"] == verification["recorded"]

    path = _copy(tmp_path, REFERENCE, _availability_line(REFERENCE), "availability = 0.5")
    code, out, _ = _replay(capsys, str(path), "--json")
    assert code == 1
    verification = json.loads(out)["verification"]
    assert verification["status"] == "mismatched"
    assert verification["differences"] == [
        {"score": "availability", "claimed": 0.5, "actual": result.scores["availability"]}
    ]


def test_a_written_solution_replays_verified(tmp_path: Path, capsys):
    level = load_pack(BUILTIN_PACKS / "core").level("skewed")
    actions = level.reference.actions
    result = run(level.scenario, actions, seed=2)
    path = write_solution(
        tmp_path / "mine.toml", "skewed", actions, pack="core", name="mine", **recorded(result)
    )
    code, out, _ = _replay(capsys, str(path))
    assert code == 0
    assert "Scores on seed 2" in out
    assert _last_line(out) == "verified: matches the scores it claims"


# -- finding the level ----------------------------------------------------------------------------


@pytest.fixture()
def mine(tmp_path: Path) -> tuple[Path, Path]:
    """A pack of the player's own, and a recorded solution of its level outside it."""
    pack = tmp_path / "mine"
    create_pack(pack)
    level = load_pack(pack).level("first-split")
    result = run(level.scenario, level.reference.actions)
    solution = write_solution(
        tmp_path / "split.toml",
        "first-split",
        level.reference.actions,
        pack="mine",
        **recorded(result),
    )
    return pack, solution


def test_the_level_is_found_in_a_named_pack(mine, capsys):
    pack, solution = mine
    code, _, err = _replay(capsys, str(solution))
    assert code == 2
    assert err.count("\n") == 1
    assert f'{solution}:2: pack: no installed pack "mine"' in err
    for args in (
        ["replay", str(solution), "--pack", str(pack)],
        ["--pack", str(pack), "replay", str(solution)],
    ):
        assert main(args) == 0
        out = capsys.readouterr().out
        assert _last_line(out) == "verified: matches the scores it claims"


def test_an_unknown_level_names_file_and_line(tmp_path: Path, capsys):
    path = _copy(tmp_path, REFERENCE, 'level = "primary-down"', 'level = "primary-dwn"')
    code, out, err = _replay(capsys, str(path))
    assert code == 2
    assert out == ""
    assert err == (
        f'millions replay: {path}:1: level: no installed pack has level "primary-dwn";'
        ' did you mean "primary-down"?\n'
    )


def test_a_level_missing_from_the_named_pack(tmp_path: Path, capsys):
    path = _copy(
        tmp_path, REFERENCE, 'level = "primary-down"', 'level = "first-split"\npack = "core"'
    )
    code, _, err = _replay(capsys, str(path))
    assert code == 2
    assert f'{path}:1: level: pack "core" has no level "first-split"' in err


@pytest.mark.parametrize(
    "text, words",
    [
        ('level = "primary-down"\n[scores\n', ":2: TOML syntax error"),
        (
            'level = "primary-down"\n[scores]\navailabilty = 0.5\n',
            ':3: scores.availabilty: unknown key; did you mean "availability"?',
        ),
        (
            'level = "primary-down"\nnote = "\\u001b[2J"\n',
            ":2: note: contains the control character U+001B",
        ),
        ('level = "primary-down"\nseed = -1\n', ":2: seed: must be at least 0"),
        ('name = "x"\n', ': level: a solution names its level: level = "<level id>"'),
        ('\n[[actions]]\ntick = 1\ndo = "explode"\n', ":4: actions[0].do: unknown action"),
    ],
)
def test_a_bad_file_is_one_line_with_file_and_line(tmp_path: Path, capsys, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    code, out, err = _replay(capsys, str(path))
    assert code == 2
    assert out == ""
    assert err.startswith(f"millions replay: {path}")
    assert words in err
    assert err.count("\n") == 1


def test_several_problems_still_make_one_line(tmp_path: Path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('level = "Bad Id"\nseed = -1\n[scores]\ncost = -1.0\n')
    code, _, err = _replay(capsys, str(path))
    assert code == 2
    assert err.count("\n") == 1
    assert "(and 2 more problems)" in err


def test_a_missing_file(tmp_path: Path, capsys):
    code, _, err = _replay(capsys, str(tmp_path / "nothing.toml"))
    assert code == 2
    assert "nothing.toml: cannot read the file" in err


def test_bad_arguments(tmp_path: Path, capsys):
    code, _, err = _replay(capsys, str(REFERENCE), "--seed", "-1")
    assert (code, err) == (2, "millions replay: --seed must be between 0 and 2**63-1\n")
    code, _, err = _replay(capsys, str(REFERENCE), "--pack", str(tmp_path))
    assert code == 2
    assert err == f"millions replay: --pack {tmp_path}: no pack.toml there\n"
    with pytest.raises(SystemExit) as caught:
        main(["replay", str(REFERENCE), "--seed", "one"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit):
        main(["replay"])  # the solution is required


def test_every_shipped_reference_replays_verified(capsys):
    references = sorted(SOLUTIONS.glob("*.reference.toml"))
    assert len(references) >= 12
    for path in references:
        code, out, _ = _replay(capsys, str(path), "--json")
        verification = json.loads(out)["verification"]
        assert (code, verification["status"]) == (0, "verified"), path
        assert set(verification["claimed"]) == {*CAMPAIGN_METRICS, "stars"}
