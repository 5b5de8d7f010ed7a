"""The post-mortem: each move measured by a direct run of the level without it."""

from __future__ import annotations

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.postmortem import postmortem
from game.engine.simulation import Simulation, run

CORE = load_pack(BUILTIN_PACKS / "core")


def _failed_by_tick(scenario, seed, actions):
    from game.engine import replay

    failed = []
    sim = Simulation(scenario, seed)
    replay.play(sim, actions, on_report=lambda _s, r: failed.append(r.failed_total))
    return failed


def test_without_it_is_a_direct_run_without_that_move():
    for level_id in ("bigger-box", "primary-down", "key-lookups"):
        level = CORE.level(level_id)
        moves = level.reference.actions
        seed = level.scenario.seed
        found = postmortem(level.scenario, seed, moves)
        assert found.scores == run(level.scenario, moves, seed).scores
        assert len(found.effects) == min(len(moves), 12)
        for effect in found.effects:
            without = moves[: effect.index] + moves[effect.index + 1 :]
            assert effect.scores_without == run(level.scenario, without, seed).scores
            if effect.outage:
                window = slice(effect.action.tick, effect.action.tick + effect.outage)
                assert effect.failed == sum(_failed_by_tick(level.scenario, seed, moves)[window])
                assert effect.failed_without == sum(
                    _failed_by_tick(level.scenario, seed, without)[window]
                )


def test_a_resize_is_measured_over_its_restart():
    level = CORE.level("launch-day")
    (resize,) = level.reference.actions
    (effect,) = postmortem(level.scenario, level.scenario.seed, (resize,)).effects
    assert effect.out_of_service == "box-1"
    assert effect.outage > 0
    assert effect.failed > effect.failed_without  # the box was down while it restarted


def test_the_number_of_moves_measured_is_bounded():
    level = CORE.level("key-lookups")
    moves = level.reference.actions
    found = postmortem(level.scenario, level.scenario.seed, moves, limit=3)
    assert [e.index for e in found.effects] == [0, 1, 2]
    assert found.unmeasured == len(moves) - 3


def test_a_move_a_later_one_needs_counts_the_later_one_as_refused():
    level = CORE.level("primary-down")
    add_replica, promote = level.reference.actions
    effects = postmortem(level.scenario, level.scenario.seed, (add_replica, promote)).effects
    assert effects[0].refused_without == 1  # no replica to promote
    assert effects[1].refused_without == 0
