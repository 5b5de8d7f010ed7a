"""`millions levels ...`: the commands for level authors (check, record, new, schema)."""

from __future__ import annotations

import argparse
import json
import re
import sys

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from game.commands.output import fail
from game.content.adversary import steps_needed
from game.content.atomic import write_atomic
from game.content.checker import Report, check_pack, runs_needed
from game.content.errors import LevelError
from game.content.loader import level_json_schema
from game.content.packs import load_pack, pack_folders
from game.content.proof_text import attack_lines, report_lines, tuning_lines
from game.content.scaffold import create_pack
from game.content.schema import CodexFile, PackFile, PlanFile
from game.content.solutions import (
    STARS,
    NotInstalled,
    claimed_seed,
    claims,
    find_level,
    recorded,
    shown,
)
from game.content.tuning import tune_level
from game.content.visible import visible
from game.engine.metrics import METRICS
from game.engine.simulation import run as simulate

MAX_EXTRA_SEEDS = 50


def run(args: argparse.Namespace) -> int:
    tools = {"check": _check, "record": _record, "new": _new, "schema": _schema, "tune": _tune}
    return tools[args.tool](args)


def _check(args: argparse.Namespace) -> int:
    if not 0 <= args.seeds <= MAX_EXTRA_SEEDS:
        return fail("millions levels check", f"--seeds must be between 0 and {MAX_EXTRA_SEEDS}")
    if args.workers is not None and args.workers < 1:
        return fail("millions levels check", "--workers must be 1 or more")
    folders = [*args.paths, *args.pack] or pack_folders()
    if not folders:
        return fail("millions levels check", "no packs found; name a pack folder")
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    ok = True
    for folder in folders:
        try:
            pack = load_pack(folder)
        except LevelError as error:
            out.print(Text(visible(f"{folder}: invalid pack"), style="bold red"))
            out.print(Text(visible(error, lines=True)))
            ok = False
            continue
        report = _run_with_progress(pack, args.seeds, args.adversary, args.workers)
        _print_report(out, report, folder, args.seeds)
        ok = ok and report.ok
    return 0 if ok else 1


def _run_with_progress(
    pack, seeds: int, adversary: bool = False, workers: int | None = None
) -> Report:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task(f"checking {pack.id}", total=runs_needed(pack, seeds, adversary))
        return check_pack(
            pack, seeds, lambda what: progress.update(task, advance=1), adversary, workers
        )


def _print_report(out: Console, report: Report, folder, seeds: int) -> None:
    table = Table(
        title=Text(visible(f"{report.pack} ({folder}), level seed + {seeds} extra")),
        title_justify="left",
    )
    endless = any("peak_rps" in row.first.scores for row in report.rows)
    scored = ("available", "latency", "cost", *(("peak",) if endless else ()))
    columns = ("level", "solution", "stars", *scored, "expected", "met")
    for name in (*columns, "scores"):
        table.add_column(
            name, justify="right" if name in ("stars", "cost", "peak") else "left", no_wrap=True
        )
    for row in report.rows:
        first = row.first
        stars = " ".join(str(r.stars) for r in row.results)
        latency = first.scores["latency_ms"]
        table.add_row(
            Text(row.level),
            Text(row.solution),
            stars,
            f"{100 * first.scores['availability']:.3f}%",
            f"{latency:,.0f} ms",
            f"{first.scores['cost']:,.0f}",
            *((METRICS["peak_rps"].format(first.scores.get("peak_rps", 0.0)),) if endless else ()),
            Text(row.expected),
            Text("yes", style="green") if row.met else Text("NO", style="bold red"),
            _claims(row),
        )
    out.print(table)
    if report.adversary is not None:
        for line in report_lines(report.adversary):
            out.print(Text(line), soft_wrap=True)
    for flag in report.flags:
        out.print(Text(f"flag: {flag}", style="bold red"))
    verdict = "every level is proven" if report.ok else "some expectations do not hold"
    out.print(Text(f"{report.pack}: {verdict}", style="green" if report.ok else "bold red"))


def _claims(row) -> Text:
    """Whether the solution's claimed scores re-simulate: verified, DIFFER, or blank (none)."""
    if row.verification is None:
        return Text("")
    if row.verification.differences:
        return Text("DIFFER", style="bold red")
    return Text("verified", style="green")


