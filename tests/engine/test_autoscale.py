"""Scale rules: a pool grows after its utilization stays above the line, shrinks below the other,
keeps to its most and its floor, waits for what it added, and replays exactly."""

from __future__ import annotations

import dataclasses

import pytest

from game.engine import catalog
from game.engine.actions import Action, ScaleRule
from game.engine.simulation import Simulation, resimulate, run
from game.engine.topology import HEALTHY
from game.engine.traffic import Traffic
from game.engine.view import node_moves, preview, site_view
from tests.engine.scenarios import STATIC_ONLY, build, scenario

BOOT = catalog.KINDS["web"].boot_ticks
COOL = catalog.RULE_COOLDOWN_TICKS


def _site(*parts: str, rps: float = 150.0, duration: int = 300, **kwargs):
    start = build("balancer", *parts, "primary")
    return scenario(start, rps=rps, duration=duration, mix=STATIC_ONLY, **kwargs)


def _rule(**fields) -> Action:
    return Action(0, "rule", kind="web", rule=ScaleRule(**fields))


def _play(sc, actions) -> tuple[Simulation, list]:
    """Run to the end; every rule event and the web pool's size after each tick."""
    sim = Simulation(sc)
    plan = {}
    for a in actions:
        plan.setdefault(a.tick, []).append(a)
    events, sizes = [], []
    while not sim.done:
        for a in plan.get(sim.tick, ()):
            assert sim.apply(a).accepted, a
        report = sim.step()
        events += [e for e in report.events if e.kind == "rule"]
        sizes.append(len(sim.topology.of_kind("web")))
    return sim, events, sizes


def test_a_rule_adds_a_server_once_utilization_stays_above_its_line_for_its_seconds():
    sim, events, sizes = _play(_site("web"), [_rule(above=80, for_s=10, most=2, below=0)])
    assert [(e.tick, e.component) for e in events] == [(10, "web-2")]
    assert events[0].text == "rule added web-2 (S): utilization 150%, above 80% for 10 s"
    assert sizes[9] == 1 and sizes[10] == 2  # made at the start of tick 10, not before
    assert sim.autoscale.moves[0].action == Action(10, "add", kind="web", size="S")


def test_a_rule_does_not_act_on_a_short_spike():
    points = ((0, 100.0), (19, 100.0), (20, 190.0), (25, 190.0), (26, 100.0))
    spike = Traffic(points=points, mix=STATIC_ONLY)  # 50% utilization, 95% for 6 s
    sc = dataclasses.replace(_site("web", "web", duration=200), traffic=spike)
    _, events, _ = _play(sc, [_rule(above=80, for_s=10, most=4, below=0)])
    assert events == []


def test_a_rule_stops_at_its_most():
    _, events, sizes = _play(
        _site("web", rps=1000.0, duration=400), [_rule(above=80, for_s=5, most=3, below=0)]
    )
    assert len(events) == 2 and max(sizes) == 3


def test_after_an_add_the_rule_waits_for_the_server_and_its_cooldown():
    _, events, _ = _play(
        _site("web", rps=1000.0, duration=400), [_rule(above=80, for_s=5, most=4, below=0)]
    )
    ticks = [e.tick for e in events]
    assert ticks[0] == 5
    # The next add counts from when the first server is up plus the cooldown, then 5 s more.
    assert ticks[1] == 5 + BOOT + COOL + 5
    assert ticks[2] == ticks[1] + BOOT + COOL + 5


def test_a_rule_removes_the_newest_server_below_its_line_and_keeps_its_floor():
    sim, events, sizes = _play(
        _site("web", "web", "web", "web", rps=40.0), [_rule(above=80, for_s=10, below=30, least=2)]
    )
    assert [(e.tick, e.text) for e in events] == [
        (10, "rule removed web-4: utilization 10%, below 30% for 10 s"),
        (10 + COOL + 10, "rule removed web-3: utilization 13%, below 30% for 10 s"),
    ]
    assert sizes[-1] == 2 and min(sizes) == 2


def test_a_refused_rule_move_is_said_once_and_the_rule_keeps_trying():
    sc = _site("web", rps=1000.0, budget=4.5)  # balancer, web, primary: 3.3; one more web fits
    _, events, sizes = _play(sc, [_rule(above=80, for_s=5, most=8, below=0)])
    refusals = [e for e in events if "could not" in e.text]
    assert len(refusals) == 1
    assert "over budget" in refusals[0].text
    assert max(sizes) == 2


