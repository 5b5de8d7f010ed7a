"""Speed benchmark of the engine: `python -m game.bench [--quick] [--json]`.

Times whole runs (`game.engine.simulation.run`, N of each, in processor time with
time.process_time and in wall time with time.perf_counter) of three sites under three loads,
the ratio of the extreme-traffic run time to the light-traffic one, a whole
simulated day of the largest site, the import time of the engine in a fresh interpreter, and
`millions levels check --seeds 5` of the core pack on one worker and on two (in wall time, the
one thing more cores can lower), and prints them next to the speed targets. The others are
judged on processor time (best of N): the machine the engine is developed on is shared, and its
wall time mostly measures the other programs running. The engine remembers latency shapes
across runs in one process (game/engine/shapes.py), so each row also gives its first run, the
one that worked its shapes out (the sites run in order, so a later site may find some already
known).

The table goes to stdout; with --json it goes to stderr and stdout gets one JSON object instead.
A benchmark reports, it does not fail: the exit code is 0 whatever it measures (a run that
raises is reported as an error row), and 2 only for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from game.bench_check import CheckSpeed, measure_check
from game.engine import catalog
from game.engine.scenario import ADDABLE, Component, RandomFailures, Scenario
from game.engine.simulation import Simulation, run
from game.engine.traffic import Traffic

TICKS = 900
REPEATS, QUICK_REPEATS = 5, 1
LIGHT_RPS, HEAVY_RPS = 10.0, 10_000_000.0
LIGHT, HEAVY, REALISTIC = "steady 10 req/s", "steady 10M req/s", "realistic"
LOADS = (LIGHT, HEAVY, REALISTIC)
# The realistic day: demand grows from GROWTH_FROM of the site's busy load to all of it, with a
# daily wave of +-WAVE on top (the engine's default period), and random failures on.
GROWTH_FROM, WAVE = 0.1, 0.2

DAY_TICKS = 86_400  # a whole simulated day of the largest site, under the realistic load

# Targets of the speed issues.
RUN_TARGET_S = 0.25  # a 900-tick run of the ~1,000-node site
REALISTIC_TARGET_S = 0.1  # ... under growth, the daily wave and random failures
REALISTIC_RATIO_TARGET = 1.3  # that run's time over its steady run's (10 req/s)
DAY_TARGET_S = 10.0
RATIO_TARGET = 1.2  # run time at 10M req/s over run time at 10 req/s
IMPORT_TARGET_MS = 50.0
CHECK_SEEDS = 5  # `millions levels check --seeds 5` of the core pack, on one core and on two
CHECK_SPEEDUP_TARGET = 1.6  # its wall time on one worker over its wall time on two

_ROOT = Path(__file__).resolve().parent.parent
_IMPORT_PROBE = (
    "import time; t = time.perf_counter(); import game.engine.simulation; "
    "print(time.perf_counter() - t)"
)


@dataclass(frozen=True, slots=True)
class Site:
    """A starting build to benchmark."""

    name: str
    parts: tuple[tuple[str, int, str], ...]  # (kind, count, size), in build order
    busy_rps: float  # realistic peak before the wave: the bottleneck tier about 75% busy

    @property
    def nodes(self) -> int:
        return sum(count for _, count, _ in self.parts)

    def start(self) -> tuple[Component, ...]:
        return tuple(Component(kind, size) for kind, n, size in self.parts for _ in range(n))

    def describe(self) -> str:
        return ", ".join(f"{kind} {count} {size}" for kind, count, size in self.parts)


def _largest_parts() -> tuple[tuple[str, int, str], ...]:
    """Every kind a player can add, at its catalog limit and its biggest size."""
    return tuple(
        (kind, catalog.KINDS[kind].limit, tuple(catalog.KINDS[kind].sizes)[-1]) for kind in ADDABLE
    )


SITES = (
    Site("1 node (box)", (("box", 1, "S"),), busy_rps=40.0),
    Site(
        "20 nodes",
        (
            ("balancer", 1, "S"),
            ("web", 12, "S"),
            ("primary", 1, "S"),
            ("replica", 3, "S"),
            ("cache", 2, "S"),
            ("cdn", 1, "S"),
        ),
        busy_rps=600.0,  # replicas and primary ~80% busy at the peak
    ),
    # The issue asks for ~1,000 nodes; the catalog refuses any bigger start build than this.
    Site("largest legal", _largest_parts(), busy_rps=3000.0),  # the XL primary's writes bind
)
LARGEST = SITES[-1]


def traffic(site: Site, load: str, ticks: int) -> Traffic:
    if load == REALISTIC:
        points = ((0, GROWTH_FROM * site.busy_rps), (max(ticks - 1, 1), site.busy_rps))
        return Traffic(points=points, wave_amplitude=WAVE)
    return Traffic(points=((0, LIGHT_RPS if load == LIGHT else HEAVY_RPS),))


def scenario(site: Site, load: str, ticks: int) -> Scenario:
    return Scenario(
        id="bench",
        title=f"{site.name}, {load}",
        duration=ticks,
        start=site.start(),
        traffic=traffic(site, load, ticks),
        failures=RandomFailures(enabled=load == REALISTIC),
    )


def load_label(site: Site, load: str) -> str:
    if load != REALISTIC:
        return load
    low = GROWTH_FROM * site.busy_rps
    return f"realistic {low:g}->{site.busy_rps:g} req/s"


# -- measuring ------------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    site: str
    load: str
    nodes: int  # counted in the engine's own topology, not taken from the table
    ticks: int
    best_s: float | None = None
    first_s: float | None = None  # the first of the runs
    cpu_s: float | None = None  # the least processor time of the runs (time.process_time)
    cpu_median_s: float | None = None  # the median processor time of the runs
    availability: float | None = None
    error: str = ""

    @property
    def ticks_per_s(self) -> float | None:
        """Ticks per second of processor time, in the best run."""
        return self.ticks / self.cpu_s if self.cpu_s else None


def _error(exc: Exception) -> str:
    """The exception and the innermost lines that raised it, outermost first."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = " > ".join(f"{_short(f.filename)}:{f.lineno} {f.name}" for f in frames)
    return f"{type(exc).__name__}: {exc} (at {where})"


