"""Solutions leave the saves as files anyone can verify, by the same rules from the game and
from the command line: a solution is re-simulated before it is written, one whose claimed
scores do not hold is refused, and the file claims the scores the re-simulation gave.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from game.content.engine_objects import actions_of
from game.content.input_file import special_kind
from game.content.packs import Pack, PackLevel
from game.content.schema import PlanFile
from game.content.solutions import MISMATCHED, Verification, solution_plan, verify, write_solution
from game.store.solutions import SavedSolution


class ClaimsDoNotHold(Exception):
    """The re-simulation does not give the scores the solution claims; nothing was written.
    The message is the verification's summary ("does not match: cost claims ...")."""

    def __init__(self, verification: Verification) -> None:
        super().__init__(verification.summary())
        self.verification = verification


def saved_plan(pack: Pack, level: PackLevel, solution: SavedSolution) -> PlanFile:
    """A solution from the saves as the plan of a solution file, claiming what it recorded.
    Raises LevelError when it cannot be said as a file (see content.solutions.solution_plan)."""
    return solution_plan(
        level.id,
        solution.actions,
        pack=pack.id,
        name=solution.name,
        seed=solution.seed,
        scores=solution.scores,
        stars=solution.stars,
    )


def export_solution(
    pack: Pack, level: PackLevel, plan: PlanFile, path: Path, *, replace: bool = False
) -> Verification:
    """Re-simulate `plan` on `level` and write it to `path` as a solution file claiming the
    re-simulated seed, scores and stars; the verification says what was compared.

    Raises ClaimsDoNotHold when the plan's claims differ from the re-simulation,
    FileExistsError when `path` exists and not `replace`, LevelError when the solution cannot
    be written as a file that loads again, OSError for the file system and when `path` is a
    link or a special file (never replaced: a link is not followed, a FIFO stays one).
    """
    verification = verify(level, plan)
    if verification.status == MISMATCHED:
        raise ClaimsDoNotHold(verification)
    if os.path.lexists(path):
        kind = special_kind(os.lstat(path).st_mode)
        if kind:  # replacing it would put a regular file where a link, FIFO or device was
            raise OSError(errno.EINVAL, f"it is {kind}, not a regular file; it was left as it is")
        if not replace:
            raise FileExistsError(str(path))
    result = verification.result
    write_solution(
        path,
        level.id,
        actions_of(plan),
        pack=pack.id,
        name=plan.name or "solution",
        note=plan.note,
        seed=result.seed,
        scores=result.scores,
        stars=result.stars,
    )
    return verification
