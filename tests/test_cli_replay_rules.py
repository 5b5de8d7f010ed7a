"""A solution with a scale rule: written, read back and replayed by `millions replay` to the
scores it recorded; the rule's own moves are not in the file, the engine makes them again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from game.cli import main
from game.content.loader import parse_plan_file
from game.content.packs import BUILTIN_PACKS, load_pack
from game.content.scaffold import create_pack
from game.content.solutions import recorded, write_solution
from game.engine.actions import Action, ScaleRule
from game.engine.simulation import run
from game.store import schema
from game.store.tables import action_docs, actions_of

LEVEL = '''id = "growing-crowd"
title = "A crowd that keeps growing"
concepts = ["autoscaling"]
briefing = """
The crowd grows all evening. Set a scale rule on the web servers and let it keep up.
"""
duration = 400
seed = 3
unlocked = ["web", "remove", "rule"]

[[start]]
kind = "balancer"

[[start]]
kind = "web"

[[start]]
kind = "primary"
size = "XL"

[traffic]
points = [[0, 60.0], [300, 600.0], [400, 100.0]]
mix = { static = 1.0, read = 0.0, write = 0.0, join = 0.0 }

[objectives]
availability = [0.9, 0.95, 0.99]
'''

RULE = Action(0, "rule", kind="web", rule=ScaleRule("M", 75, 8, 6, 25, 1))
ACTIONS = (RULE, Action(200, "add", kind="web", size="S"), Action(350, "rule", kind="web"))


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    """A pack whose level unlocks rules, with the beyond pack's autoscaling codex entry."""
    folder = tmp_path / "crowds"
    create_pack(folder)
    manifest = folder / "pack.toml"
    manifest.write_text(manifest.read_text().replace('["first-split"]', '["growing-crowd"]'))
    (folder / "first-split.toml").unlink()
    for old in (folder / "solutions").iterdir():
        old.unlink()
    (folder / "growing-crowd.toml").write_text(LEVEL)
    shutil.copy(BUILTIN_PACKS / "beyond" / "codex" / "autoscaling.toml", folder / "codex")
    return folder


def _replay(capsys, *args: str) -> tuple[int, str]:
    code = main(["replay", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def test_a_solution_with_a_scale_rule_replays_to_its_recorded_scores(pack, tmp_path, capsys):
    level = load_pack(pack).level("growing-crowd")
    assert level.scenario.allows("rule")
    result = run(level.scenario, ACTIONS)
    made = [o for o in result.outcomes if o.action.verb == "rule"]
    assert len(made) == 2 and all(o.accepted for o in made)
    path = write_solution(tmp_path / "rule.toml", "growing-crowd", ACTIONS, **recorded(result))
    text = path.read_text()
    assert 'do = "rule"' in text and "above = 75" in text and "clear = true" in text
    assert "rule added" not in text  # the rule's moves are the engine's, not the file's
    code, out = _replay(capsys, str(path), "--pack", str(pack))
    assert code == 0, out
    assert out.rstrip().splitlines()[-1] == "verified: matches the scores it claims"

    # The rule matters: the same file with a lazier rule does not give the recorded scores.
    tampered = tmp_path / "lazy.toml"
    tampered.write_text(text.replace("above = 75", "above = 99", 1))
    code, out = _replay(capsys, str(tampered), "--pack", str(pack))
    assert code == 1
    assert out.rstrip().splitlines()[-1].startswith("does not match: ")


def test_a_rule_step_reads_as_the_engine_move():
    text = (
        'level = "growing-crowd"\n\n[[actions]]\ntick = 5\ndo = "rule"\nkind = "web"\n'
        "above = 70\nfor_s = 20\nmost = 4\n\n"
        '[[actions]]\ntick = 9\ndo = "rule"\nkind = "replica"\nclear = true\n'
    )
    _, actions = parse_plan_file(text, "<test>")
    assert actions == (
        Action(5, "rule", kind="web", rule=ScaleRule(above=70, for_s=20, most=4)),
        Action(9, "rule", kind="replica"),
    )


@pytest.mark.parametrize(
    "fields, words",
    [
        ('kind = "cache"', "kind"),
        ('kind = "web"\nabove = 0', "above"),
        ('kind = "web"\nabove = 50\nbelow = 60', "below"),
        ('kind = "web"\nleast = 9\nmost = 3', "least"),
        ('kind = "web"\nfor_s = 2.5', "for_s"),
    ],
)
def test_a_bad_rule_step_says_where(fields, words):
    from game.content.errors import LevelError

    text = f'level = "x"\n\n[[actions]]\ntick = 0\ndo = "rule"\n{fields}\n'
    with pytest.raises(LevelError) as caught:
        parse_plan_file(text, "<test>")
    assert words in str(caught.value)


def test_a_rule_move_is_saved_and_read_back():
    docs = action_docs(ACTIONS)
    stored = [schema.ActionDoc.model_validate(d.model_dump()).model_dump() for d in docs]
    assert actions_of(stored) == ACTIONS
    older = {k: v for k, v in docs[1].model_dump().items() if k != "rule"}  # saved before rules
    assert actions_of([older]) == (ACTIONS[1],)
