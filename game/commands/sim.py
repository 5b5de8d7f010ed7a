"""`millions sim`: run a level file headlessly, with an optional plan, and print its scores."""

from __future__ import annotations

import argparse
import json

from game.commands.output import fail, print_run_summary, seed_problem
from game.content.errors import LevelError
from game.content.loader import load_level, load_plan
from game.engine.simulation import run as simulate
from game.engine.summary import summarize


def run(args: argparse.Namespace) -> int:
    try:
        _, scenario = load_level(args.scenario)
        actions = load_plan(args.plan) if args.plan else ()
    except LevelError as error:
        return fail("millions sim", error)
    bad_seed = seed_problem(args.seed)
    if bad_seed:
        return fail("millions sim", bad_seed)
    result = simulate(scenario, actions, seed=args.seed)
    summary = summarize(result)
    if args.json:
        print(json.dumps(summary, sort_keys=False))
    else:
        print_run_summary(summary, scenario.title)
    return 0