def test_clearing_a_rule_stops_it():
    sc = _site("web", rps=1000.0, duration=200)
    clear = Action(20, "rule", kind="web")
    _, events, sizes = _play(sc, [_rule(above=80, for_s=5, most=8, below=0), clear])
    assert [e.tick for e in events] == [5]
    assert max(sizes) == 2


def test_a_changed_rule_counts_afresh_from_the_tick_it_is_set():
    sc = _site("web", rps=1000.0, duration=200)
    first = _rule(above=80, for_s=50, most=8, below=0)
    second = Action(30, "rule", kind="web", rule=ScaleRule(above=80, for_s=40, most=8, below=0))
    _, events, _ = _play(sc, [first, second])
    assert events[0].tick == 70  # the first would have added at 50; the second counts from 30


def test_a_level_can_lock_rules_and_bad_rules_are_refused():
    locked = Simulation(_site("web", unlocked=frozenset({"web", "remove"})))
    assert locked.refusal(_rule()) == "rule is not unlocked in this level"
    assert not [m for m in node_moves(locked, "web-1") if m.action.verb == "rule"]
    sim = Simulation(_site("web"))
    assert sim.refusal(Action(0, "rule", kind="cache", rule=ScaleRule())).startswith(
        "a scale rule runs a pool of web or replica"
    )
    assert sim.refusal(Action(0, "rule", kind="web")) == "there is no web scale rule to clear"
    assert "under its add line" in sim.refusal(_rule(above=50, below=60))
    assert "sizes" in sim.refusal(_rule(size="XXL"))
    assert "from 1 to" in sim.refusal(_rule(for_s=0))
    assert "servers" in sim.refusal(_rule(least=5, most=3))
    assert sim.refusal(_rule()) == ""


def test_the_view_shows_the_rule_and_prices_it():
    sim = Simulation(_site("web"))
    move = preview(sim, _rule(size="M"))
    assert move.allowed and move.cost_change == 0
    assert move.each_added == catalog.KINDS["web"].sizes["M"].cost
    assert move.ready_in == BOOT
    offered = [m.action for m in node_moves(sim, "web-1") if m.action.verb == "rule"]
    assert offered == [Action(0, "rule", kind="web", rule=ScaleRule())]
    sim.apply(_rule(most=3))
    for _ in range(4):
        sim.step()
    (state,) = site_view(sim).rules
    # It has judged the reports of ticks 0 to 2; tick 3's it judges as tick 4 starts.
    assert (state.kind, state.rule.most, state.above_s) == ("web", 3, 3)
    offered = [m.action for m in node_moves(sim, "web-1") if m.action.verb == "rule"]
    assert offered == [_rule(most=3), Action(0, "rule", kind="web")]  # change, clear


@pytest.mark.parametrize("rewind_to", [0, 12, 40, 77])
def test_rewinding_a_run_with_a_rule_gives_back_the_same_run(rewind_to):
    ramp = Traffic(points=((0, 50.0), (150, 600.0), (300, 60.0)), mix=STATIC_ONLY)
    sc = dataclasses.replace(_site("web"), traffic=ramp)
    actions = [
        _rule(above=75, for_s=8, most=6, below=30, least=1),
        Action(100, "add", kind="web", size="M"),
    ]
    straight = Simulation(sc)
    plan = {a.tick: a for a in actions}
    for _ in range(rewind_to):
        if straight.tick in plan:
            straight.apply(plan[straight.tick])
        straight.step()
    if straight.tick in plan:
        straight.apply(plan[straight.tick])
    again = resimulate(sc, sc.seed, actions, rewind_to)
    later = [a for a in actions if a.tick > rewind_to]
    a_reports, b_reports = [], []
    for sim, reports in ((straight, a_reports), (again, b_reports)):
        steps = {a.tick: a for a in later}
        while not sim.done:
            if sim.tick in steps:
                sim.apply(steps[sim.tick])
            r = sim.step()
            events = [(e.kind, e.text) for e in r.events]
            reports.append((r.tick, r.served, dict(r.failed), r.cost, events))
    assert a_reports == b_reports
    assert any("rule added" in text for *_, events in a_reports for _, text in events)
    assert any("rule removed" in text for *_, events in a_reports for _, text in events)
    whole = run(sc, actions)
    assert whole.scores == straight.scores()


def test_no_rule_no_rule_state():
    sim = Simulation(_site("web"))
    sim.step()
    assert site_view(sim).rules == ()
    assert all(n.state == HEALTHY for n in sim.nodes())
