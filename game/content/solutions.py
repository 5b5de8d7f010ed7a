"""Solutions as evidence: a file of timed actions that says what it scored, and the check.

The engine is a function of (level, seed, actions), so a solution is nothing but its actions: a
replay re-simulates them and gets the same run. A solution file may carry a claim, a `[scores]`
table with the scores (and stars) of a recorded run on the file's `seed`; `verify` re-simulates
and compares every claimed score with the one the engine gives now.

Writing goes through the same models that reading does: `solution_toml` builds the file with
tomli-w (which escapes every string), parses the text back with the loader and refuses what the
loader would refuse, so a file this module writes always loads again, with the same actions,
seed and scores (TOML keeps a float's repr, so the scores come back bit for bit).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w

from game.content.atomic import write_atomic
from game.content.engine_objects import actions_of
from game.content.errors import LevelError, quote, suggest
from game.content.field_lines import field_line
from game.content.loader import load_file, parse_plan_file
from game.content.packs import Pack, PackLevel, load_pack, pack_folders
from game.content.schema import MAX_PACK_BYTES, STEPS, PackFile, PlanFile
from game.content.schema.plan import rule_step
from game.engine.actions import Action
from game.engine.metrics import METRICS
from game.engine.simulation import RunResult, run

# A claimed score matches when it is within a relative 1e-9 of the re-simulated one. The engine
# is deterministic, but its floats pass through libm (exp, log, pow), whose last bits may differ
# between machines, C libraries and CPUs; a claim recorded on one machine must still verify on
# another. Real tampering or a changed plan moves a score by far more than that. Near zero a
# relative tolerance means nothing: a share left over from a cancellation (8.6e-12 on one
# machine) may be 0.0 on another, so differences below an absolute 1e-9 (a billionth of a
# share, of a millisecond, of a request) count as equal too.
REL_TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-9

VERIFIED = "verified"
MISMATCHED = "mismatched"
UNCLAIMED = "unclaimed"
Status = Literal["verified", "mismatched", "unclaimed"]

STARS = "stars"  # the claim of stars, beside the metrics in [scores]
_STEP_FIELDS = {
    step.model_fields["do"].annotation.__args__[0]: [n for n in step.model_fields if n != "do"]
    for step in STEPS
}


# -- verifying ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Difference:
    """One claimed score that the re-simulation does not reproduce."""

    score: str  # a metric of game.engine.metrics.METRICS, or "stars"
    claimed: float
    actual: float

    def shown(self) -> tuple[str, str]:
        """(claimed, actual) for people, as `shown` writes a score, with more decimals if needed
        to tell them apart: "99.900%" and "98.100%", or "99.99999%" and "99.99998%"."""
        if self.score == STARS:
            return str(int(self.claimed)), str(int(self.actual))
        return METRICS[self.score].format_pair(self.claimed, self.actual)

    def __str__(self) -> str:
        claimed, actual = self.shown()
        return f"{self.score} claims {claimed}, re-simulation gives {actual}"


@dataclass(frozen=True, slots=True)
class Verification:
    """A re-simulation of a solution and how it compares with what the solution claims."""

    result: RunResult  # the re-simulated run
    claimed: Mapping[str, float] = field(default_factory=dict)  # metrics (METRICS order), stars
    claimed_seed: int = 0  # the seed the claims are for
    differences: tuple[Difference, ...] = ()

    @property
    def seed(self) -> int:
        """The seed of the re-simulation."""
        return self.result.seed

    @property
    def compared(self) -> bool:
        """Whether there were claims for this run's seed to compare."""
        return bool(self.claimed) and self.claimed_seed == self.seed

    @property
    def status(self) -> Status:
        if not self.compared:
            return UNCLAIMED
        return MISMATCHED if self.differences else VERIFIED

    @property
    def verified(self) -> bool:
        return self.status == VERIFIED

    def summary(self) -> str:
        """One line for a player: verified, what does not match, or that nothing was claimed."""
        if self.status == VERIFIED:
            return "verified: matches the scores it claims"
        if self.status == MISMATCHED:
            return "does not match: " + "; ".join(str(d) for d in self.differences)
        if self.claimed:
            return (
                f"no claimed scores for seed {self.seed} (the file claims seed"
                f" {self.claimed_seed}'s): nothing to verify"
            )
        return "no claimed scores: nothing to verify"


def claims(plan: PlanFile) -> dict[str, float]:
    """What a plan claims: its [scores] metrics in METRICS order, then stars; {} for none."""
    if plan.scores is None:
        return {}
    claimed: dict[str, float] = dict(plan.scores.claimed())
    if plan.scores.stars is not None:
        claimed[STARS] = plan.scores.stars
    return claimed


