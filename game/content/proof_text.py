"""The adversary's report and a tuning as plain text lines, for the command line to print.

Per level: its seeds and lessons, the timing window of its reference, one row per strategy
(stars and every graded score as min..max over the seeds: the seed spread) and the errors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from game.content.adversary import AdversaryReport, LevelAttack
from game.content.repertoire import Played
from game.content.timing import TimingWindow
from game.content.tuning import Tuning
from game.engine.metrics import METRICS

_LINE_NAMES = ("-", "pass", "2", "3")


def report_lines(report: AdversaryReport) -> list[str]:
    lines = [
        f"adversary on {report.pack}: {len(report.levels)}"
        f" level{'s' if len(report.levels) != 1 else ''},"
        f" {sum(a.runs for a in report.levels)} runs on {report.workers}"
        f" worker{'s' if report.workers != 1 else ''} in {report.seconds:.1f} s"
        f" ({report.cpu_seconds:.1f} s of processor time)"
    ]
    for attack in report.levels:
        lines.append("")
        lines.extend(attack_lines(attack))
    lines.append("")
    if report.ok:
        lines.append(f"{report.pack}: the adversary found no level won without its lesson")
    else:
        lines.append(f"{report.pack}: {len(report.errors)} adversary errors")
    return lines


def attack_lines(attack: LevelAttack) -> list[str]:
    seeds = _seeds(attack.seeds)
    lines = [f"{attack.level} (seeds {seeds}, {attack.runs} runs)"]
    lines.extend(f"  lesson {note}" for note in attack.notes)
    lines.append(f"  timing window: {window_text(attack.window)}")
    headers = ["strategy", "lesson", "role", "stars"]
    headers += [METRICS[m].name for m in attack.graded]
    rows = [_row(p, attack.graded) for p in attack.played]
    lines.extend("  " + line for line in table(headers, rows, right=set(range(3, len(headers)))))
    for p in attack.played:
        if p.name == "search":
            lines.append(f"  search ({p.strategy.concept}): {p.strategy.how}")
    lines.extend(f"  ERROR {error}" for error in attack.errors)
    return lines


def window_text(window: TimingWindow | None) -> str:
    if window is None:
        return "no reference"

    def upto(share: float | None, what: str) -> str:
        if share is None:
            return f"the reference itself does not {what}"
        reach = "at least " if share >= window.limit - 1e-9 else ""
        return f"{what} up to {reach}{share:.0%} late ({window.ticks(share)} ticks)"

    tried = " ".join(f"{share:.0%}:{stars}" for share, stars in window.tried)
    return (
        f"{upto(window.passes_to, 'passes')}; {upto(window.three_stars_to, 'earns 3 stars')}"
        f" [delay:fewest stars {tried}]"
    )


def _row(p: Played, graded: Sequence[str]) -> list[str]:
    low, high = p.stars
    stars = str(low) if low == high else f"{low}..{high}"
    withheld = sorted({c for run in p.withheld for c in run})
    concept = p.strategy.concept or (f"({', '.join(withheld)} withheld)" if withheld else "")
    return [p.name, concept, p.strategy.role, stars] + [spread_text(p, m) for m in graded]


def spread_text(p: Played, metric: str) -> str:
    low, high = p.spread(metric)
    m = METRICS[metric]
    if m.format(low) == m.format(high):
        return m.format(low)
    return f"{m.format(low)}..{m.format(high)}"


def tuning_lines(tuning: Tuning) -> list[str]:
    count = len(tuning.seeds)
    lines = [
        f"{tuning.level}: star lines from {count} seed{'s' if count != 1 else ''}"
        f" ({_seeds(tuning.seeds)})"
    ]
    headers = ["metric", "now [pass, 2, 3]", "proposed", "reference worst", "late worst"]
    headers.append("nearest counter")
    rows = []
    for line in tuning.lines:
        m = METRICS[line.metric]
        near = (
            f"{m.format(line.nearest_counter[1])} ({line.nearest_counter[0]})"
            if line.nearest_counter
            else "-"
        )
        rows.append(
            [
                m.name,
                _lines(line.metric, line.current) if line.current else "-",
                _lines(line.metric, line.proposed),
                m.format(line.reference_worst),
                m.format(line.late_worst),
                near,
            ]
        )
    lines.extend("  " + row for row in table(headers, rows))
    lines.append("")
    lines.append("  the line each strategy's worst seed reaches, and its stars now -> as proposed")
    headers = ["strategy", "lesson", "role"] + [METRICS[x.metric].name for x in tuning.lines]
    headers += ["stars now", "proposed"]
    rows = [
        [c.strategy, c.concept, c.role]
        + [_LINE_NAMES[r] for r in c.reached]
        + [_stars(c.stars_now), _stars(c.stars_proposed)]
        for c in tuning.rows
    ]
    lines.extend("  " + row for row in table(headers, rows, right=set(range(3, len(headers)))))
    lines.extend(f"  PROBLEM {problem}" for problem in tuning.problems)
    if not tuning.problems:
        lines.append("  every counter fails and the reference earns 3 stars under these lines")
    return lines


def _lines(metric: str, lines: Sequence[float]) -> str:
    m = METRICS[metric]
    return "[" + ", ".join(m.format(x, _decimals(m, x)) for x in lines) + "]"


def _decimals(m, x: float) -> int | None:
    """Decimals that show a share line's three significant figures (of its distance from
    100% where higher is better): 99.75%, 99.950%."""
    if not m.share:
        return None
    gap = 100 * ((1 - x) if m.higher_is_better else x)
    return m.decimals if gap <= 0 else min(6, max(m.decimals, 2 - math.floor(math.log10(gap))))


def _stars(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}..{pair[1]}"


def _seeds(seeds: Sequence[int]) -> str:
    if len(seeds) > 2 and list(seeds) == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}..{seeds[-1]}"
    return ", ".join(str(s) for s in seeds)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right=frozenset()) -> list[str]:
    """Rows of text in columns two spaces apart; columns in `right` are right-aligned."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]
