"""The engine's parts keep to themselves, and its vocabulary matches what it does.

- no engine module reads or writes another object's underscored fields (a class may use its own
  on another instance of itself, as LatencyHistogram.merge does);
- the event kinds report.py lists are exactly the kinds the engine emits.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from game.engine.actions import Action, ScaleRule
from game.engine.report import EVENT_KINDS
from game.engine.scenario import Sessions
from game.engine.simulation import Simulation
from game.engine.state import EventLog
from tests.engine.scenarios import build, scenario

ENGINE = Path(__file__).resolve().parents[2] / "game" / "engine"


def _own_fields(cls: ast.ClassDef) -> set[str]:
    """The underscored names a class gives its instances: __slots__ and `self._x = ...`."""
    names: set[str] = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets
        ):
            names |= {e.value for e in ast.walk(node.value) if isinstance(e, ast.Constant)}
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "self" and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
    return {n for n in names if isinstance(n, str) and n.startswith("_")}


def _reaches(tree: ast.AST, own: set[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef):
            found += _reaches(node, own | _own_fields(node))
            continue
        if isinstance(node, ast.Attribute):
            name = node.attr
            private = name.startswith("_") and not name.startswith("__")
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if private and not on_self and name not in own:
                found.append((node.lineno, ast.unparse(node)))
        found += _reaches(node, own)
    return found


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.py")), ids=lambda p: p.name)
def test_no_module_reaches_into_another_objects_private_fields(path):
    assert _reaches(ast.parse(path.read_text()), set()) == []


def test_the_private_field_check_catches_a_reach():
    code = "class A:\n    def f(self, sim):\n        return sim._backlogs\n"
    assert _reaches(ast.parse(code), set()) == [(3, "sim._backlogs")]
    own = "class A:\n    __slots__ = ('_n',)\n    def f(self, other):\n        return other._n\n"
    assert _reaches(ast.parse(own), set()) == []


def _events(start, actions=(), incidents=(), ticks=100, users=None) -> set[str]:
    level = scenario(build(*start), rps=50, incidents=incidents, duration=ticks)
    sim = Simulation(dataclasses.replace(level, sessions=users))
    plan = {a.tick: a for a in actions}
    kinds = set()
    while not sim.done:
        if sim.tick in plan:
            sim.apply(plan[sim.tick])
        kinds |= {e.kind for e in sim.step().events}
    return kinds


def test_the_listed_event_kinds_are_those_the_engine_emits():
    emitted = _events(  # a box whose database moves out; a move refused and one made
        ["box"], [Action(0, "add", kind="web"), Action(1, "add", kind="primary")]
    )
    emitted |= _events(["web", "primary", "replica"], incidents=[(3, "db-1")])  # promoted
    emitted |= _events(  # the only replica dies during the failover: none left to promote
        ["web", "primary", "replica"], incidents=[(3, "db-1"), (5, "replica-1")]
    )
    rule = Action(0, "rule", kind="web", rule=ScaleRule(above=40, for_s=2, most=2))
    emitted |= _events(["web", "primary"], [rule])  # a scale rule adds a web server
    signing_in = Sessions(share=0.5)  # a web server holding sessions dies
    emitted |= _events(["web", "web", "primary"], incidents=[(3, "web-1")], users=signing_in)
    assert emitted == set(EVENT_KINDS)


def test_an_unlisted_event_kind_is_refused():
    log = EventLog()
    with pytest.raises(ValueError, match="repaired"):
        log.log(0, "repaired", "web-1", "web-1 is back")
    assert log.take() == []