def claimed_seed(plan: PlanFile, level_seed: int) -> int:
    """The seed a plan's claims are for: its own `seed`, else its level's."""
    return level_seed if plan.seed is None else plan.seed


def compare(plan: PlanFile, result: RunResult) -> Verification:
    """Compare a plan's claims with a run of it (no simulation here; `verify` runs one)."""
    claimed = claims(plan)
    for_seed = claimed_seed(plan, result.scenario.seed)
    differences: list[Difference] = []
    if claimed and for_seed == result.seed:
        for score, value in claimed.items():
            if score == STARS:
                if value != result.stars:
                    differences.append(Difference(STARS, value, result.stars))
            elif not matches(value, result.scores[score]):
                differences.append(Difference(score, value, result.scores[score]))
    return Verification(result, claimed, for_seed, tuple(differences))


def matches(claimed: float, actual: float) -> bool:
    """Whether a claimed score is the re-simulated one (see REL_TOLERANCE for the slack)."""
    return math.isclose(claimed, actual, rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE)


def verify(level: PackLevel, plan: PlanFile, *, seed: int | None = None) -> Verification:
    """Re-simulate a plan's actions on `level` and compare the run with what the plan claims.

    The run uses `seed` if given, else the plan's seed, else the level's. Claims are only
    compared on the seed they are for; on another seed the result is UNCLAIMED.
    Raises ValueError when the plan names another level.
    """
    if plan.level is not None and plan.level != level.id:
        raise ValueError(f"the solution is for level {plan.level!r}, not {level.id!r}")
    run_seed = seed if seed is not None else claimed_seed(plan, level.scenario.seed)
    result = run(level.scenario, actions_of(plan), seed=run_seed)
    return compare(plan, result)


def par(level: PackLevel, seed: int | None = None) -> dict[str, float] | None:
    """The scores of the level's reference solution: the par a run is shown against. On the
    level's seed, except that an endless level's par is played on the run's own `seed` (its
    spikes and its length depend on it). A reference that records its scores ([scores],
    verified by `levels check`) for that seed is not run again; one that does not is
    re-simulated. None for a level without a reference."""
    reference = level.reference
    if reference is None:
        return None
    on = seed if seed is not None and level.scenario.endless is not None else level.scenario.seed
    claimed = claims(reference.file)
    claimed.pop(STARS, None)
    if claimed and claimed_seed(reference.file, level.scenario.seed) == on:
        return claimed
    return dict(run(level.scenario, reference.actions, seed=on).scores)


def claim_line(path: str | os.PathLike[str], score: str) -> int | None:
    """The line of `[scores] <score>` in a solution file, for messages (None if unreadable)."""
    return line_of(path, "scores", score)


def line_of(path: str | os.PathLike[str], *loc: str | int) -> int | None:
    """The line where field `loc` (e.g. "level") is set in a file, for messages."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return field_line(text, loc)


# -- finding the level ----------------------------------------------------------------------------


class NotInstalled(LookupError):
    """No installed pack has the level (or the pack) a solution names; `key` says which field
    of the solution is at fault: "level" or "pack"."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def find_level(
    level_id: str,
    pack_id: str | None = None,
    extra: Iterable[str | os.PathLike[str]] = (),
) -> tuple[Pack, PackLevel]:
    """The installed level a solution plays: the first pack (built-in, the user's, then `extra`,
    see pack_folders) that has `level_id`, only packs with id `pack_id` if given.

    Only the pack that has the level is loaded in full; a pack whose pack.toml cannot be read is
    passed over, unless it is named in `extra` (then its LevelError is raised). Raises
    NotInstalled (a LookupError) with a message and a did-you-mean when no pack has the level.
    """
    named = [Path(p) for p in extra]
    pack_ids: list[str] = []
    level_ids: list[str] = []
    for folder in pack_folders(named):
        try:
            manifest = load_file(PackFile, folder / "pack.toml", MAX_PACK_BYTES, "pack.toml")
        except LevelError:
            if folder in named:
                raise
            continue
        pack_ids.append(manifest.id)
        if pack_id is not None and manifest.id != pack_id:
            continue
        level_ids.extend(manifest.levels)
        if level_id in manifest.levels:
            try:
                pack = load_pack(folder)
            except LevelError:
                if folder in named:
                    raise
                continue
            return pack, pack.level(level_id)
    if pack_id is not None and pack_id not in pack_ids:
        hint = suggest(pack_id, sorted(set(pack_ids)), "packs")
        raise NotInstalled(
            f"no installed pack {quote(pack_id)}" + (f"; {hint}" if hint else ""), "pack"
        )
    where = f"pack {quote(pack_id)}" if pack_id is not None else "no installed pack"
    has = "has no" if pack_id is not None else "has"
    hint = suggest(level_id, sorted(set(level_ids)), "levels")
    raise NotInstalled(
        f"{where} {has} level {quote(level_id)}" + (f"; {hint}" if hint else ""), "level"
    )


