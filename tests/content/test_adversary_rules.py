"""The adversary against a level whose lesson is a scale rule: the rule as the lesson (a
counter's rule excepted, number for number), the reference's rules set late or flapping, its
rules' moves made by hand at fixed looks, and `levels check --adversary` reporting them like
every other strategy, on the beyond pack's autoscaling level and on a level too gentle to need
a good rule."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from game.content.adversary import attack_levels
from game.content.lessons import Node, lesson_for
from game.content.loader import parse_level, parse_plan_file
from game.content.packs import BUILTIN_PACKS, PackLevel, Solution, load_pack
from game.content.pool import run_plan
from game.content.proof_text import attack_lines
from game.content.repertoire import COUNTER, lessons_of
from game.content.rule_plays import (
    HAND_EVERY,
    RULE_FLAP_GAP,
    RULE_LATE_ABOVE,
    by_hand,
    rule_variants,
)
from game.content.strategies import start_nodes
from game.engine.actions import Action, ScaleRule
from game.engine.replay import play
from game.engine.simulation import Simulation

START = (Node("web-1", "web", "S"), Node("lb-1", "balancer", "S"))
GOOD = ScaleRule("S", 50, 5, 20, 20, 2)
RULE_PLAYS = ("rule late: above 90%", "rule late: above 95%", "rule flapping", "by hand every 30 s")


def rule(tick: int, scale: ScaleRule | None, kind: str = "web") -> Action:
    return Action(tick, "rule", kind=kind, rule=scale)


@pytest.fixture(scope="module")
def autoscaling() -> PackLevel:
    return load_pack(BUILTIN_PACKS / "beyond").level("autoscaling")


# -- which rule moves are the lesson ----------------------------------------------------------


def test_setting_a_rule_is_the_lesson_and_clearing_one_is_not():
    lesson = lesson_for("autoscaling", [rule(0, GOOD)], [], START)
    assert lesson.known
    assert not lesson.withheld([rule(0, GOOD)], START)
    assert not lesson.withheld([rule(0, GOOD, kind="replica")], START)
    assert lesson.withheld([rule(0, None), Action(5, "add", kind="web")], START)


def test_a_counters_rule_is_excepted_number_for_number():
    """The level's counter sets a rule at 90%: that rule is not the lesson, the same rule at
    89% still is, and the reference's own rule always is."""
    late = dataclasses.replace(GOOD, above=90)
    lesson = lesson_for("autoscaling", [rule(0, GOOD)], [[rule(0, late)]], START)
    assert lesson.withheld([rule(0, late)], START)
    assert not lesson.withheld([rule(0, dataclasses.replace(late, above=89))], START)
    assert not lesson.withheld([rule(0, late), rule(30, GOOD)], START)
    assert "above 90%" in lesson.describe()


# -- the plays derived from the reference's rules ---------------------------------------------


def test_the_reference_rules_are_made_late_and_flapping():
    plan = (Action(0, "add", kind="web"), rule(10, GOOD), rule(300, None))
    variants = {v.name: v.plan for v in rule_variants(plan)}
    assert list(variants) == [f"rule late: above {a}%" for a in RULE_LATE_ABOVE] + ["rule flapping"]
    for above in RULE_LATE_ABOVE:
        late = variants[f"rule late: above {above}%"]
        assert late[1].rule == dataclasses.replace(GOOD, above=above)
        assert (late[0], late[2]) == (plan[0], plan[2])  # the other moves as they were
    flapping = variants["rule flapping"][1].rule
    assert flapping == dataclasses.replace(GOOD, below=GOOD.above - RULE_FLAP_GAP)
    assert rule_variants([Action(0, "add", kind="web")]) == ()


def test_a_rule_already_near_full_is_made_no_later_than_it_is():
    near = dataclasses.replace(GOOD, above=92, below=85)
    names = [v.name for v in rule_variants([rule(0, near)])]
    assert names == ["rule late: above 95%"]  # no 90% variant, and no room to flap closer


