"""The post-mortem in words: what each move of a run did, as the engine measured it.

    What each move did (each measured by playing the level again without it)
     0:30  resize box-1 to L
           87 requests failed in the 30 s box-1 was restarting (without the move: 0)
           without it: availability 70.571% (yours 99.689%) · p95 latency 2,197 ms (yours
           96 ms) · cost 540 (yours 2,070)

The numbers are `game.engine.postmortem`'s; this module only writes them, each score as its
Metric writes it everywhere, the graded ones only.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from game.engine.actions import Action
from game.engine.metrics import METRICS
from game.engine.postmortem import MoveEffect, Postmortem
from game.engine.scoring import Objectives
from game.engine.sharding import SLOWED as SHARDS_SLOWED
from game.ui.numbers import clock

HEADING = "What each move did (each measured by playing the level again without it)"
MEASURING = "Measuring each move by playing the level again without it…"
INDENT = 7  # the columns of a move's time; its lines wrap under its words, not under the time


def post_mortem_text(found: Postmortem, objectives: Objectives) -> RenderableType:
    """The post-mortem of a run whose scores the level grades by `objectives`."""
    heading = Text(HEADING, style="bold")
    if not found.effects:
        return Group(heading, Text("You made no moves: the level ran as it started.", style="dim"))
    moves = Table.grid()
    moves.add_column(width=INDENT, no_wrap=True)
    moves.add_column()
    for effect in found.effects:
        _effect(moves, effect, found.scores, objectives)
    parts: list[RenderableType] = [heading, moves]
    if found.unmeasured:
        shown = len(found.effects)
        parts.append(
            Text(
                f"The first {shown} moves were measured; {found.unmeasured} later"
                f" move{'s' * (found.unmeasured != 1)} were not played again.",
                style="dim",
            )
        )
    return Group(*parts)


PAR_MOVES_SHOWN = 8  # par's moves written out; the rest are on the time axis


def par_moves_text(actions: tuple[Action, ...]) -> Text:
    """Par's moves in words, at their times: what par did differently."""
    text = Text("Par: ", style="bold")
    shown = [f"{_move(a)} at {clock(a.tick)}" for a in actions[:PAR_MOVES_SHOWN]]
    text.append(", ".join(shown) if shown else "no moves")
    if len(actions) > PAR_MOVES_SHOWN:
        text.append(f" and {len(actions) - PAR_MOVES_SHOWN} more", style="dim")
    return text


def _effect(
    moves: Table, effect: MoveEffect, scores: Mapping[str, float], objectives: Objectives
) -> None:
    """One move's rows: its time and words, what failed in the outage it caused, and the
    graded scores of the run without it."""
    action = effect.action
    moves.add_row(Text(f" {clock(action.tick):>5}", style="dim"), Text(_move(action), style="bold"))
    if effect.outage:
        what = effect.out_of_service
        down = {
            "writes": "writes waited for the promotion",
            "the data tier": "the data tier was migrating",
            SHARDS_SLOWED: "keys moved between the shards",
        }.get(what, f"{what} was restarting")
        text = Text(f"{_count(effect.failed)} requests failed", style="bold")
        text.append(f" in the {effect.outage} s {down}")
        text.append(f" (without the move: {_count(effect.failed_without)})", style="dim")
        moves.add_row("", text)
    parts = []
    for goal in objectives.goals:
        metric = METRICS[goal.metric]
        mine, other = scores[goal.metric], effect.scores_without[goal.metric]
        shown_other, shown_mine = metric.format_pair(other, mine)
        part = Text(f"{metric.label(objectives.latency_percentile)} ")
        # green: the run would have done better without the move; red: the move paid off
        worse = metric.better(mine, other)
        style = "bold green" if metric.better(other, mine) else "bold red" if worse else "bold"
        part.append(shown_other, style=style)
        part.append(f" (yours {shown_mine})", style="dim")
        parts.append(part)
    parts[0] = Text("without it: ").append_text(parts[0])
    moves.add_row("", Flow(parts))
    if effect.refused_without:
        n = effect.refused_without
        refused = f"and {n} later move{'s' * (n != 1)} would have been refused without it"
        moves.add_row("", Text(refused, style="dim"))


class Flow:
    """Pieces of text laid out as words are: a piece that does not fit on the line goes whole to
    the next one, so a number never breaks from its unit ("2,193 ms"); only a piece wider than
    the whole line wraps inside."""

    def __init__(self, pieces: list[Text], separator: str = " · ") -> None:
        self.pieces = pieces
        self.separator = separator

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        line = Text()
        for piece in self.pieces:
            if not line:
                line.append_text(piece)
            elif line.cell_len + len(self.separator) + piece.cell_len <= width:
                line.append(self.separator)
                line.append_text(piece)
            else:
                line.append(self.separator.rstrip())
                yield line
                line = piece.copy()
        yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((p.cell_len for p in self.pieces), default=0)
        whole = sum(p.cell_len for p in self.pieces) + len(self.separator) * (len(self.pieces) - 1)
        return Measurement(min(widest, options.max_width), min(whole, options.max_width))


def _move(action: Action) -> str:
    """The move in a player's words."""
    if action.verb == "configure" and isinstance(action.value, bool):
        state = "on" if action.value else "off"
        return f"{action.target} {action.setting.replace('_', ' ')} {state}"
    if action.verb == "add" and action.kind in ("balancer", "cdn"):
        return f"add {'a balancer' if action.kind == 'balancer' else 'the CDN'}"
    return action.describe()


def _count(value: float) -> str:
    return f"{value:,.0f}"
