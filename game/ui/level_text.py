"""What the screens say about a level: its objectives with units, its concepts, what it unlocks.

Every string that comes from a pack is wrapped in `Text`, so an author's square brackets are
shown as written and never read as Rich markup.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from rich.text import Text

from game.content.packs import Pack, PackLevel
from game.engine.catalog import KINDS
from game.engine.metrics import METRICS
from game.engine.scenario import ADDABLE, FEATURES, VERBS
from game.engine.scoring import Objectives

STAR_HEADINGS = ("pass", "★★", "★★★")


def objectives_table(objectives: Objectives, best: Mapping[str, float] | None = None) -> Table:
    """One row per scored metric: its name, whether higher or lower is better, and its lines;
    with `best`, the player's best for each score too."""
    table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, header_style="bold")
    table.add_column("")
    for heading in STAR_HEADINGS:
        table.add_column(heading, justify="right")
    if best is not None:
        table.add_column("best", justify="right")
    for goal in objectives.goals:
        lines = (goal.pass_line, goal.two, goal.three)
        cells = [metric_value(goal.metric, line) for line in lines]
        if best is not None:
            mine = best.get(goal.metric)
            cells.append("-" if mine is None else metric_value(goal.metric, mine))
        table.add_row(metric_name(goal.metric, objectives.latency_percentile), *cells)
    return table


def stars_text(stars: int) -> Text:
    return Text("★" * stars + "☆" * (3 - stars), style="yellow")


def metric_name(metric: str, percentile: int) -> str:
    """The metric's name, with ≥ where higher is better and ≤ where lower is."""
    found = METRICS[metric]
    return f"{found.label(percentile)} {found.sign}"


def metric_value(metric: str, value: float) -> str:
    return METRICS[metric].format(value)


def concept_titles(pack: Pack, level: PackLevel) -> list[str]:
    """The titles of the codex entries a level teaches (its id where the pack has no entry)."""
    return [pack.codex[c].title if c in pack.codex else c for c in level.file.concepts]


FEATURE_WORDS: Mapping[str, str] = {"shards": "shard the primary"}  # scenario.FEATURES


def unlocked_text(level: PackLevel) -> Text:
    """The components (by their catalog titles) and actions a level lets the player use."""
    unlocked = level.scenario.unlocked
    if unlocked is None:
        return Text("Every component and action.")
    kinds = [KINDS[name].title for name in ADDABLE if name in unlocked]
    verbs = [name for name in VERBS if name in unlocked]
    verbs += [FEATURE_WORDS.get(name, name) for name in FEATURES if name in unlocked]
    text = Text()
    text.append("Components: ", style="bold")
    text.append(", ".join(kinds) or "none")
    text.append("\nActions: ", style="bold")
    text.append(", ".join(verbs) or "none")
    return text


def first_paragraph(markdown: str) -> str:
    return markdown.strip().split("\n\n", 1)[0]