def _short(filename: str) -> str:
    path, package = Path(filename), _ROOT / "game"
    return str(path.relative_to(package)) if path.is_relative_to(package) else filename


def measure_run(site: Site, load: str, ticks: int, repeats: int) -> Row:
    """Best wall time of `repeats` whole runs of one site under one load."""
    row = Row(site.name, load, nodes=0, ticks=ticks)
    try:
        built = scenario(site, load, ticks)
        row.nodes = len(Simulation(built).topology.nodes)
        times, cpu = [], []
        for _ in range(repeats):
            began, began_cpu = time.perf_counter(), time.process_time()
            result = run(built)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        row.best_s, row.first_s, row.cpu_s = min(times), times[0], min(cpu)
        row.cpu_median_s = statistics.median(cpu)
        row.availability = result.totals.availability
    except Exception as exc:  # a benchmark reports a crash instead of stopping at it
        row.error = _error(exc)
    return row


@dataclass(frozen=True, slots=True)
class ImportTime:
    """Best time, in ms, of `import game.engine.simulation` in a fresh interpreter."""

    cached_ms: float | None  # bytecode cached, as for an installed game: what the target means
    as_run_ms: float | None  # with this environment's bytecode settings (may compile every time)
    error: str = ""


def measure_import(repeats: int) -> ImportTime:
    try:
        return ImportTime(_import_ms(repeats, cached=True), _import_ms(repeats, cached=False))
    except subprocess.CalledProcessError as exc:
        return ImportTime(None, None, (exc.stderr.strip().splitlines() or ["failed"])[-1])


