"""The `millions` command: its options and subcommands, and the module that runs each.

Play (no command) is game.commands.play, `sim` game.commands.sim, `replay`, `export` and
`import` game.commands.sharing, `serve` game.commands.serve, `levels ...`
game.commands.levels. A command's module is imported only when it runs, so starting the game
loads no command it does not use. Every failure a user can cause ends in a one-line message and
a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_NO_OUTPUT = 1


def main(argv: Sequence[str] | None = None) -> int:
    if sys.stdout is None:  # started with standard output closed (`millions ... >&-`)
        return _no_output("standard output is closed")
    try:
        code = _run(_parser().parse_args(argv))
        sys.stdout.flush()  # here, where a full disk can still be reported
        return code
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        if error.errno not in _OUTPUT_ERRORS:
            raise
        # the reader went away (`millions ... | head`) or the disk is full (`> /dev/full`)
        with contextlib.suppress(OSError):  # nothing more reaches it, not even at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _no_output(error.strerror or str(error))


_OUTPUT_ERRORS = {errno.EPIPE, errno.ENOSPC, errno.EBADF, errno.EIO, errno.EFBIG, errno.EDQUOT}


def _no_output(reason: str) -> int:
    if sys.stderr is not None:
        with contextlib.suppress(OSError):
            print(f"millions: cannot write the output: {reason}", file=sys.stderr, flush=True)
    return EXIT_NO_OUTPUT


def _run(args: argparse.Namespace) -> int:
    if args.command == "sim":
        from game.commands import sim

        return sim.run(args)
    if args.command in ("replay", "export", "import"):
        from game.commands import sharing

        return sharing.run(args)
    if args.command == "serve":
        from game.commands import serve

        return serve.run(args)
    if args.command == "levels":
        from game.commands import levels

        return levels.run(args)
    from game.commands import play

    return play.run(args)


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
    parser.add_argument(
        "--seed",
        type=int,
        dest="play_seed",
        metavar="N",
        help="play every level on this seed (default: the level's own; endless levels: the"
        " seed of the day)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_sim(commands)
    _add_sharing(commands)
    from game.commands import serve  # standard library only, like this module

    serve.add_serve_command(commands)
    _add_levels(commands)
    return parser


def _add_sim(commands: argparse._SubParsersAction) -> None:
    sim = commands.add_parser(
        "sim",
        help="run a scenario headlessly and print its scores",
        description="Run a level file with an optional plan of timed actions.",
    )
    sim.add_argument("scenario", type=Path, help="a level file (TOML)")
    sim.add_argument("--plan", type=Path, help="a TOML file of timed actions")
    sim.add_argument("--seed", type=int, help="override the level's seed")
    sim.add_argument("--json", action="store_true", help="print one JSON object")
    sim.add_argument(
        "--timeline",
        metavar="FILE",
        help="also write one row per tick: CSV, JSON lines if FILE ends in .jsonl, - for CSV"
        " on standard output (the summary then goes to standard error)",
    )


def _add_sharing(commands: argparse._SubParsersAction) -> None:
    """The replay, export and import commands, for the `millions` parser."""
    named = "a solution file, or [PACK/]LEVEL:NAME (yours, else the pack's)"
    replay = commands.add_parser(
        "replay",
        help="re-simulate a solution and check the scores it claims",
        description="Re-simulate a solution's moves on its level and compare the scores with"
        " those it claims. SOLUTION is a solution file, or [PACK/]LEVEL:NAME for a solution you"
        " saved in the game (else one the level's pack ships, e.g. launch-day:reference)."
        " Exits 0 when they match or nothing is claimed, 1 when they do not match, 2 for a bad"
        " file or argument.",
    )
    replay.add_argument("solution", help=named)
    replay.add_argument("--seed", type=int, help="re-simulate on this seed (default: the file's)")
    replay.add_argument("--json", action="store_true", help="print one JSON object")
    export = commands.add_parser(
        "export",
        help="write a saved solution to a file, with its verified scores",
        description="Re-simulate a solution and write it as a solution file (the pack format)"
        " that claims the scores the re-simulation gave, for another player to replay or"
        " import.",
    )
    export.add_argument("solution", help="[PACK/]LEVEL:NAME")
    export.add_argument(
        "-o", "--output", type=Path, help="the file to write (default: PACK.LEVEL.NAME.toml here)"
    )
    export.add_argument("--force", action="store_true", help="replace the file if it exists")
    imported = commands.add_parser(
        "import",
        help="keep a solution file among your solutions, if its claims hold",
        description="Re-simulate a solution file; if the scores it claims hold (or it claims"
        " none), keep it among your saved solutions for its level.",
    )
    imported.add_argument("solution", type=Path, help="a solution file (TOML)")
    imported.add_argument("--name", help="keep it under this name (default: the file's name)")
    for command in (replay, export, imported):
        command.add_argument(
            "--pack",
            dest="command_packs",
            type=Path,
            action="append",
            default=[],
            metavar="PATH",
            help="also look for the level in the pack in this folder (repeatable)",
        )
        command.add_argument(
            "--saves", type=Path, default=argparse.SUPPRESS, metavar="DIR", help="saves folder"
        )


def _add_levels(commands: argparse._SubParsersAction) -> None:
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
    check.add_argument(
        "--adversary", action="store_true", help="also play the adversary on every level"
    )
    check.add_argument("--workers", type=int, help="processes for the adversary (default: cores)")
    tune = tools.add_parser(
        "tune",
        help="propose a level's star lines from the adversary's runs",
        description="Play the reference, its late versions, the counters and the adversary on"
        " many seeds, propose star lines and show which line each strategy reaches.",
    )
    tune.add_argument("level", help="a level id")
    tune.add_argument("--seeds", type=int, default=20, help="seeds to play (1-50)")
    tune.add_argument("--pack", type=Path, action="append", default=[], help="another pack")
    tune.add_argument("--workers", type=int, help="processes (default: cores)")
    record = tools.add_parser(
        "record",
        help="re-simulate the solutions that claim scores and record their scores now",
        description="Re-simulate every solution that carries [scores] (default: in every"
        " installed pack) on the seed its scores are for, write the scores it gives now into"
        " its file and list every score that moved. For after a change to the engine or a"
        " level; `levels check` then proves the pack.",
    )
    record.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="pack folders")
    new = tools.add_parser("new", help="create a pack with one working level")
    new.add_argument("path", type=Path, help="a folder that does not exist yet")
    tools.add_parser(
        "schema", help="print the JSON Schema of level, pack, solution and codex files"
    )
