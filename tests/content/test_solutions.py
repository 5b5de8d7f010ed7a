"""Solution files that carry their scores: the schema, verifying by re-simulation, writing."""

from __future__ import annotations

import math
import os
import shutil
import stat
import tomllib
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.cli import main
from game.content.checker import check_pack
from game.content.errors import LevelError
from game.content.loader import load_plan_file, parse_plan_file
from game.content.packs import BUILTIN_PACKS, PackLevel, load_pack
from game.content.scaffold import create_pack
from game.content.schema import PlanFile
from game.content.solutions import (
    MISMATCHED,
    UNCLAIMED,
    VERIFIED,
    Difference,
    claims,
    compare,
    find_level,
    matches,
    recorded,
    solution_plan,
    solution_toml,
    verify,
    write_solution,
)
from game.engine.actions import Action
from game.engine.endless import ENDLESS_METRICS
from game.engine.metrics import METRICS
from game.engine.scenario import JOB_METRICS
from game.engine.simulation import run

CORE = BUILTIN_PACKS / "core"
# What a core level scores (not an endless level's, nor a level-with-jobs' oldest job).
CLAIMED = (*(m for m in METRICS if m not in ENDLESS_METRICS + JOB_METRICS), "stars")


@pytest.fixture(scope="module")
def core():
    return load_pack(CORE)


@pytest.fixture(scope="module")
def primary_down(core) -> PackLevel:
    return core.level("primary-down")


@pytest.fixture()
def random_pack(tmp_path: Path) -> Path:
    """The starter pack with random failures, so that its results depend on the seed."""
    root = tmp_path / "random"
    create_pack(root)
    level = root / "first-split.toml"
    failures = '\n[failures]\nrandom = true\nmtbf_scale = 0.01\nkinds = ["box", "primary"]\n'
    level.write_text(level.read_text() + failures)
    return root


def _plan(text: str) -> PlanFile:
    return parse_plan_file(text, "<test>")[0]


def _with(path: Path, old: str, new: str) -> str:
    text = path.read_text()
    assert old in text, old
    return text.replace(old, new, 1)


def _score_line(text: str, score: str) -> str:
    """The `score = ...` line of a file's [scores] table."""
    table = text[text.index("[scores]") :]
    return next(line for line in table.splitlines() if line.startswith(f"{score} = "))


# -- the shipped reference solutions --------------------------------------------------------------


def test_every_shipped_reference_replays_to_its_recorded_scores(core):
    checked = 0
    for level in core.levels:
        reference = level.reference
        assert reference is not None, level.id
        assert tuple(claims(reference.file)) == CLAIMED, f"{reference.path}: claims every score"
        verification = verify(level, reference.file)
        assert verification.status == VERIFIED, (reference.path, verification.summary())
        assert verification.seed == level.scenario.seed
        assert verification.result.stars == reference.file.scores.stars == 3
        checked += 1
    assert checked == len(core.levels) >= 12


def test_reference_files_keep_their_expectation_and_actions(core):
    """Adding [scores] did not change what the references were: 3 stars, the same actions."""
    for level in core.levels:
        reference = level.reference
        assert reference.file.expect.stars == 3
        assert reference.actions, reference.path
        assert "[scores]" in reference.path.read_text()


def test_a_tampered_score_is_named_with_both_values(primary_down):
    path = primary_down.reference.path
    line = _score_line(path.read_text(), "availability")
    plan = _plan(_with(path, line, "availability = 0.999"))
    verification = verify(primary_down, plan)
    assert verification.status == MISMATCHED
    assert [d.score for d in verification.differences] == ["availability"]
    assert verification.differences[0].claimed == 0.999
    assert verification.summary() == (
        "does not match: availability claims 99.900%, re-simulation gives 99.654%"
    )


def test_a_tampered_action_is_caught_by_the_scores(primary_down):
    path = primary_down.reference.path
    plan = _plan(_with(path, "tick = 241", "tick = 300"))  # promote a minute later
    verification = verify(primary_down, plan)
    assert verification.status == MISMATCHED
    named = {d.score for d in verification.differences}
    assert "availability" in named
    for difference in verification.differences:
        assert difference.claimed == claims(plan)[difference.score]
        assert difference.actual != difference.claimed
        assert f"{difference.score} claims" in verification.summary()


