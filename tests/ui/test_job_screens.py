"""A site with a message queue and workers on screen: the play screen of queue-jobs, the map
and the inspector on the queue and on a worker, and the keys and buttons that add them."""

from __future__ import annotations

import pytest

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.simulation import Simulation
from game.engine.view import node_moves, site_view
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings
from game.ui.widgets import ArchitectureMap, Inspector
from game.ui.words import label

from .reference_runs import played_to
from .test_widgets import WidgetApp

BEYOND = load_pack(BUILTIN_PACKS / "beyond")
SIZES = [(80, 24), (120, 40)]
AFTER_THE_RUSH = 205  # the rush is over at 195: the workers are catching up


def _reference():
    """queue-jobs and its reference's moves."""
    level = BEYOND.level("queue-jobs")
    return level, next(s for s in level.solutions if s.name == "reference").actions


def _playing(ticks: int):
    level, actions = _reference()

    async def run_before(pilot) -> None:
        screen = PlayScreen(level, pilot.app.settings)
        await pilot.app.push_screen(screen)
        while screen.sim.tick < ticks:
            for action in actions:
                if action.tick == screen.sim.tick:
                    screen.apply(action)
            screen.advance()
        screen.query_one("#log").clear()
        await pilot.pause()

    return MillionsApp(AppSettings.for_tests()), run_before


def _sim(ticks: int) -> Simulation:
    """queue-jobs played with its reference up to `ticks`."""
    return played_to(BEYOND.level("queue-jobs"), ticks)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_play_with_a_queue_after_the_rush(snap_compare, size):
    app, before = _playing(AFTER_THE_RUSH)
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_with_a_queue_and_workers(snap_compare, size):
    view = site_view(_sim(AFTER_THE_RUSH))
    assert snap_compare(WidgetApp(ArchitectureMap(), lambda w: w.show(view)), terminal_size=size)


@pytest.mark.parametrize("node_id", ["mq-1", "worker-2"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_inspector_on_the_queue_and_a_worker(snap_compare, size, node_id):
    sim = _sim(AFTER_THE_RUSH)
    view, moves = site_view(sim), node_moves(sim, node_id)

    def feed(inspector: Inspector) -> None:
        inspector.show(view.node(node_id), view, moves)

    assert snap_compare(WidgetApp(Inspector(), feed), terminal_size=size)


def test_the_inspector_reads_depth_age_and_prices_from_the_view():
    sim = _sim(AFTER_THE_RUSH)
    view = site_view(sim)
    jobs = view.jobs
    assert jobs is not None and jobs.depth > 1000 and jobs.oldest_s > 10
    inspector = Inspector()
    inspector.show(view.node("mq-1"), view, node_moves(sim, "mq-1"))
    facts = inspector.facts.plain
    assert f"holds {jobs.depth / 1000:.1f}k of 5.0k jobs" in facts
    assert f"oldest waited {jobs.oldest_s:.0f} s" in facts
    resize = [m for m in node_moves(sim, "mq-1") if m.action.verb == "resize"]
    assert [label(m) for m in resize] == [
        f"{m.action.size} · +{m.cost_change:g}/tick" for m in resize
    ]
    inspector.show(view.node("worker-1"), view, node_moves(sim, "worker-1"))
    assert f"{jobs.utilization:.0%} utilization" in inspector.facts.plain
