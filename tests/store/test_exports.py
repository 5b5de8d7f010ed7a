"""Export done once: the game and `millions export` both re-simulate a solution before writing
it, refuse one whose claimed scores do not hold, and write the scores the re-simulation gave."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from game.content.loader import load_plan_file
from game.content.packs import BUILTIN_PACKS, load_pack
from game.content.solutions import verify
from game.store import SavedSolution, Store
from game.store.exports import ClaimsDoNotHold, export_solution, saved_plan

CORE = load_pack(BUILTIN_PACKS / "core")
LEVEL = CORE.level("launch-day")
KEY = "core/launch-day"
MOVES = LEVEL.reference.actions
TAMPERED = {"availability": 0.999, "latency_ms": 50.0, "cost": 1.0}  # a cost no run has


def test_an_export_claims_the_resimulated_scores(tmp_path: Path) -> None:
    """A draft that recorded no scores is written with those of its re-simulation, and the
    file verifies when replayed."""
    draft = SavedSolution(KEY, "draft", None, MOVES)
    target = tmp_path / "draft.toml"
    verification = export_solution(CORE, LEVEL, saved_plan(CORE, LEVEL, draft), target)
    plan, _ = load_plan_file(target)
    assert plan.level == "launch-day" and plan.pack == "core" and plan.name == "draft"
    assert plan.scores is not None
    assert dict(plan.scores.claimed()) == verification.result.scores
    assert plan.scores.stars == verification.result.stars == 3
    assert verify(LEVEL, plan).verified


def test_a_solution_whose_claims_do_not_hold_is_not_written(tmp_path: Path) -> None:
    tampered = SavedSolution(KEY, "tampered", None, MOVES, TAMPERED, 3)
    target = tmp_path / "tampered.toml"
    with pytest.raises(ClaimsDoNotHold, match="cost claims 1") as refused:
        export_solution(CORE, LEVEL, saved_plan(CORE, LEVEL, tampered), target)
    assert str(refused.value).startswith("does not match: ")
    assert not target.exists()


def test_an_existing_file_is_replaced_only_when_asked(tmp_path: Path) -> None:
    plan = saved_plan(CORE, LEVEL, SavedSolution(KEY, "mine", None, MOVES))
    target = tmp_path / "mine.toml"
    target.write_text("someone else's")
    with pytest.raises(FileExistsError):
        export_solution(CORE, LEVEL, plan, target)
    assert target.read_text() == "someone else's"
    export_solution(CORE, LEVEL, plan, target, replace=True)
    assert load_plan_file(target)[0].name == "mine"


def test_the_solutions_screen_refuses_what_does_not_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The game's export (e on "Your solutions") goes through the same check: a saved solution
    whose recorded scores the re-simulation does not give is not written, and the player is
    told which score differs; one that holds is written with its verified scores."""
    from game.ui.app import MillionsApp
    from game.ui.screens.solutions import SolutionsScreen
    from game.ui.settings import AppSettings

    monkeypatch.setenv("MILLIONS_PACKS", str(tmp_path / "no-user-packs"))
    store = Store.open(tmp_path / "saves")
    store.save_solution(SavedSolution(KEY, "honest", None, MOVES))
    store.save_solution(SavedSolution(KEY, "tampered", None, MOVES, TAMPERED, 3))
    exports = tmp_path / "saves" / "exports"

    async def export_both() -> list[tuple[str, str]]:
        app = MillionsApp(AppSettings.for_tests(), store)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await app.push_screen(SolutionsScreen(CORE, LEVEL))
            await pilot.pause()
            await pilot.press("e")  # "honest" is highlighted first
            await pilot.press("down", "e")  # then "tampered"
            await pilot.pause()
            return [(note.title, note.message) for note in app._notifications]

    notes = asyncio.run(export_both())
    assert notes[0] == ("Exported", f"Written to {exports / 'core.launch-day.honest.toml'}")
    honest, _ = load_plan_file(exports / "core.launch-day.honest.toml")
    assert honest.scores is not None and verify(LEVEL, honest).verified
    title, message = notes[1]
    assert title == "Not exported"
    assert message.startswith("does not match: ") and "cost claims 1" in message
    assert not (exports / "core.launch-day.tampered.toml").exists()