def _import_ms(repeats: int, cached: bool) -> float:
    """Cached: bytecode goes to a private cache that a first, uncounted run fills."""
    with tempfile.TemporaryDirectory() as cache_dir:
        env = dict(os.environ)
        if cached:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache_dir
        times = [
            float(
                subprocess.run(
                    [sys.executable, "-c", _IMPORT_PROBE],
                    cwd=_ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(repeats + cached)
        ]
    return 1000 * min(times[cached:])


@dataclass(frozen=True, slots=True)
class Target:
    what: str
    goal: str
    measured: str
    status: str  # PASS, MISS, ERROR when the measurement is missing, SKIP when not measured


@dataclass(slots=True)
class Report:
    ticks: int
    repeats: int
    rows: list[Row]
    imports: ImportTime
    day: Row  # the largest site for a whole day, realistic load, run once
    check: CheckSpeed | None = None  # None: not measured (--quick)

    def row(self, site: str, load: str) -> Row:
        return next(r for r in self.rows if r.site == site and r.load == load)

    def ratio(self, site: str, load: str = HEAVY) -> float | None:
        """Processor time of `load`'s best run over that of the light load's best run."""
        slow, light = self.row(site, load).cpu_s, self.row(site, LIGHT).cpu_s
        return slow / light if slow and light else None

    def targets(self) -> list[Target]:
        largest = [self.row(LARGEST.name, load) for load in LOADS]
        out = [
            _target(
                f"{self.ticks}-tick run, {r.site} ({r.nodes} nodes), {r.load}",
                r.cpu_s,
                REALISTIC_TARGET_S if r.load == REALISTIC else RUN_TARGET_S,
                " s",
            )
            for r in largest
        ]
        out.append(
            _target(
                f"realistic/steady run-time ratio, {LARGEST.name}",
                self.ratio(LARGEST.name, REALISTIC),
                REALISTIC_RATIO_TARGET,
                "",
                True,
            )
        )
        day = f"{DAY_TICKS:,}-tick run (a day), {LARGEST.name}, realistic"
        if self.day.ticks == DAY_TICKS:
            out.append(_target(day, self.day.cpu_s, DAY_TARGET_S, " s"))
        else:
            out.append(Target(day, f"< {DAY_TARGET_S:g} s", f"{self.day.ticks} ticks", "SKIP"))
        out += [
            _target(f"10M/10 run-time ratio, {s.name}", self.ratio(s.name), RATIO_TARGET, "", True)
            for s in SITES
        ]
        check = f"levels check --seeds {CHECK_SEEDS}, 1 core over 2 (wall time)"
        goal = f">= {CHECK_SPEEDUP_TARGET:g}x"
        if self.check is None:
            out.append(Target(check, goal, "not run", "SKIP"))
        elif self.check.speedup is None:
            status = "SKIP" if self.check.cores < 2 else "ERROR"
            out.append(Target(check, goal, self.check.error or "n/a", status))
        else:
            met = self.check.speedup >= CHECK_SPEEDUP_TARGET
            out.append(Target(check, goal, f"{self.check.speedup:.2f}x", "PASS" if met else "MISS"))
        out.append(
            _target(
                "import game.engine.simulation, bytecode cached",
                self.imports.cached_ms,
                IMPORT_TARGET_MS,
                " ms",
            )
        )
        return out

    def to_json(self) -> dict:
        return {
            "ticks": self.ticks,
            "repeats": self.repeats,
            "sites": [
                {"name": s.name, "nodes": s.nodes, "parts": s.parts, "busy_rps": s.busy_rps}
                for s in SITES
            ],
            "runs": [asdict(r) | {"ticks_per_s": r.ticks_per_s} for r in self.rows],
            "day": asdict(self.day) | {"ticks_per_s": self.day.ticks_per_s},
            "ratios": {s.name: self.ratio(s.name) for s in SITES},
            "realistic_ratio": self.ratio(LARGEST.name, REALISTIC),
            "import": asdict(self.imports),
            "check": None if self.check is None else asdict(self.check),
            "targets": [asdict(t) for t in self.targets()],
        }


def _target(what: str, value: float | None, limit: float, unit: str, inclusive=False) -> Target:
    goal = f"{'<=' if inclusive else '<'} {limit:g}{unit}"
    if value is None:
        return Target(what, goal, "n/a", "ERROR")
    ok = value <= limit if inclusive else value < limit
    return Target(what, goal, f"{value:.3g}{unit}", "PASS" if ok else "MISS")


def measure(
    repeats: int = REPEATS,
    ticks: int = TICKS,
    day_ticks: int = DAY_TICKS,
    check_seeds: int | None = CHECK_SEEDS,
) -> Report:
    """Every run and the day; with `check_seeds`, the core pack's check as well."""
    rows = [measure_run(site, load, ticks, repeats) for site in SITES for load in LOADS]
    day = measure_run(LARGEST, REALISTIC, day_ticks, 1)
    check = None if check_seeds is None else measure_check(_ROOT / "levels" / "core", check_seeds)
    return Report(ticks, repeats, rows, measure_import(repeats), day, check)


# -- printing -------------------------------------------------------------------------------


def render(report: Report) -> str:
    sites = {s.name: s for s in SITES}
    lines = [
        f"Engine speed: {report.ticks}-tick runs, {report.repeats} of each: wall time"
        " (time.perf_counter) best and first, processor time (time.process_time) best and median",
        "",
        f"{'site':<16}{'nodes':>6}  {'load':<32}{'ticks':>7}{'wall s':>9}{'first s':>9}"
        f"{'cpu s':>8}{'cpu med':>9}{'ticks/s':>10}{'avail':>9}",
    ]
    for r in (*report.rows, report.day):
        head = f"{r.site:<16}{r.nodes or '?':>6}  {load_label(sites[r.site], r.load):<32}"
        if r.error:
            lines.append(f"{head}ERROR {r.error}")
        else:
            lines.append(
                f"{head}{r.ticks:>7,}{r.best_s:>9.3f}{r.first_s:>9.3f}{r.cpu_s:>8.3f}"
                f"{r.cpu_median_s:>9.3f}{r.ticks_per_s:>10,.0f}{r.availability:>9.4f}"
            )
    lines += [
        "",
        f"{LARGEST.name}: every kind a player can add at its catalog limit and biggest size "
        f"({LARGEST.describe()}) = {LARGEST.nodes} nodes.",
        "  The engine refuses a bigger start build, so this stands in for the issue's "
        "~1,000-node topology.",
        f"realistic: demand grows linearly from {GROWTH_FROM:.0%} to 100% of the busy load, "
        f"a +-{WAVE:.0%} daily wave on top (period {catalog.DEFAULT_WAVE_PERIOD} ticks), "
        "random failures on.",
        "cpu s, cpu med: the least and the median processor time of the runs (on a busy"
        " machine wall time is more); the targets and ratios are judged on cpu s.",
        "ticks/s: ticks per second of processor time, in the best run.",
        "avail: share of requests served (at 10M req/s every site is far over capacity).",
        "",
        "10M/10 run-time ratio: "
        + ", ".join(f"{s.name} {_fmt(report.ratio(s.name), '.2f')}" for s in SITES),
        f"realistic/steady run-time ratio, {LARGEST.name}: "
        + _fmt(report.ratio(LARGEST.name, REALISTIC), ".2f"),
        f"the day: {report.day.ticks:,} ticks of {LARGEST.name}, realistic, run once"
        + ("." if report.day.ticks == DAY_TICKS else " (cut short: --quick)."),
        _import_line(report.imports),
        _check_line(report.check),
        "",
        "targets",
    ]
    width = max(len(t.what) for t in report.targets())
    lines += [
        f"  {t.what:<{width}}  {t.goal:<10}{t.measured:>10}  {t.status}" for t in report.targets()
    ]
    return "\n".join(lines)


def _import_line(imports: ImportTime) -> str:
    head = "import game.engine.simulation in a fresh interpreter: "
    if imports.error:
        return head + imports.error
    how = "as run here"
    if sys.dont_write_bytecode:
        how = "as run here, where bytecode writing is off and every module compiles"
    return f"{head}{imports.cached_ms:.1f} ms bytecode cached, {imports.as_run_ms:.1f} ms {how}"


def _check_line(check: CheckSpeed | None) -> str:
    head = f"levels check --seeds {CHECK_SEEDS} of the core pack: "
    if check is None:
        return head + "not run (--quick)"
    if check.error:
        return head + check.error
    return (
        f"{head}{check.runs} runs, {check.one_s:.1f} s of wall time on 1 worker,"
        f" {check.two_s:.1f} s on 2 ({check.cores} cores here)"
    )


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m game.bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"best of {QUICK_REPEATS} runs, the day cut to {TICKS} ticks, no levels check",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    if args.quick:
        report = measure(QUICK_REPEATS, day_ticks=TICKS, check_seeds=None)
    else:
        report = measure(REPEATS)
    print(render(report), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(report.to_json()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
