"""Packs: loading with path safety, cross-file rules, the checker, and the shipped campaign."""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console
from rich.text import Text

from game.cli import main
from game.content.checker import check_pack
from game.content.errors import LevelError
from game.content.loader import level_json_schema
from game.content.packs import BUILTIN_PACKS, load_pack, pack_folders
from game.content.scaffold import create_pack
from game.content.schema import CodexFile, PackFile, PlanFile

CORE = BUILTIN_PACKS / "core"
# The curriculum of the core campaign (shared/design/curriculum.md), and the balancer as a
# single point of failure (issue 12): every concept must be required by some level.
CURRICULUM = (
    "single-server",
    "dns",
    "tier-split",
    "sql-vs-nosql",
    "vertical-scaling",
    "horizontal-scaling",
    "load-balancer",
    "balancer-spof",
    "replication",
    "failover",
    "cache-tier",
    "cache-expiry",
    "cache-consistency",
    "cache-spof",
    "cache-eviction",
    "cdn",
)
EXTRA_SEEDS = 2


@pytest.fixture(scope="module")
def core_report():
    return check_pack(load_pack(CORE))  # extra seeds: test_every_shipped_pack_is_proven


@pytest.fixture()
def starter(tmp_path: Path) -> Path:
    path = tmp_path / "starter"
    create_pack(path)
    return path


# -- the shipped packs -------------------------------------------------------------------------


def test_every_shipped_pack_is_proven():
    """`millions levels check --seeds 2` over every installed pack exits 0."""
    assert pack_folders(), "no packs are installed"
    assert main(["levels", "check", "--seeds", str(EXTRA_SEEDS)]) == 0


def test_core_campaign_makes_every_concept_necessary(core_report):
    pack = load_pack(CORE)
    assert len(pack.levels) >= 16
    for concept in CURRICULUM:
        assert concept in pack.codex, f"no codex entry for {concept}"
        teaching = [level for level in pack.levels if concept in level.file.concepts]
        assert teaching, f"no level teaches {concept}"
        proven = [
            level
            for level in teaching
            if any(
                row.level == level.id and row.met and row.expected == "3 stars"
                for row in core_report.rows
            )
            and any(
                s.counter and s.file.lesson == concept and _row(core_report, level.id, s.name).met
                for s in level.solutions
            )
        ]
        assert proven, f"no level proves {concept} is needed (3 stars with it, fails without)"
    assert core_report.ok, core_report.flags


def _row(report, level, solution):
    return next(r for r in report.rows if r.level == level and r.solution == solution)


def test_exported_schemas_validate_every_shipped_file():
    """The JSON Schemas from `millions levels schema` accept every shipped file."""
    validators = {
        "level": jsonschema.Draft202012Validator(level_json_schema()),
        "pack": jsonschema.Draft202012Validator(PackFile.model_json_schema()),
        "solution": jsonschema.Draft202012Validator(PlanFile.model_json_schema()),
        "codex": jsonschema.Draft202012Validator(CodexFile.model_json_schema()),
    }
    checked = 0
    for folder in pack_folders():
        for path in sorted(folder.rglob("*.toml")):
            kind = (
                "pack"
                if path.name == "pack.toml"
                else {"solutions": "solution", "codex": "codex"}.get(path.parent.name, "level")
            )
            validators[kind].validate(tomllib.loads(path.read_text()))
            checked += 1
    assert checked >= 40


# -- the scaffold ---------------------------------------------------------------------------


def test_a_new_pack_passes_check(starter: Path):
    report = check_pack(load_pack(starter), 1, workers=1)
    assert report.ok, report.flags
    assert [row.met for row in report.rows] == [True, True, True]


def test_a_check_on_two_processes_reports_what_one_process_does(starter: Path):
    """The runs are spread over a process pool and gathered as they finish: the report, row by
    row and flag by flag, is the one a single process writes running them in order."""
    level = starter / "first-split.toml"
    level.write_text(level.read_text().replace("[0, 20.0], [300, 60.0]", "[0, 5.0], [300, 10.0]"))
    pack = load_pack(starter)
    alone, pooled = check_pack(pack, 2, workers=1), check_pack(pack, 2, workers=2)
    assert pooled.flags == alone.flags and pooled.flags  # the untouched start passes
    seen = [
        (r.level, r.solution, [(x.seed, x.stars, x.scores) for x in r.results]) for r in alone.rows
    ]
    assert seen == [
        (r.level, r.solution, [(x.seed, x.stars, x.scores) for x in r.results]) for r in pooled.rows
    ]
    assert [len(r.results) for r in pooled.rows] == [1, 3, 3]


def test_new_refuses_a_folder_in_use(starter: Path, capsys):
    assert main(["levels", "new", str(starter)]) == 2
    assert "already exists" in capsys.readouterr().err


# -- what check flags ---------------------------------------------------------------------------


def test_check_flags_a_level_the_untouched_start_passes(starter: Path):
    level = starter / "first-split.toml"
    level.write_text(level.read_text().replace("[0, 20.0], [300, 60.0]", "[0, 5.0], [300, 10.0]"))
    report = check_pack(load_pack(starter), workers=1)
    assert any("untouched starting build passes" in flag for flag in report.flags)
    assert not report.ok