def _tune(args: argparse.Namespace) -> int:
    if not 1 <= args.seeds <= MAX_EXTRA_SEEDS:
        return fail("millions levels tune", f"--seeds must be between 1 and {MAX_EXTRA_SEEDS}")
    if args.workers is not None and args.workers < 1:
        return fail("millions levels tune", "--workers must be 1 or more")
    try:
        pack, level = find_level(args.level, extra=args.pack)
    except (NotInstalled, LevelError) as error:
        return fail("millions levels tune", error)
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"tuning {level.id}", total=steps_needed(pack, [level]))
        attack, tuning = tune_level(
            pack, level, args.seeds, args.workers, lambda _: progress.update(task, advance=1)
        )
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    for line in [*attack_lines(attack), "", *tuning_lines(tuning)]:
        out.print(Text(line), soft_wrap=True)
    return 0


def _record(args: argparse.Namespace) -> int:
    """Re-simulate every solution that claims scores and write the scores it gives now into its
    [scores] table (the rest of the file untouched); print each score that moved."""
    folders = args.paths or pack_folders()
    if not folders:
        return fail("millions levels record", "no packs found; name a pack folder")
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    for folder in folders:
        try:
            pack = load_pack(folder)
        except LevelError as error:
            return fail("millions levels record", f"{folder}: invalid pack: {error}")
        table = Table(title=f"{pack.id} ({folder}): recorded scores", title_justify="left")
        for name in ("level", "solution", "score", "was", "now", "change"):
            table.add_column(name, justify="left" if name in ("level", "solution") else "right")
        moved = 0
        for level in pack.levels:
            for solution in level.solutions:
                claimed = claims(solution.file)
                if not claimed:
                    continue
                seed = claimed_seed(solution.file, level.scenario.seed)
                result = simulate(level.scenario, solution.actions, seed=seed)
                now = recorded(result)
                fresh = {**now["scores"], STARS: now["stars"]}
                text = solution.path.read_text(encoding="utf-8")
                rewritten = _rescored(text, {k: fresh[k] for k in claimed if k in fresh})
                for score, was in claimed.items():
                    if score in fresh and fresh[score] != was:
                        moved += 1
                        table.add_row(
                            Text(level.id),
                            Text(solution.name),
                            score,
                            shown(score, was),
                            shown(score, fresh[score]),
                            _change(was, fresh[score]),
                        )
                if rewritten != text:
                    try:
                        write_atomic(solution.path, rewritten.encode("utf-8"))
                    except OSError as error:
                        return fail("millions levels record", f"{solution.path}: {error}")
        out.print(table)
        out.print(Text(f"{pack.id}: {moved} recorded scores changed"))
    return 0


_SCORE_LINE = re.compile(r"^(\s*)([A-Za-z_]+)(\s*=\s*)([^#\n]*?)(\s*(#.*)?)$")


def _rescored(text: str, scores: dict[str, float]) -> str:
    """`text` with the values of these keys of its [scores] table replaced (floats written by
    repr, so they read back exactly)."""
    lines = text.split("\n")
    inside = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped == "[scores]"
            continue
        match = _SCORE_LINE.match(line) if inside else None
        if match and match.group(2) in scores:
            value = scores[match.group(2)]
            written = str(value) if isinstance(value, int) else repr(float(value))
            lines[i] = f"{match.group(1)}{match.group(2)}{match.group(3)}{written}{match.group(5)}"
    return "\n".join(lines)


def _change(was: float, now: float) -> str:
    if was == 0:
        return "new" if now else ""
    return f"{100 * (now - was) / abs(was):+.2f}%"


def _new(args: argparse.Namespace) -> int:
    try:
        written = create_pack(args.path)
    except (FileExistsError, OSError) as error:
        return fail("millions levels new", error)
    for path in written:
        print(visible(path))
    where = visible(args.path)
    print(f"created a pack in {where}; prove it with: millions levels check {where}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    schemas = {
        "level": level_json_schema(),
        "pack": PackFile.model_json_schema(),
        "solution": PlanFile.model_json_schema(),
        "codex": CodexFile.model_json_schema(),
    }
    for schema in schemas.values():
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    json.dump(schemas, sys.stdout, indent=2)
    print()
    return 0
