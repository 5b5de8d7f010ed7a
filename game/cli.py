"""The `millions` command: play, or run a scenario headlessly.

Every failure a user can cause (a bad file, a bad argument) ends in a one-line message and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from game.content.errors import LevelError
    from game.content.packs import PackLevel
    from game.content.schema import PlanFile
    from game.content.solutions import Verification

EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="millions",
        description="Zero to Millions: keep a web site up from its first user to millions.",
    )
    parser.add_argument(
        "--pack",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="also offer the level pack in this folder (repeatable)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sim = commands.add_parser(
        "sim",
        help="run a scenario headlessly and print its scores",
        description="Run a level file with an optional plan of timed actions.",
    )
    sim.add_argument("scenario", type=Path, help="a level file (TOML)")
    sim.add_argument("--plan", type=Path, help="a TOML file of timed actions")
    sim.add_argument("--seed", type=int, help="override the level's seed")
    sim.add_argument("--json", action="store_true", help="print one JSON object")

    replay = commands.add_parser(
        "replay",
        help="re-simulate a solution file and check the scores it claims",
        description="Re-simulate a solution file's actions on its level (found by its `level`,"
        " and `pack` if given, among the installed packs) and compare the scores with those the"
        " file claims in its [scores] table. Exits 0 when they match or nothing is claimed, 1"
        " when they do not match, 2 for a bad file or argument.",
    )
    replay.add_argument("solution", help="a solution file (TOML)")
    replay.add_argument("--seed", type=int, help="re-simulate on this seed (default: the file's)")
    replay.add_argument("--json", action="store_true", help="print one JSON object")
    replay.add_argument(
        "--pack",
        dest="replay_packs",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="also look for the level in the pack in this folder (repeatable)",
    )

    levels = commands.add_parser("levels", help="tools for level authors")
    tools = levels.add_subparsers(dest="tool", metavar="TOOL", required=True)
    check = tools.add_parser(
        "check",
        help="validate packs and prove every level with its solutions",
        description="Validate packs (default: every installed pack), run each solution on the"
        " level's seed and on extra seeds, and flag levels an untouched start passes or whose"
        " three stars no solution reaches. Exits 0 only when everything holds.",
    )
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="pack folders")
    check.add_argument("--seeds", type=int, default=0, help="extra seeds per solution (0-50)")
    check.add_argument("--pack", type=Path, action="append", default=[], help="another pack")
    new = tools.add_parser("new", help="create a pack with one working level")
    new.add_argument("path", type=Path, help="a folder that does not exist yet")
    tools.add_parser(
        "schema", help="print the JSON Schema of level, pack, solution and codex files"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader went away (`millions ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "sim":
        return _sim(args)
    if args.command == "replay":
        return replay_command(args)
    if args.command == "levels":
        from game import authoring

        return authoring.run(args)
    for folder in args.pack:
        if not (folder / "pack.toml").is_file():
            return fail("millions", f"--pack {folder}: no pack.toml there")
    from game.ui.app import MillionsApp
    from game.ui.settings import AppSettings

    app = MillionsApp(AppSettings(packs=tuple(args.pack)))
    app.run()
    return app.return_code or 0


def _sim(args: argparse.Namespace) -> int:
    from game.content.errors import LevelError
    from game.content.loader import load_level, load_plan
    from game.engine.simulation import run
    from game.engine.summary import summarize

    try:
        _, scenario = load_level(args.scenario)
        actions = load_plan(args.plan) if args.plan else ()
    except LevelError as error:
        return fail("millions sim", error)
    if args.seed is not None and args.seed < 0:
        print("millions sim: --seed must be 0 or more", file=sys.stderr)
        return EXIT_BAD_INPUT
    result = run(scenario, actions, seed=args.seed)
    summary = summarize(result)
    if args.json:
        print(json.dumps(summary, sort_keys=False))
    else:
        _print_summary(summary, scenario.title)
    return 0


REPLAY = "millions replay"


def replay_command(args: argparse.Namespace) -> int:
    """`millions replay FILE`: load the solution, find its level, re-simulate and compare."""
    from game.content.errors import LevelError
    from game.content.loader import load_plan_file
    from game.content.schema import MAX_INT
    from game.content.solutions import NotInstalled, find_level, line_of

    if args.seed is not None and not 0 <= args.seed <= MAX_INT:
        return fail(REPLAY, "--seed must be between 0 and 2**63-1")
    packs = [*args.pack, *args.replay_packs]
    for folder in packs:
        if not (folder / "pack.toml").is_file():
            return fail(REPLAY, f"--pack {folder}: no pack.toml there")
    source = str(args.solution)
    try:
        plan, _ = load_plan_file(args.solution)
    except LevelError as error:
        return fail(REPLAY, first_problem(error))
    if plan.level is None:
        return fail(REPLAY, f'{source}: level: a solution names its level: level = "<level id>"')
    try:
        pack, level = find_level(plan.level, plan.pack, packs)
    except LevelError as error:
        return fail(REPLAY, first_problem(error))
    except NotInstalled as error:
        line = line_of(args.solution, error.key)
        where = f"{source}:{line}" if line else source
        return fail(REPLAY, f"{where}: {error.key}: {error}")
    return replay_solution(level, plan, seed=args.seed, as_json=args.json, pack=pack.id)


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
    (A solution held only as actions: build its PlanFile with solutions.solution_plan.)
    """
    from game.content.solutions import MISMATCHED, verify
    from game.engine.summary import summarize

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
        _print_summary(summary, level.scenario.title)
        _print_claims(verification)
        print(verification.summary())
    return 1 if verification.status == MISMATCHED else 0


