"""Data centres on screen: the map of data-centers with its two data centres (both up, and the
home one dark), the inspector on the mirror, and the key and the button that build one."""

from __future__ import annotations

import pytest

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine import catalog
from game.engine.simulation import Simulation
from game.engine.view import node_moves, site_view
from game.ui.widgets import ArchitectureMap, Inspector
from game.ui.widgets.datacenter_column import TITLE

from .reference_runs import played_to
from .test_widgets import WidgetApp

BEYOND = load_pack(BUILTIN_PACKS / "beyond")
CORE = load_pack(BUILTIN_PACKS / "core")
SIZES = [(80, 24), (120, 40)]
BOTH_UP = 300  # the mirror is built (it takes two minutes), the us data centre still up
US_DARK = 440  # us went dark at 420: two thirds of its users still fail, the rest cross to eu
US_MOVED = 490  # a TTL later: every user goes to eu


def _sim(ticks: int, reference: bool = True) -> Simulation:
    """data-centers up to `ticks`, played with its reference or with no move at all."""
    return played_to(BEYOND.level("data-centers"), ticks, reference)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_with_two_data_centres_up(snap_compare, size):
    view = site_view(_sim(BOTH_UP))
    assert snap_compare(WidgetApp(ArchitectureMap(), lambda w: w.show(view)), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_with_two_data_centres_one_dark(snap_compare, size):
    view = site_view(_sim(US_DARK))
    assert snap_compare(WidgetApp(ArchitectureMap(), lambda w: w.show(view)), terminal_size=size)


def test_the_map_gives_each_data_centre_its_state_round_trip_and_share():
    shown = ArchitectureMap()
    shown.show(site_view(_sim(BOTH_UP)))
    text = shown.render().plain
    assert TITLE in text
    assert "DC us: up, 40 ms · 60%" in text
    assert "DC eu: up, 35 ms · 40% (dc-1)" in text
    shown.show(site_view(_sim(US_MOVED)))
    text = shown.render().plain
    assert "DC us: down, 40 ms" in text
    assert "DC eu: up, 35 ms · 100% (dc-1)" in text


def test_the_map_has_no_data_centre_column_with_one_region():
    shown = ArchitectureMap()
    shown.show(site_view(_sim(10, reference=False)))
    assert "DC us: up, 40 ms · 100%" in shown.render().plain  # the level has regions
    level = CORE.level("launch-day")
    sim = Simulation(level.scenario)
    sim.step()
    shown.show(site_view(sim))
    assert TITLE not in shown.render().plain


def test_the_inspector_says_where_the_mirror_is_and_whom_it_serves():
    sim = _sim(US_MOVED)
    view = site_view(sim)
    inspector = Inspector()
    inspector.show(view.node("dc-1"), view, node_moves(sim, "dc-1"))
    facts = inspector.facts.plain
    assert "a copy of the whole site in eu, 35 ms from its users" in facts
    assert "serves 100% of all users this tick" in facts
    share = catalog.MIRROR_COST_SHARE
    assert view.node("dc-1").cost == pytest.approx(
        sim.topology.cost_per_tick() * share / (1 + share)
    )