def test_tampered_stars_are_named(primary_down):
    path = primary_down.reference.path
    text = path.read_text()
    scores_at = text.index("[scores]")
    tail = text[scores_at:].replace("stars = 3", "stars = 2", 1)
    verification = verify(primary_down, _plan(text[:scores_at] + tail))
    assert [(d.score, d.claimed, d.actual) for d in verification.differences] == [("stars", 2, 3)]
    assert "stars claims 2, re-simulation gives 3" in verification.summary()


# -- comparing ------------------------------------------------------------------------------------


def test_tolerance_is_relative_1e_9_for_machines_whose_libm_differs(primary_down):
    result = run(primary_down.scenario, primary_down.reference.actions)
    cost = result.scores["cost"]
    assert matches(cost, cost * (1 + 1e-12))
    assert matches(cost, cost * (1 + 5e-10))
    assert not matches(cost, cost * (1 + 1e-8))
    assert not matches(cost, cost + 0.01)
    assert matches(0.0, 5e-10)  # a share left over from a cancellation
    assert not matches(0.0, 1e-6)

    def claim(**scores: float) -> PlanFile:
        table = "\n".join(f"{k} = {v!r}" for k, v in scores.items())
        return _plan(f'level = "primary-down"\n[scores]\n{table}\n')

    assert compare(claim(cost=cost * (1 + 1e-12)), result).status == VERIFIED
    assert compare(claim(cost=cost * (1 + 1e-7)), result).status == MISMATCHED


def test_only_claimed_scores_are_compared(primary_down):
    result = run(primary_down.scenario, primary_down.reference.actions)
    only_cost = _plan(f'level = "primary-down"\n[scores]\ncost = {result.scores["cost"]!r}\n')
    verification = compare(only_cost, result)
    assert verification.status == VERIFIED
    assert dict(verification.claimed) == {"cost": result.scores["cost"]}


def test_nothing_claimed_is_unclaimed(primary_down):
    verification = verify(primary_down, _plan('level = "primary-down"\n'))
    assert verification.status == UNCLAIMED
    assert not verification.verified
    assert verification.summary() == "no claimed scores: nothing to verify"


def test_claims_hold_for_their_seed_only(primary_down):
    path = primary_down.reference.path
    plan = _plan(path.read_text())
    other = verify(primary_down, plan, seed=primary_down.scenario.seed + 1)
    assert other.seed == primary_down.scenario.seed + 1
    assert other.status == UNCLAIMED
    assert "no claimed scores for seed" in other.summary()
    assert verify(primary_down, plan, seed=primary_down.scenario.seed).status == VERIFIED


def test_a_plan_seed_is_the_seed_its_scores_are_for(random_pack: Path):
    level = load_pack(random_pack).level("first-split")
    actions = level.reference.actions
    result = run(level.scenario, actions, seed=3)
    assert result.scores != run(level.scenario, actions).scores  # seeds matter here
    plan = solution_plan("first-split", actions, **recorded(result))
    assert plan.seed == 3
    verification = verify(level, plan)
    assert verification.seed == 3
    assert verification.status == VERIFIED
    moved = solution_plan("first-split", actions, **{**recorded(result), "seed": 4})
    assert verify(level, moved).status == MISMATCHED


def test_verify_refuses_a_plan_for_another_level(core):
    plan = core.level("skewed").reference.file
    with pytest.raises(ValueError, match="skewed"):
        verify(core.level("primary-down"), plan)


def test_a_difference_shows_enough_digits_to_differ():
    assert Difference("availability", 0.999, 0.981).shown() == ("99.900%", "98.100%")
    claimed, actual = Difference("availability", 0.99999991, 0.99999992).shown()
    assert claimed != actual
    assert Difference("latency_ms", 90.3, 95.1).shown() == ("90 ms", "95 ms")
    assert Difference("latency_ms", 90.3, 90.4).shown() == ("90.3 ms", "90.4 ms")
    assert str(Difference("cost", 8928.0, 9001.5)) == (
        "cost claims 8,928, re-simulation gives 9,002"
    )