# -- showing scores -------------------------------------------------------------------------------


def shown(score: str, value: float) -> str:
    """A score for people: 99.654%, 90 ms, 8,928, 3 (stars)."""
    return str(int(value)) if score == STARS else METRICS[score].format(value)


# -- writing --------------------------------------------------------------------------------------


def recorded(result: RunResult) -> dict[str, Any]:
    """The claim of a run, as keyword arguments of solution_toml / write_solution."""
    return {"seed": result.seed, "scores": dict(result.scores), "stars": result.stars}


def solution_toml(
    level: str,
    actions: Iterable[Action],
    *,
    pack: str | None = None,
    name: str | None = None,
    note: str = "",
    seed: int | None = None,
    scores: Mapping[str, float] | None = None,
    stars: int | None = None,
) -> str:
    """The text of a solution file: level, pack, name, note, seed, [scores], [[actions]].

    Raises LevelError (source "<solution>") when a field would not load again: a name that is
    not an id, a note with a newline or a control character, an unknown metric, a score that is
    not a finite number, too many actions, an action the plan format cannot say.
    """
    return _checked(level, tuple(actions), pack, name, note, seed, scores, stars)[0]


def solution_plan(
    level: str,
    actions: Iterable[Action],
    *,
    pack: str | None = None,
    name: str | None = None,
    note: str = "",
    seed: int | None = None,
    scores: Mapping[str, float] | None = None,
    stars: int | None = None,
) -> PlanFile:
    """The validated PlanFile that solution_toml would write (to verify before writing)."""
    return _checked(level, tuple(actions), pack, name, note, seed, scores, stars)[1]


def write_solution(
    path: str | os.PathLike[str],
    level: str,
    actions: Iterable[Action],
    *,
    pack: str | None = None,
    name: str | None = None,
    note: str = "",
    seed: int | None = None,
    scores: Mapping[str, float] | None = None,
    stars: int | None = None,
) -> Path:
    """Write a solution file atomically: a reader sees the old file or the new one, never half.

    The text goes to a temporary file in the same folder, is flushed and fsynced, and then
    replaces `path` (os.replace); the folder is fsynced so that the rename survives a crash.
    Raises LevelError for content that would not load again (see solution_toml), OSError for
    the file system.
    """
    text = solution_toml(
        level,
        actions,
        pack=pack,
        name=name,
        note=note,
        seed=seed,
        scores=scores,
        stars=stars,
    )
    return write_atomic(path, text.encode("utf-8"))


def _checked(
    level: str,
    actions: tuple[Action, ...],
    pack: str | None,
    name: str | None,
    note: str,
    seed: int | None,
    scores: Mapping[str, float] | None,
    stars: int | None,
) -> tuple[str, PlanFile]:
    """Build the text, then load it back: the text and its PlanFile, or a LevelError."""
    source = "<solution>"
    head: dict[str, Any] = {"level": level}
    for key, value in (("pack", pack), ("name", name), ("note", note), ("seed", seed)):
        if value not in (None, ""):
            head[key] = value
    if scores is not None or stars is not None:
        table: dict[str, Any] = {}
        for metric, value in (scores or {}).items():
            table[metric] = float(value) if isinstance(value, int | float) else value
        ordered = {m: table.pop(m) for m in METRICS if m in table}
        ordered.update(table)  # unknown metrics last: the loader names them
        if stars is not None:
            ordered[STARS] = stars
        head["scores"] = ordered
    try:
        parts = [tomli_w.dumps(head)]
        for action in actions:
            parts.append("\n[[actions]]\n" + tomli_w.dumps(_step(action)))
    except (TypeError, ValueError) as error:  # a value TOML cannot hold (e.g. an object)
        raise LevelError.single(source, f"cannot write the solution: {error}") from None
    text = "".join(parts)
    plan, loaded = parse_plan_file(text, source)
    if [_step(a) for a in loaded] != [_step(a) for a in actions]:  # fields a verb ignores aside
        raise LevelError.single(
            source, "cannot write the solution: an action does not read back as itself"
        )
    return text, plan


def _step(action: Action) -> dict[str, Any]:
    """An action as a plan step: tick, do, then the fields its verb takes."""
    if action.verb == "rule":
        return rule_step(action)
    fields = _STEP_FIELDS.get(action.verb)
    if fields is None:
        raise ValueError(f"unknown action {action.verb!r}")
    step: dict[str, Any] = {"tick": action.tick, "do": action.verb}
    for name in fields:
        if name != "tick":
            step[name] = getattr(action, name)
    return step