def _print_claims(verification: Verification) -> None:
    """The re-simulated scores beside what the solution claims."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from game.content.solutions import STARS, shown

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


def first_problem(error: LevelError) -> str:
    """The first problem of a LevelError, on one line (with a count of the others)."""
    more = len(error.problems) - 1
    return str(error.problems[0]) + (f" (and {more} more problems)" if more else "")


def fail(command: str, message: object) -> int:
    """Report bad input on standard error and return the exit status for it."""
    print(f"{command}: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _print_summary(summary: dict, title: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    totals = summary["totals"]
    verdict = "passed" if summary["passed"] else "failed"
    stars = "*" * summary["stars"] or "no stars"
    console.print(
        Text.assemble(
            (title, "bold"),
            f"  ({summary['level']}, seed {summary['seed']}, "
            f"{summary['ticks']} ticks): {verdict}, {stars}",
        )
    )
    console.print(
        f"served {totals['served']:,.0f} of {totals['offered']:,.0f} requests "
        f"({100 * totals['availability']:.3f}% available); "
        f"latency p50 {_ms(totals['p50_ms'])}, p95 {_ms(totals['p95_ms'])}, "
        f"p99 {_ms(totals['p99_ms'])}; cost {totals['cost']:,.1f}; "
        f"stale reads {totals['stale_reads']:,.0f}; lost writes {totals['lost_writes']:,.0f}"
    )
    if summary["failures"]:
        from game.engine.catalog import FAILURE_REASONS

        failed = max(totals["failed"], 1e-9)
        console.print("Why requests failed:")
        for reason, count in sorted(summary["failures"].items(), key=lambda kv: -kv[1]):
            words = FAILURE_REASONS.get(reason, reason)
            console.print(f"  {100 * count / failed:5.1f}%  {count:>12,.0f}  {words}")
    table = Table(title="Tiers at the last tick", title_justify="left")
    for column in ("tier", "servers", "each req/s", "load", "p50", "p95", "p99", "dropped"):
        table.add_column(column, justify="left" if column == "tier" else "right")
    for tier in summary["tiers"]:
        table.add_row(
            Text(tier["name"]),
            str(tier["servers"]),
            f"{tier['capacity_rps']:,.0f}",
            f"{100 * tier['utilization']:.0f}%",
            _ms(tier["p50_ms"]),
            _ms(tier["p95_ms"]),
            _ms(tier["p99_ms"]),
            f"{tier['dropped']:,.0f}",
        )
    console.print(table)
    for refused in summary["refused"]:
        console.print(
            Text(f"refused at tick {refused['tick']}: {refused['action']}: {refused['reason']}")
        )


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f} ms" if value < 10 else f"{value:,.1f} ms"