def test_check_flags_unreachable_three_stars(starter: Path):
    level = starter / "first-split.toml"
    level.write_text(level.read_text().replace("[1000.0, 900.0, 850.0]", "[1000.0, 900.0, 100.0]"))
    report = check_pack(load_pack(starter), workers=1)
    assert any("no solution reaches three stars" in flag for flag in report.flags)
    assert main(["levels", "check", str(starter)]) == 1


def test_check_flags_an_unlocked_kind_the_limits_never_let_the_player_add(starter: Path):
    """A CDN in the starting build is the one a site may have: unlocking cdn then offers a move
    that is always refused, unless remove is unlocked too."""
    level = starter / "first-split.toml"
    text = level.read_text().replace(
        '[[start]]\nkind = "box"', '[[start]]\nkind = "box"\n\n[[start]]\nkind = "cdn"'
    )
    level.write_text(text.replace('unlocked = ["primary"]', 'unlocked = ["primary", "cdn"]'))
    report = check_pack(load_pack(starter), workers=1)
    assert (
        "first-split: unlocks cdn, but its starting build already has the most a site may"
        " have (1) and it cannot be removed: take cdn out of unlocked"
    ) in report.flags
    assert main(["levels", "check", str(starter)]) == 1
    level.write_text(
        text.replace('unlocked = ["primary"]', 'unlocked = ["primary", "cdn", "remove"]')
    )
    assert not any("unlocks" in flag for flag in check_pack(load_pack(starter), workers=1).flags)


def test_check_flags_a_budget_without_room_above_the_reference(starter: Path):
    """The reference's site costs 2.8 a tick (box S and primary S): a budget of 2.9 admits it,
    but a player a little less tidy would be refused; 5% room is the rule."""
    level = starter / "first-split.toml"
    level.write_text(level.read_text().replace("budget = 6.0", "budget = 2.9"))
    report = check_pack(load_pack(starter), workers=1)
    assert any(
        flag.startswith("first-split: the budget (2.9 a tick) leaves less than 5% room")
        and "tick 0" in flag
        for flag in report.flags
    ), report.flags
    level.write_text(level.read_text().replace("budget = 2.9", "budget = 2.95"))
    assert check_pack(load_pack(starter), workers=1).ok


# -- bad packs ------------------------------------------------------------------------------


def _break(starter: Path, change) -> str:
    change(starter)
    with pytest.raises(LevelError) as caught:
        load_pack(starter)
    return str(caught.value)


def _edit(name: str, old: str, new: str):
    def change(root: Path) -> None:
        path = root / name
        path.write_text(path.read_text().replace(old, new))

    return change


def _symlink_out(root: Path) -> None:
    outside = root.parent / "secret.toml"
    shutil.copy(root / "first-split.toml", outside)
    (root / "first-split.toml").unlink()
    os.symlink(outside, root / "first-split.toml")


@pytest.mark.parametrize(
    "change, words",
    [
        (_symlink_out, "leads outside the pack folder"),
        (
            _edit("pack.toml", '"first-split"]', '"first-split", "missing"]'),
            "missing.toml: no such file",
        ),
        (_edit("pack.toml", '"first-split"]', '"../first-split"]'), "levels[0]"),
        (_edit("first-split.toml", '"split-tiers"', '"no-such-idea"'), "no codex entry"),
        (_edit("first-split.toml", "{{primary.boot_ticks}}", "{{primary.nap}}"), "placeholder"),
        (_edit("codex/split-tiers.toml", "{{primary.S.capacity}}", "{{PI}}"), "placeholder"),
        (_edit("first-split.toml", 'id = "first-split"', 'id = "other"'), "listed as"),
        (
            _edit("solutions/first-split.reference.toml", 'name = "reference"', 'name = "ref"'),
            "must be named",
        ),
        (
            _edit(
                "solutions/first-split.reference.toml", 'level = "first-split"', 'level = "gone"'
            ),
            "must be named",
        ),
        (
            _edit("solutions/first-split.without-split-tiers.toml", 'lesson = "split-tiers"\n', ""),
            "must name the lesson",
        ),
        (_edit("pack.toml", "format = 1", "format = 2"), "format"),
        (
            _edit(
                "first-split.toml", 'title = "The database moves out"', 'title = "bad\\u001b[2J"'
            ),
            "control character",
        ),
    ],
)
def test_a_bad_pack_is_refused_with_a_clear_message(starter: Path, change, words):
    assert words in _break(starter, change)


def test_too_many_solution_files_are_refused(starter: Path, monkeypatch):
    monkeypatch.setattr("game.content.packs.MAX_SOLUTIONS", 1)
    assert "at most 1 are read" in _break(starter, lambda root: None)


def test_markup_in_a_title_is_shown_literally(starter: Path):
    """A title may contain brackets; screens render it as text, so it cannot style anything."""
    _edit("first-split.toml", "The database moves out", "[bold red]Moves[/] out")(starter)
    title = load_pack(starter).level("first-split").file.title
    console = Console(width=60, record=True)
    console.print(Text(title))
    assert "[bold red]Moves[/] out" in console.export_text()


def test_briefings_and_codex_get_catalog_figures(starter: Path):
    from game.engine import catalog

    pack = load_pack(starter)
    boot = catalog.KINDS["primary"].boot_ticks
    assert f"{boot} s" in pack.level("first-split").briefing
    assert "{{" not in pack.codex["split-tiers"].text
