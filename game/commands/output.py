"""How the commands report: bad input on standard error with its exit status, and a run's
summary for people.

Every failure a user can cause (a bad file, a bad argument) ends in a one-line message and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from game.content.errors import LevelError
from game.content.visible import visible
from game.engine.catalog import FAILURE_REASONS, MAX_SEED
from game.engine.metrics import METRICS

EXIT_BAD_INPUT = 2


def fail(command: str, message: object) -> int:
    """Report bad input on standard error and return the exit status for it. Whatever the
    message quotes (a path, an argument) is shown with its control characters escaped."""
    print(visible(f"{command}: {message}", lines=True), file=sys.stderr)
    return EXIT_BAD_INPUT


def seed_problem(seed: int | None) -> str | None:
    """Why a --seed cannot be used, if it cannot: seeds are bounded as in every file."""
    if seed is not None and not 0 <= seed <= MAX_SEED:
        return "--seed must be between 0 and 2**63-1"
    return None


def first_problem(error: LevelError) -> str:
    """The first problem of a LevelError, on one line (with a count of the others)."""
    more = len(error.problems) - 1
    return str(error.problems[0]) + (f" (and {more} more problems)" if more else "")


def print_run_summary(summary: dict, title: str) -> None:
    """A run (game.engine.summary.summarize) as a few lines and a table of its tiers."""
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
    scores = summary["scores"]
    if "peak_rps" in scores:  # an endless level: how far the site went
        console.print(
            f"endless: peak load {METRICS['peak_rps'].format(scores['peak_rps'])} (the best"
            f" minute within the latency objective), at"
            f" {METRICS['cost_per_million'].format(scores['cost_per_million'])} per million"
        )
    if summary["failures"]:
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