# -- the schema -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "[scores]\navailabilty = 0.5\n",
            'scores.availabilty: unknown key; did you mean "availability"?',
        ),
        ("[scores]\nstar = 3\n", 'did you mean "stars"?'),
        ("[scores]\navailability = 1.5\n", "scores.availability: must be at most 1"),
        ("[scores]\ncost = -1.0\n", "scores.cost: must be at least 0"),
        ("[scores]\ncost = nan\n", "scores.cost: must be a finite number"),
        ("[scores]\nlatency_ms = inf\n", "must be a finite number"),
        ('[scores]\ncost = "12"\n', "scores.cost: expected a number"),
        ("[scores]\nstars = 4\n", "scores.stars: must be at most 3"),
        ("[scores]\nstars = 3.0\n", "scores.stars: expected an integer"),
        ("seed = -1\n", "seed: must be at least 0"),
        ("seed = true\n", "seed: expected an integer"),
        ("seed = 1.5\n", "seed: expected an integer"),
        ('pack = "Core Pack"\n', "pack: "),
    ],
)
def test_bad_claims_say_where_and_why(text: str, words: str):
    with pytest.raises(LevelError) as caught:
        parse_plan_file('level = "x"\n' + text, "mine.toml")
    message = str(caught.value)
    assert words in message
    assert message.startswith("mine.toml:")


def test_integer_scores_read_as_floats():
    plan = _plan("[scores]\nlost_writes = 0\ncost = 12\n")
    assert claims(plan) == {"cost": 12.0, "lost_writes": 0.0}
    assert isinstance(plan.scores.cost, float)


def test_json_schema_accepts_written_solutions_and_refuses_bad_scores(primary_down):
    validator = jsonschema.Draft202012Validator(PlanFile.model_json_schema())
    result = run(primary_down.scenario, primary_down.reference.actions)
    text = solution_toml(
        "primary-down", primary_down.reference.actions, pack="core", **recorded(result)
    )
    validator.validate(tomllib.loads(text))
    assert not validator.is_valid({"level": "x", "scores": {"availabilty": 0.5}})
    assert not validator.is_valid({"level": "x", "scores": {"stars": 4}})
    assert not validator.is_valid({"level": "x", "seed": -1})


# -- writing --------------------------------------------------------------------------------------

EVERY_VERB = (
    Action(0, "add", kind="replica", size="L"),
    Action(5, "add", kind="cache"),
    Action(9, "configure", target="cache", setting="ttl", value=30.0),
    Action(9, "configure", target="cache", setting="eviction", value="lfu"),
    Action(9, "configure", target="cache", setting="invalidate_on_write", value=True),
    Action(12, "resize", target="replica-1", size="XL"),
    Action(40, "promote", target="replica-1"),
    Action(50, "remove", target="cache-1"),
)


def test_write_then_load_gives_the_same_actions_seed_and_scores(tmp_path: Path, primary_down):
    actions = primary_down.reference.actions
    result = run(primary_down.scenario, actions, seed=11)
    path = write_solution(
        tmp_path / "mine.toml",
        "primary-down",
        actions,
        pack="core",
        name="mine",
        note="promote early",
        **recorded(result),
    )
    plan, loaded = load_plan_file(path)
    assert loaded == actions
    assert plan.seed == 11
    assert (plan.level, plan.pack, plan.name, plan.note) == (
        "primary-down",
        "core",
        "mine",
        "promote early",
    )
    assert {m: getattr(plan.scores, m) for m in result.scores} == result.scores  # bit for bit
    assert plan.scores.stars == result.stars
    assert verify(primary_down, plan).status == VERIFIED


def test_the_written_format(primary_down):
    text = solution_toml(
        "primary-down",
        EVERY_VERB[:2],
        pack="core",
        name="mine",
        note="two adds",
        seed=8,
        scores={"cost": 12.5, "availability": 0.25},
        stars=1,
    )
    assert text == (
        'level = "primary-down"\n'
        'pack = "core"\n'
        'name = "mine"\n'
        'note = "two adds"\n'
        "seed = 8\n"
        "\n"
        "[scores]\n"
        "availability = 0.25\n"
        "cost = 12.5\n"
        "stars = 1\n"
        "\n"
        "[[actions]]\n"
        "tick = 0\n"
        'do = "add"\n'
        'kind = "replica"\n'
        'size = "L"\n'
        "\n"
        "[[actions]]\n"
        "tick = 5\n"
        'do = "add"\n'
        'kind = "cache"\n'
        'size = "S"\n'
    )


def test_every_verb_round_trips():
    plan, loaded = parse_plan_file(solution_toml("somewhere", EVERY_VERB))
    assert loaded == EVERY_VERB
    assert plan.scores is None and plan.seed is None and plan.pack is None