def test_by_hand_makes_the_rules_moves_at_the_next_look(autoscaling):
    scenario = autoscaling.scenario
    reference = autoscaling.reference.actions
    sim = Simulation(scenario)
    play(sim, reference)
    made = [o.action for o in sim.autoscale.moves]
    assert len(made) >= 6 and {a.verb for a in made} == {"add", "remove"}

    hand = by_hand(scenario, reference)
    assert all(a.verb != "rule" for a in hand.plan)
    assert [a.tick for a in hand.plan] == [-(-a.tick // HAND_EVERY) * HAND_EVERY for a in made]
    assert [(a.verb, a.kind, a.target) for a in hand.plan] == [
        (a.verb, a.kind, a.target) for a in made
    ]
    assert f"{len(made)} moves" in hand.how
    # Made at the very ticks the rule made them, the moves play the reference's run again.
    exact = by_hand(scenario, reference, every=1)
    same, ruled = (
        run_plan(scenario, exact.plan, scenario.seed),
        run_plan(scenario, reference, scenario.seed),
    )
    assert same.refused == 0 and same.scores == ruled.scores
    late = run_plan(scenario, hand.plan, scenario.seed)
    assert late.refused == 0 and late.scores["latency_ms"] > ruled.scores["latency_ms"]


def test_the_variants_rules_count_as_counters_moves(autoscaling):
    start = start_nodes(autoscaling.scenario)
    (lesson,) = lessons_of(autoscaling, start)
    for variant in rule_variants(autoscaling.reference.actions):
        assert lesson.withheld(variant.plan, start), variant.name
    assert not lesson.withheld(autoscaling.reference.actions, start)


# -- the checker ------------------------------------------------------------------------------


def test_the_autoscaling_level_fails_every_rule_counter(autoscaling):
    """Late, flapping and by hand are played as counters of the lesson, fail, and are reported
    with the others; the reference and its late versions pass."""
    report = attack_levels("beyond", [autoscaling], workers=1)
    attack = report.levels[0]
    assert report.ok, attack.errors
    played = {p.name: p for p in attack.played}
    for name in RULE_PLAYS:
        assert played[name].strategy.role == COUNTER
        assert played[name].withheld == (("autoscaling",),)
        assert played[name].stars == (0, 0), name
    assert played["reference"].stars == (3, 3)
    assert played["reference 10% late"].first.passed
    text = "\n".join(attack_lines(attack))
    assert all(name in text for name in RULE_PLAYS)


GENTLE = """id = "gentle-crowd"
title = "A crowd that grows slowly"
concepts = ["autoscaling"]
briefing = "The crowd grows slowly all evening."
duration = 300
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
points = [[0, 50.0], [300, 160.0]]
mix = { static = 1.0, read = 0.0, write = 0.0, join = 0.0 }

[objectives]
availability = [0.9, 0.95, 0.99]
"""

GENTLE_REFERENCE = """level = "gentle-crowd"
name = "reference"
[expect]
stars = 3

[[actions]]
tick = 0
do = "rule"
kind = "web"
size = "S"
above = 60
for_s = 5
most = 6
below = 20
least = 1
"""


def test_a_level_a_late_rule_passes_is_flagged(tmp_path: Path, capsys):
    """The crowd grows so slowly that a rule adding at 90% keeps up: the checker says that the
    late rule passes without the lesson, like any other counter that passes."""
    level_file, scenario = parse_level(GENTLE, "gentle-crowd.toml")
    plan, actions = parse_plan_file(GENTLE_REFERENCE, "gentle-crowd.reference.toml")
    level = PackLevel(
        level_file,
        scenario,
        Path("gentle-crowd.toml"),
        (Solution("reference", Path("gentle-crowd.reference.toml"), plan, actions),),
    )
    report = attack_levels("copy", [level], workers=1)
    errors = " ".join(report.errors)
    assert "gentle-crowd: rule late: above 90% passes without autoscaling" in errors
    assert "gentle-crowd: rule late: above 95% passes without autoscaling" in errors
