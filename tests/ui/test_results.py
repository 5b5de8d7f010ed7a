"""The results explain the run: charts with a time axis and marks, the post-mortem measured on
a worker, par's moves where par did better, and rank phrases that read true."""

from __future__ import annotations

import re

import pytest
from rich.console import Console

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.metrics import METRICS
from game.engine.simulation import run
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.screens.results import ResultsScreen, rank_phrase
from game.ui.settings import AppSettings
from game.ui.widgets.post_mortem import post_mortem_text
from game.ui.widgets.run_chart import RunChart

CORE = load_pack(BUILTIN_PACKS / "core")


def _text(renderable, width: int = 160) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def _finisher(level_id: str, plan: str | None = "reference", drop: int | None = None):
    """A run_before that plays `level_id` with a solution's moves (less the `drop`th) to its
    results, and waits for the post-mortem."""
    level = CORE.level(level_id)
    moves = ()
    if plan is not None:
        moves = next(s for s in level.solutions if s.name == plan).actions
    if drop is not None:
        moves = moves[:drop] + moves[drop + 1 :]

    async def finish(pilot) -> None:
        screen = PlayScreen(level, pilot.app.settings)
        await pilot.app.push_screen(screen)
        while not screen.sim.done:
            for action in moves:
                if action.tick == screen.sim.tick:
                    screen.apply(action)
            screen.advance()
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return finish, level, moves


async def _results(level_id: str, plan: str | None = "reference", drop: int | None = None):
    app = MillionsApp(AppSettings.for_tests())
    finish, level, moves = _finisher(level_id, plan, drop)
    async with app.run_test(size=(120, 40)) as pilot:
        await finish(pilot)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        screen.chart = screen.query_one(RunChart)  # kept for the test, after the app is gone
        return screen, _text(screen.query_one("#postmortem").content), level, moves


async def test_the_post_mortem_says_what_a_run_without_each_move_scores():
    screen, words, level, moves = await _results("bigger-box")
    assert screen.post_mortem is not None
    for index in range(len(moves)):
        without = run(level.scenario, moves[:index] + moves[index + 1 :], level.scenario.seed)
        assert screen.post_mortem.effects[index].scores_without == without.scores
        latency = METRICS["latency_ms"].format(without.scores["latency_ms"])
        assert f"p95 latency {latency}" in words
    assert "resize web-1 to L" in words and "requests failed in the 30 s web-1" in words


async def test_a_narrow_post_mortem_wraps_each_move_under_its_words():
    screen, _, level, _ = await _results("bigger-box")
    shown = _text(post_mortem_text(screen.post_mortem, level.scenario.objectives), 60)
    lines = [line for line in shown.splitlines() if line.strip()]
    lines = lines[next(i for i, line in enumerate(lines) if re.match(r" +3:30 ", line)) :]
    assert len(lines) > 6  # wrapped: two moves of three lines each would be 6
    for line in lines:
        assert re.match(r" +\d+:\d\d ", line) or line.startswith(" " * 7), line


@pytest.mark.parametrize("width", [60, 80])
async def test_a_narrow_post_mortem_never_breaks_a_score_across_lines(width):
    screen, _, level, moves = await _results("bigger-box")
    shown = _text(post_mortem_text(screen.post_mortem, level.scenario.objectives), width)
    lines = shown.splitlines()
    objectives = level.scenario.objectives
    for effect in screen.post_mortem.effects:
        for goal in objectives.goals:
            metric = METRICS[goal.metric]
            other, mine = metric.format_pair(
                effect.scores_without[goal.metric], screen.post_mortem.scores[goal.metric]
            )
            piece = f"{metric.label(objectives.latency_percentile)} {other} (yours {mine})"
            assert any(piece in line for line in lines), (piece, shown)


async def test_par_s_moves_are_marked_where_par_did_better():
    screen, words, level, _ = await _results("bigger-box", plan=None)  # no moves: par is ahead
    assert "Par did better on" in words
    assert "Par: resize web-1 to L at 3:30, resize db-1 to L at 3:30" in words
    chart = screen.chart
    assert chart.par_moves == tuple(a.tick for a in level.reference.actions)
    drawn = chart.draw(100).plain
    assert "par's moves" in drawn and "your moves" in drawn and "0:00" in drawn


async def test_par_s_moves_are_left_out_when_the_run_matched_par():
    screen, words, _, _ = await _results("launch-day")
    assert "Par did better" not in words
    assert screen.chart.par_moves is None


async def test_a_new_best_behind_a_failed_run_does_not_say_2nd_a_new_best():
    app = MillionsApp(AppSettings.for_tests())
    finish, _, _ = _finisher("launch-day")
    async with app.run_test(size=(120, 40)) as pilot:
        # an earlier run that failed with a better cost than the reference will spend
        app.store.record_run("core/launch-day", {"availability": 0.5, "cost": 100.0}, 0)
        await finish(pilot)
        record = _text(app.screen.query_one("#record").content)
    cost_row = next(line for line in record.splitlines() if line.startswith("cost"))
    assert "2nd of 2" in cost_row
    assert "a new best" not in cost_row
    assert "your best pass" in cost_row


async def test_a_first_run_has_no_spread_column_of_one_run():
    app = MillionsApp(AppSettings.for_tests())
    finish, _, _ = _finisher("launch-day")
    async with app.run_test(size=(120, 40)) as pilot:
        await finish(pilot)
        record = _text(app.screen.query_one("#record").content)
    assert "your first run" in record
    assert "1 run" not in record  # no column of one run's spread, all dashes


async def test_a_failed_first_run_says_there_is_no_pass_yet():
    app = MillionsApp(AppSettings.for_tests())
    finish, _, _ = _finisher("bigger-box", plan=None)  # no moves: the level is failed
    async with app.run_test(size=(120, 40)) as pilot:
        await finish(pilot)
        assert app.screen.result.stars == 0
        record = _text(app.screen.query_one("#record").content)
    rows = [line for line in record.splitlines() if line.startswith(("availability", "cost"))]
    assert rows and all("no pass yet" in row for row in rows), record
    assert " - " not in record


@pytest.mark.parametrize(
    ("values", "mine", "new_best", "phrase"),
    [
        ([10.0], 10.0, True, "your first run"),
        ([12.0, 10.0], 10.0, True, "your best of 2, a new best"),
        ([12.0, 10.0, 11.0], 10.0, False, "your best of 3"),
        ([10.0, 12.0, 10.0], 10.0, False, "tied best of 3"),
        ([8.0, 10.0], 10.0, True, "2nd of 2, your best pass"),
        ([8.0, 9.0, 10.0], 10.0, False, "3rd of 3"),
    ],
)
def test_rank_phrases_read_true(values, mine, new_best, phrase):
    assert rank_phrase(values, mine, "cost", new_best).plain == phrase


SIZES = [(80, 24), (120, 40), (200, 50)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_results_post_mortem(snap_compare, size):
    """bigger-box's reference: two resizes, each measured; the screen scrolled to them."""
    finish, _, _ = _finisher("bigger-box")

    async def to_post_mortem(pilot) -> None:
        await finish(pilot)
        pilot.app.screen.query_one("#postmortem").scroll_visible(animate=False, top=True)
        await pilot.pause()

    assert snap_compare(
        MillionsApp(AppSettings.for_tests()), terminal_size=size, run_before=to_post_mortem
    )
