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
    parser.add_argument(
        "--saves",
        type=Path,
        metavar="DIR",
        help="keep progress in this folder (default: MILLIONS_SAVES, else saves/ in a checkout,"
        " else the user data folder)",
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

    from game import sharing

    sharing.add_commands(commands)
    from game import serve

    serve.add_serve_command(commands)

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
    if args.command in ("replay", "export", "import"):
        from game import sharing

        return sharing.run(args)
    if args.command == "serve":
        from game import serve

        return serve.run(args)
    if args.command == "levels":
        from game import authoring

        return authoring.run(args)
    for folder in args.pack:
        if not (folder / "pack.toml").is_file():
            return fail("millions", f"--pack {folder}: no pack.toml there")
    return _play(args)


def _play(args: argparse.Namespace) -> int:
    """Start the game on the player's saves (refused if another game is using them)."""
    from game.store import SavesLocked, saves_folder
    from game.ui.app import MillionsApp, open_saves
    from game.ui.settings import AppSettings

    folder = saves_folder(args.saves)
    try:
        store = open_saves(folder)
    except SavesLocked as error:
        return fail("millions", error)
    settings = AppSettings(packs=tuple(args.pack), saves_dir=folder).with_saved(store.settings())
    app = MillionsApp(settings, store)
    try:
        app.run()
    finally:
        store.close()
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
        print_run_summary(summary, scenario.title)
    return 0


def first_problem(error: LevelError) -> str:
    """The first problem of a LevelError, on one line (with a count of the others)."""
    more = len(error.problems) - 1
    return str(error.problems[0]) + (f" (and {more} more problems)" if more else "")


def fail(command: str, message: object) -> int:
    """Report bad input on standard error and return the exit status for it."""
    print(f"{command}: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def print_run_summary(summary: dict, title: str) -> None:
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
