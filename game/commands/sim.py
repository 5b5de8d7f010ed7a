"""`millions sim`: run a level file headlessly, with an optional plan, and print its scores;
`--timeline FILE` also writes one row per tick (game.engine.timeline): CSV, or JSON lines for a
FILE ending in .jsonl; `-` writes CSV to standard output, and the summary then goes to
standard error so that the two never mix."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from contextlib import ExitStack, redirect_stdout
from pathlib import Path
from typing import IO

from game.commands.output import fail, print_run_summary
from game.content.errors import LevelError
from game.content.loader import load_level, load_plan
from game.engine import replay, timeline
from game.engine.report import TickReport
from game.engine.simulation import Simulation
from game.engine.summary import summarize

COMMAND = "millions sim"
STDOUT = "-"


def run(args: argparse.Namespace) -> int:
    try:
        _, scenario = load_level(args.scenario)
        actions = load_plan(args.plan) if args.plan else ()
    except LevelError as error:
        return fail(COMMAND, error)
    if args.seed is not None and args.seed < 0:
        return fail(COMMAND, "--seed must be 0 or more")
    with ExitStack() as stack:
        on_report = None
        to_stdout = args.timeline == STDOUT
        if args.timeline is not None:
            try:
                out = sys.stdout if to_stdout else stack.enter_context(_open(args.timeline))
            except (OSError, ValueError) as error:
                return fail(COMMAND, f"cannot write the timeline to {args.timeline!r}: {error}")
            on_report = _writer(out, json_lines=str(args.timeline).endswith(".jsonl"))
        sim = Simulation(scenario, args.seed)
        try:
            outcomes = replay.play(sim, actions, on_report=on_report)
        except OSError as error:  # the disk filled up, or the file went away, mid-run
            return fail(COMMAND, f"cannot write the timeline to {args.timeline!r}: {error}")
    summary = summarize(sim.result(outcomes))
    if args.json:
        print(json.dumps(summary, sort_keys=False), file=sys.stderr if to_stdout else sys.stdout)
    elif to_stdout:
        with redirect_stdout(sys.stderr):
            print_run_summary(summary, scenario.title)
    else:
        print_run_summary(summary, scenario.title)
    return 0


def _open(name: str) -> IO[str]:
    if not name:
        raise ValueError("name a file, or - for standard output")
    path = Path(name)
    if path.is_dir():
        raise ValueError("that is a folder")
    return path.open("w", encoding="utf-8", newline="")


def _writer(out: IO[str], json_lines: bool):
    """A report callback that writes each tick's row to `out` (a header first, for CSV)."""
    names = timeline.columns()
    if json_lines:

        def write(_: Simulation, report: TickReport) -> None:
            out.write(json.dumps(timeline.row(report)) + "\n")

        return write
    table = csv.writer(out, lineterminator="\n")
    table.writerow(names)

    def write_csv(_: Simulation, report: TickReport) -> None:
        values = timeline.row(report).values()
        table.writerow(["" if v is None else v for v in values])

    return write_csv
