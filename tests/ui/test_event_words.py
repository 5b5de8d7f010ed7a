"""The event log says moves in the player's words, as the engine logged them."""

from __future__ import annotations

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.actions import Action
from game.engine.simulation import Simulation
from game.engine.view import add_moves, node_moves
from game.ui import words
from game.ui.widgets.event_log import format_event

CORE = load_pack(BUILTIN_PACKS / "core")


def _logged(sim: Simulation, action: Action) -> str:
    sim.apply(action)
    return format_event(sim.take_events()[-1]).plain


def test_moves_in_the_log_are_in_player_words() -> None:
    sim = Simulation(CORE.level("fresh-enough").scenario, seed=1)
    sim.step()
    assert _logged(sim, Action(sim.tick, "add", kind="web", size="M")).endswith(
        "Added a web server web-5 (M)"
    )
    assert _logged(
        sim,
        Action(sim.tick, "configure", target="cache", setting="invalidate_on_write", value=True),
    ).endswith("Set cache invalidation on write: on")
    assert _logged(sim, Action(sim.tick, "resize", target="web-1", size="S")).endswith(
        "Resized web-1 to S"
    )
    _logged(sim, Action(sim.tick, "add", kind="balancer", size="S"))  # the standby
    refused = _logged(sim, Action(sim.tick, "add", kind="balancer", size="S"))
    assert "REFUSED" in refused
    assert "Add a load balancer: a site has 2 load balancers at most" in refused


def test_a_balancer_is_added_without_a_size() -> None:
    sim = Simulation(CORE.level("scale-out").scenario, seed=1)
    sim.step()
    line = _logged(sim, Action(sim.tick, "add", kind="balancer", size="S"))
    assert line.endswith("Added a load balancer lb-1")  # a balancer has no size to name


def test_every_move_on_offer_reads_back_from_the_engines_words() -> None:
    """Every move a screen offers is said in player words, not in the engine's log words."""
    sim = Simulation(CORE.level("fresh-enough").scenario, seed=1)
    sim.step()
    moves = [*add_moves(sim), *(m for n in sim.nodes() for m in node_moves(sim, n.id))]
    for move in moves:
        assert words.described(move.action.describe()) == move.action
        said = words.event_words("action", "x-1", move.action.describe())
        assert said != move.action.describe() and "=" not in said and "_" not in said
