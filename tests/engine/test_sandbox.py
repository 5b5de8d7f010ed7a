"""The sandbox's moves: a traffic change from a tick on, and a component failed by hand."""

import pytest

from game.engine import replay, sandbox
from game.engine.actions import Action
from game.engine.simulation import Simulation
from game.engine.topology import FAILED
from game.engine.traffic import Mix
from tests.engine.scenarios import STATIC_ONLY, build, scenario


def _site():
    return scenario(build("box:M"), rps=100.0, duration=60)


def _play(actions, until=60):
    sim = Simulation(_site(), seed=7, sandbox=True)
    reports = []
    outcomes = replay.play(sim, actions, until=until, on_report=lambda s, r: reports.append(r))
    return sim, reports, outcomes


def test_traffic_move_sets_the_rate_from_its_tick_on():
    move = sandbox.traffic_move(20, 250.0, Mix())
    _, reports, outcomes = _play([move])
    assert all(o.accepted for o in outcomes)
    assert [r.rps for r in reports[:20]] == [100.0] * 20
    assert [r.rps for r in reports[20:]] == [250.0] * 40


def test_traffic_move_changes_the_mix():
    move = sandbox.traffic_move(0, 100.0, STATIC_ONLY)
    sim, _, _ = _play([move], until=1)
    assert sim.scenario.traffic.mix == STATIC_ONLY


def test_fail_move_fails_the_component_at_its_tick():
    _, reports, outcomes = _play([Action(10, "fail", target="box-1")], until=12)
    assert outcomes[0].accepted, outcomes[0].reason
    assert reports[9].failed == {} or sum(reports[9].failed.values()) == 0
    # the only server is down: the tick it fails, no request is served
    assert reports[10].served == 0 and sum(reports[10].failed.values()) > 0
    assert any(e.kind == "failed" and "by hand" in e.text for e in reports[10].events)


def test_the_same_sandbox_moves_replay_to_the_same_ticks():
    moves = [
        sandbox.traffic_move(5, 400.0, Mix(0.1, 0.6, 0.2, 0.1)),
        Action(15, "fail", target="box-1"),
        sandbox.traffic_move(30, 50.0, Mix()),
    ]
    _, first, _ = _play(moves)
    _, second, _ = _play(moves)
    assert [(r.rps, r.served, r.failed) for r in first] == [
        (r.rps, r.served, r.failed) for r in second
    ]


@pytest.mark.parametrize(
    ("action", "why"),
    [
        (Action(0, "traffic", value="lots"), "rate"),
        (Action(0, "traffic", value=-1.0), "between"),
        (Action(0, "traffic", value=10.0, setting="50/50/10/0"), "sum to 100"),
        (Action(0, "traffic", value=10.0, setting="a/b"), "four shares"),
        (Action(0, "fail", target="box-9"), "no component"),
    ],
)
def test_bad_sandbox_moves_are_refused_with_a_reason(action, why):
    sim = Simulation(_site(), seed=7, sandbox=True)
    assert why in sim.refusal(action)


def test_sandbox_moves_are_refused_outside_the_sandbox():
    sim = Simulation(_site(), seed=7)
    outcome = sim.apply(Action(0, "fail", target="box-1"))
    assert not outcome.accepted and "only allowed in the sandbox" in outcome.reason
    assert sim.topology.nodes["box-1"].state != FAILED


def test_a_failed_component_cannot_fail_again():
    sim = Simulation(_site(), seed=7, sandbox=True)
    assert sim.apply(Action(0, "fail", target="box-1")).accepted
    assert "already failed" in sim.refusal(Action(0, "fail", target="box-1"))