def test_optional_fields_are_left_out():
    text = solution_toml("somewhere", ())
    assert text == 'level = "somewhere"\n'
    assert tomllib.loads(solution_toml("x", (), seed=0)) == {"level": "x", "seed": 0}


SCORE = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
SHARE = st.floats(min_value=0, max_value=1, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    scores=st.fixed_dictionaries(
        {
            "availability": SHARE,
            "latency_ms": SCORE,
            "cost": SCORE,
            "stale_share": SHARE,
            "lost_writes": SCORE,
        }
    ),
    seed=st.integers(min_value=0, max_value=2**63 - 1),
    stars=st.integers(min_value=0, max_value=3),
    note=st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=80),
)
def test_any_scores_and_note_round_trip_exactly(scores, seed, stars, note):
    text = solution_toml("x", EVERY_VERB, note=note, seed=seed, scores=scores, stars=stars)
    plan, loaded = parse_plan_file(text)
    assert loaded == EVERY_VERB
    assert plan.seed == seed
    assert plan.note == note
    for metric, value in scores.items():
        assert getattr(plan.scores, metric) == value
        assert math.copysign(1, getattr(plan.scores, metric)) == math.copysign(1, value)
    assert plan.scores.stars == stars


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"note": "clear \x1b[2J the screen"}, "control character"),
        ({"note": "two\nlines"}, "one line"),
        ({"note": "x" * 201}, "characters long"),
        ({"name": "My Solution"}, "not a valid id"),
        ({"pack": "../core"}, "not a valid id"),
        ({"scores": {"availabilty": 0.5}}, 'did you mean "availability"?'),
        ({"scores": {"cost": float("nan")}}, "finite number"),
        ({"scores": {"cost": float("inf")}}, "finite number"),
        ({"stars": 5}, "at most 3"),
        ({"seed": -3}, "at least 0"),
    ],
)
def test_the_writer_refuses_what_the_loader_would(tmp_path: Path, fields, words):
    target = tmp_path / "bad.toml"
    with pytest.raises(LevelError) as caught:
        write_solution(target, "primary-down", EVERY_VERB[:1], **fields)
    assert words in str(caught.value)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_the_writer_refuses_an_unknown_verb_and_a_bad_level():
    with pytest.raises(LevelError, match="unknown action"):
        solution_toml("x", (Action(0, "explode"),))
    with pytest.raises(LevelError, match="not a valid id"):
        solution_toml("Level One", ())


def test_quotes_backslashes_and_markup_are_escaped_not_refused():
    note = 'say "hi" \\ [bold]loud[/] \u00e9\u4e2d'
    plan = _plan(solution_toml("x", (), note=note))
    assert plan.note == note


def test_writing_replaces_a_file_atomically(tmp_path: Path, monkeypatch):
    target = tmp_path / "mine.toml"
    write_solution(target, "one", EVERY_VERB[:1], note="first")
    os.chmod(target, 0o600)
    write_solution(target, "one", EVERY_VERB[:2], note="second")
    assert load_plan_file(target)[0].note == "second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml"]

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="No space"):
        write_solution(target, "one", EVERY_VERB, note="third")
    assert load_plan_file(target)[0].note == "second"  # the old file is whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml"]


def test_a_new_file_is_readable_by_others(tmp_path: Path):
    target = write_solution(tmp_path / "new.toml", "one", ())
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_the_writer_flushes_and_fsyncs_before_replacing(tmp_path: Path, monkeypatch):
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1]
    )
    write_solution(tmp_path / "s.toml", "one", EVERY_VERB)
    assert calls[:2] == ["fsync", "replace"]


# -- finding a solution's level -------------------------------------------------------------------


def test_find_level_in_the_installed_packs(tmp_path: Path):
    pack, level = find_level("primary-down")
    assert (pack.id, level.id) == ("core", "primary-down")
    assert find_level("primary-down", "core")[1].id == "primary-down"
    with pytest.raises(LookupError, match='did you mean "primary-down"'):
        find_level("primary-dwn")
    with pytest.raises(LookupError, match='no installed pack "cor"; did you mean "core"'):
        find_level("primary-down", "cor")
    create_pack(tmp_path / "mine")
    with pytest.raises(LookupError, match='pack "core" has no level "first-split"'):
        find_level("first-split", "core", [tmp_path / "mine"])
    pack, level = find_level("first-split", None, [tmp_path / "mine"])
    assert (pack.id, level.id) == ("mine", "first-split")


