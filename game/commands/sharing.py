"""`millions replay | export | import`: solutions as files that anyone can verify.

A solution is named by a file, or by `[PACK/]LEVEL:NAME`: a solution the player saved (in the
saves folder), else one the level's pack ships (`launch-day:reference`). Replaying re-simulates
it and compares the scores it claims; exporting writes its re-simulated scores beside its moves;
importing accepts a file only if its claims hold, and keeps it among the player's solutions.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from game.commands.output import fail, first_problem, print_run_summary, seed_problem
from game.content.engine_objects import actions_of
from game.content.errors import LevelError
from game.content.loader import load_plan_file
from game.content.packs import Pack, PackLevel
from game.content.schema import PlanFile
from game.content.solutions import (
    MISMATCHED,
    STARS,
    NotInstalled,
    Verification,
    find_level,
    line_of,
    shown,
    solution_plan,
    verify,
)
from game.content.visible import visible
from game.engine.summary import summarize
from game.store import SavedSolution, SaveError, SavesLocked, Store, saves_folder
from game.store.campaign import level_key
from game.store.exports import ClaimsDoNotHold, export_solution, saved_plan

REPLAY = "millions replay"
EXPORT = "millions export"
IMPORT = "millions import"
EXIT_MISMATCH = 1


class Unusable(Exception):
    """A solution that cannot be found or read; the message is the one line to print."""


@dataclass(frozen=True)
class Found:
    pack: Pack
    level: PackLevel
    plan: PlanFile
    source: str  # where it came from, in words


def run(args: argparse.Namespace) -> int:
    return {"replay": _replay, "export": _export, "import": _import}[args.command](args)


# -- replay -----------------------------------------------------------------------------------


def _replay(args: argparse.Namespace) -> int:
    bad_seed = seed_problem(args.seed)
    if bad_seed:
        return fail(REPLAY, bad_seed)
    try:
        found = _find(args.solution, args)
    except Unusable as error:
        return fail(REPLAY, error)
    return replay_solution(
        found.level, found.plan, seed=args.seed, as_json=args.json, pack=found.pack.id
    )


def replay_solution(
    level: PackLevel,
    plan: PlanFile,
    *,
    seed: int | None = None,
    as_json: bool = False,
    pack: str = "",
) -> int:
    """Re-simulate an already loaded solution on its level, print the run and the verdict.

    Returns the exit status: 0 verified or nothing claimed, 1 when the claims do not match.
    """
    verification = verify(level, plan, seed=seed)
    summary = summarize(verification.result)
    if as_json:
        summary["pack"] = pack or None
        summary["verification"] = {
            "status": verification.status,
            "message": verification.summary(),
            # every digit, unlike "scores" above: what a [scores] table should record
            "recorded": {**verification.result.scores, "stars": verification.result.stars},
            "claimed_seed": verification.claimed_seed,
            "claimed": dict(verification.claimed),
            "differences": [
                {"score": d.score, "claimed": d.claimed, "actual": d.actual}
                for d in verification.differences
            ],
        }
        print(json.dumps(summary, sort_keys=False))
    else:
        print_run_summary(summary, level.scenario.title)
        _print_claims(verification)
        print(verification.summary())
    return EXIT_MISMATCH if verification.status == MISMATCHED else 0


def _print_claims(verification: Verification) -> None:
    """The re-simulated scores beside what the solution claims."""
    result = verification.result
    actual = {**result.scores, STARS: result.stars}
    compared = verification.compared
    table = Table(title=f"Scores on seed {result.seed}", title_justify="left")
    for column in ("score", "re-simulation", "claimed", ""):
        table.add_column(column, justify="left" if column == "score" else "right")
    differences = {d.score: d for d in verification.differences}
    for score, value in actual.items():
        claimed = verification.claimed.get(score) if compared else None
        now, claim, mark = shown(score, value), "-", Text("")
        if claimed is not None and score in differences:
            claim, now = differences[score].shown()
            mark = Text("differs", style="bold red")
        elif claimed is not None:
            claim, mark = shown(score, claimed), Text("matches", style="green")
        table.add_row(Text(score), now, claim, mark)
    Console(highlight=False).print(table)


# -- export -----------------------------------------------------------------------------------


def _export(args: argparse.Namespace) -> int:
    try:
        found = _find(args.solution, args, files=False)
    except Unusable as error:
        return fail(EXPORT, error)
    name = found.plan.name or "solution"
    target = args.output or Path(f"{found.pack.id}.{found.level.id}.{name}.toml")
    try:
        verification = export_solution(
            found.pack, found.level, found.plan, target, replace=args.force
        )
    except ClaimsDoNotHold as error:
        return fail(EXPORT, f"{found.source}: {error}; not exported")
    except FileExistsError:
        return fail(EXPORT, f"{target} exists; pass --force to replace it, or -o FILE")
    except OSError as error:
        return fail(EXPORT, f"cannot write {target}: {error.strerror or error}")
    except LevelError as error:
        return fail(EXPORT, first_problem(error))
    result = verification.result
    stars = _stars(result.stars)
    print(f"wrote {visible(target)}: {found.level.id} on seed {result.seed}, {stars}")
    return 0


# -- import -----------------------------------------------------------------------------------


def _import(args: argparse.Namespace) -> int:
    try:
        found = _find(str(args.solution), args, saved=False)
    except Unusable as error:
        return fail(IMPORT, error)
    verification = verify(found.level, found.plan)
    if verification.status == MISMATCHED:
        print(verification.summary())
        return fail(IMPORT, f"{args.solution}: its claimed scores do not hold; not imported")
    wanted = args.name or found.plan.name or args.solution.stem.rsplit(".", 1)[-1]
    try:
        plan = solution_plan(found.level.id, actions_of(found.plan), name=wanted)
    except LevelError:
        return fail(IMPORT, f"--name {wanted!r}: use lowercase letters, digits and dashes")
    folder = saves_folder(getattr(args, "saves", None))
    try:
        store = Store.open(folder)
    except SavesLocked as error:
        return fail(IMPORT, f"{error} (the game must be closed to import)")
    except SaveError as error:
        return fail(IMPORT, error)
    for notice in store.notices:  # e.g. where a save that could not be read was moved
        print(visible(f"{IMPORT}: {notice}"), file=sys.stderr)
    try:
        key = level_key(found.pack, found.level)
        name = store.free_name(key, plan.name)
        result = verification.result
        solution = SavedSolution(
            key, name, result.seed, actions_of(plan), dict(result.scores), result.stars
        )
        store.save_solution(solution)
    except SaveError as error:
        return fail(IMPORT, error)
    finally:
        store.close()
    renamed = f" (as {name!r}: {plan.name!r} was taken)" if name != plan.name else ""
    print(
        f"imported {visible(args.solution)} into your solutions for {key}{renamed}: "
        f"{verification.summary()}, {_stars(result.stars)}"
    )
    return 0


# -- finding a solution -----------------------------------------------------------------------


def _find(named: str, args: argparse.Namespace, files: bool = True, saved: bool = True) -> Found:
    """The solution `named` (a file, or [PACK/]LEVEL:NAME) with its level; Unusable if not."""
    packs = [*args.pack, *args.command_packs]
    for folder in packs:
        if not (folder / "pack.toml").is_file():
            raise Unusable(f"--pack {folder}: no pack.toml there")
    path = Path(named)
    if files and (path.exists() or ":" not in named or path.suffix == ".toml"):
        return _from_file(path, packs)
    if ":" not in named:
        raise Unusable(f"{named!r}: name a saved solution as [PACK/]LEVEL:NAME")
    where, _, name = named.rpartition(":")
    pack_id, _, level_id = where.rpartition("/")
    pack, level = _level(level_id, pack_id or None, packs, named)
    if saved:
        mine = _saved(args, level_key(pack, level), name)
        if mine is not None:
            return Found(pack, level, saved_plan(pack, level, mine), f"your solution {named}")
    shipped = next((s for s in level.solutions if s.name == name), None)
    if shipped is None:
        mine_names = _saved_names(args, level_key(pack, level)) if saved else []
        ship_names = [s.name for s in level.solutions]
        known = ", ".join(sorted(set(mine_names + ship_names))) or "none"
        raise Unusable(f"{named}: no solution {name!r} for {level.id} (there are: {known})")
    return Found(pack, level, shipped.file, str(shipped.path))


def _from_file(path: Path, packs: list[Path]) -> Found:
    source = str(path)
    try:
        plan, _ = load_plan_file(path)
    except LevelError as error:
        raise Unusable(first_problem(error)) from None
    if plan.level is None:
        raise Unusable(f'{source}: level: a solution names its level: level = "<level id>"')
    try:
        pack, level = find_level(plan.level, plan.pack, packs)
    except LevelError as error:
        raise Unusable(first_problem(error)) from None
    except NotInstalled as error:
        line = line_of(path, error.key)
        where = f"{source}:{line}" if line else source
        raise Unusable(f"{where}: {error.key}: {error}") from None
    return Found(pack, level, plan, source)


def _level(level_id: str, pack_id: str | None, packs: list[Path], named: str):
    try:
        return find_level(level_id, pack_id, packs)
    except LevelError as error:
        raise Unusable(first_problem(error)) from None
    except NotInstalled as error:
        raise Unusable(f"{named}: {error}") from None


def _saved(args: argparse.Namespace, key: str, name: str) -> SavedSolution | None:
    return _read_saves(args).solution(key, name)


def _saved_names(args: argparse.Namespace, key: str) -> list[str]:
    return [s.name for s in _read_saves(args).solutions(key)]


def _read_saves(args: argparse.Namespace) -> Store:
    """The player's saves, read without the lock: a running game does not stop a replay."""
    try:
        return Store.read_only(saves_folder(getattr(args, "saves", None)))
    except SaveError as error:
        raise Unusable(str(error)) from None


def _stars(stars: int) -> str:
    return f"{stars} star{'s' * (stars != 1)}" if stars else "not passed"
