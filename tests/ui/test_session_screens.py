"""Sessions on screen: the map of stateless-tier with sticky sessions and with a session store,
the inspector on the store, and the key and the button that add one."""

from __future__ import annotations

import pytest

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.simulation import Simulation
from game.engine.view import node_moves, site_view
from game.ui.widgets import ArchitectureMap, Inspector
from game.ui.widgets.session_column import HELD, SIGNED_OUT, STICKY

from .reference_runs import played_to
from .test_widgets import WidgetApp

BEYOND = load_pack(BUILTIN_PACKS / "beyond")
SIZES = [(80, 24), (120, 40)]
AFTER_THE_FIRST_LOSS = 160  # web-2 died at 150: sticky sessions have signed a quarter out


def _sim(ticks: int, reference: bool) -> Simulation:
    """stateless-tier up to `ticks`, played with its reference or with no move at all."""
    return played_to(BEYOND.level("stateless-tier"), ticks, reference)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_with_a_session_store(snap_compare, size):
    view = site_view(_sim(AFTER_THE_FIRST_LOSS, reference=True))
    assert snap_compare(WidgetApp(ArchitectureMap(), lambda w: w.show(view)), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_with_sticky_sessions_after_a_loss(snap_compare, size):
    view = site_view(_sim(AFTER_THE_FIRST_LOSS, reference=False))
    assert snap_compare(WidgetApp(ArchitectureMap(), lambda w: w.show(view)), terminal_size=size)


def test_the_map_says_where_sessions_live_and_who_is_signed_out():
    sticky = site_view(_sim(AFTER_THE_FIRST_LOSS, reference=False))
    assert sticky.sessions is not None and sticky.sessions.signed_out == pytest.approx(0.25)
    stored = site_view(_sim(AFTER_THE_FIRST_LOSS, reference=True))
    for view, words, store in ((sticky, STICKY, False), (stored, HELD, True)):
        shown = ArchitectureMap()
        shown.show(view)
        text = shown.render().plain
        assert words in text
        assert (f"25% {SIGNED_OUT}" in text) is not store
        assert ("sessions-1" in text) is store


def test_the_inspector_says_what_the_store_holds():
    sim = _sim(AFTER_THE_FIRST_LOSS, reference=True)
    view = site_view(sim)
    inspector = Inspector()
    inspector.show(view.node("sessions-1"), view, node_moves(sim, "sessions-1"))
    facts = inspector.facts.plain
    assert "holds 100% of the users' sessions" in facts
    assert "lookups/s" in facts