def test_find_level_reports_a_broken_named_pack(tmp_path: Path):
    create_pack(tmp_path / "mine")
    manifest = tmp_path / "mine" / "pack.toml"
    manifest.write_text(manifest.read_text().replace("format = 1", "format = 9"))
    with pytest.raises(LevelError, match="format"):
        find_level("first-split", None, [tmp_path / "mine"])


# -- `millions levels check` verifies the claims ------------------------------------------------


@pytest.fixture()
def one_level_core(tmp_path: Path) -> Path:
    """A copy of the core pack cut down to the level primary-down (quick to check)."""
    root = tmp_path / "core"
    shutil.copytree(CORE, root)
    manifest = root / "pack.toml"
    text = manifest.read_text()
    start = text.index("levels = [")
    end = text.index("]", start)
    manifest.write_text(text[:start] + 'levels = ["primary-down"]' + text[end + 1 :])
    for path in (root / "solutions").iterdir():
        if not path.name.startswith("primary-down."):
            path.unlink()
    return root


def test_check_verifies_the_claims_of_a_copy(one_level_core: Path):
    report = check_pack(load_pack(one_level_core), workers=1)
    assert report.ok, report.flags
    verified = [row for row in report.rows if row.verification is not None]
    assert [row.solution for row in verified] == ["reference"]
    assert verified[0].verification.status == VERIFIED


def test_check_fails_a_tampered_score_naming_file_line_and_score(one_level_core: Path, capsys):
    path = one_level_core / "solutions" / "primary-down.reference.toml"
    text = path.read_text()
    line = _score_line(text, "cost")
    path.write_text(text.replace(line, "cost = 8000.0"))
    number = text.splitlines().index(line) + 1
    report = check_pack(load_pack(one_level_core), workers=1)
    assert not report.ok
    flags = [flag for flag in report.flags if "scores." in flag]
    assert flags == [
        f"{path}:{number}: scores.cost: claims 8,000, re-simulation gives 8,928 (seed 8)"
    ]
    assert main(["levels", "check", str(one_level_core)]) == 1
    out = capsys.readouterr().out
    assert "DIFFER" in out
    assert "scores.cost" in out


def test_check_fails_a_tampered_action(one_level_core: Path):
    path = one_level_core / "solutions" / "primary-down.reference.toml"
    path.write_text(path.read_text().replace("tick = 241", "tick = 239"))
    report = check_pack(load_pack(one_level_core), workers=1)
    assert not report.ok
    assert any(f"{path}:" in flag and "scores." in flag for flag in report.flags), report.flags


def test_check_runs_a_claimed_seed_it_would_not_run_otherwise(random_pack: Path):
    level = load_pack(random_pack).level("first-split")
    path = random_pack / "solutions" / "first-split.reference.toml"
    result = run(level.scenario, level.reference.actions, seed=40)
    table = "".join(f"{m} = {value!r}\n" for m, value in result.scores.items())
    text = path.read_text()
    actions_at = text.index("[[actions]]")
    path.write_text(
        "seed = 40\n"
        + text[:actions_at]
        + f"[scores]\n{table}stars = {result.stars}\n\n"
        + text[actions_at:]
    )
    report = check_pack(load_pack(random_pack), workers=1)
    row = next(r for r in report.rows if r.solution == "reference")
    assert row.verification.seed == 40
    assert row.verification.status == VERIFIED
    assert [r.seed for r in row.results] == [level.scenario.seed]  # expectations: its own seed
    assert not [flag for flag in report.flags if "scores." in flag]

    path.write_text(path.read_text().replace("seed = 40", "seed = 41"))
    report = check_pack(load_pack(random_pack), workers=1)
    flags = [flag for flag in report.flags if "scores." in flag]
    assert flags and all(flag.startswith(f"{path}:") and "(seed 41)" in flag for flag in flags)
    assert not report.ok


def test_check_flags_a_solution_that_names_another_pack(one_level_core: Path):
    path = one_level_core / "solutions" / "primary-down.reference.toml"
    path.write_text('pack = "elsewhere"\n' + path.read_text())
    report = check_pack(load_pack(one_level_core), workers=1)
    assert any("names pack 'elsewhere'" in flag for flag in report.flags)
