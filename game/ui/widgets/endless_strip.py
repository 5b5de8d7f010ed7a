"""The endless strip: what is left of the error budget, and the best minute so far.

    error budget ██████████████░░░░░░ 71% left   23 of 80 failures allowed in the last 5:00
    peak load    2.3k/s, 4.2 per million   best minute ≤ 300 ms   traffic ×2 every 5:00

It stands where a level's forecast does: an endless level has no end to forecast. The budget
bar empties as failures in the window use it up, and turns to the warning colour under a third
and the error colour under a tenth; the run ends when it is empty. Feed it with `show(view)`.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from game.engine.metrics import METRICS
from game.engine.view import EndlessView
from game.ui import numbers
from game.ui.numbers import clock

LABEL_WIDTH = 13  # as the metrics panel's labels
BAR_WIDTH = 20
LOW, CRITICAL = 1 / 3, 0.1  # budget left under which the bar warns, then alarms


class EndlessStrip(Static):
    """An endless run's error budget and peak, in two rows."""

    DEFAULT_CSS = """
    EndlessStrip {
        height: 2;
        padding: 0 1;
    }
    """

    def __init__(self, seed_note: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.seed_note = seed_note  # e.g. "seed of the day 2026-12-02"
        self._endless: EndlessView | None = None
        self._shown = ""

    def show(self, endless: EndlessView | None) -> None:
        if endless is None:
            return
        self._endless = endless
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self._endless is None:
            return
        text = strip_text(self._endless, self.seed_note, self.content_size.width or 200)
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text, layout=False)  # always two rows


def strip_text(endless: EndlessView, seed_note: str = "", width: int = 200) -> Text:
    """The strip's two rows, `width` cells at most: the notes at the end of a row are left out
    when they do not fit, never the budget or the peak."""
    left = endless.budget_left
    style = "bold red" if left < CRITICAL else "bold yellow" if left < LOW else "bold green"
    full = round(left * BAR_WIDTH)
    allowed = numbers.compact(endless.allowance)
    budget = [
        ("error budget".ljust(LABEL_WIDTH), "dim"),
        ("█" * full, style),
        ("░" * (BAR_WIDTH - full), "dim"),
        (f" {numbers.percent(left)} left", style),
    ]
    budget_notes = [
        (f"   {numbers.compact(endless.failed)} of {allowed} failures allowed", "dim"),
        (f" in the last {clock(endless.window)}", "dim"),
    ]
    if endless.peak_rps > 0:
        cost = METRICS["cost_per_million"].format(endless.cost_per_million)
        peak = [
            ("peak load".ljust(LABEL_WIDTH), "dim"),
            (numbers.rate(endless.peak_rps), "bold"),
            (f", {cost} per million", "bold"),
        ]
    else:
        peak = [("peak load".ljust(LABEL_WIDTH), "dim"), ("no full minute yet", "bold")]
    peak_notes = [
        (f"   best minute ≤ {numbers.millis(endless.latency_ms)}", "dim"),
        (f"   traffic ×2 every {clock(endless.doubling_ticks)}", "dim"),
    ]
    if seed_note:
        peak_notes.append((f"   {seed_note}", "dim"))
    text = _row(budget, budget_notes, width)
    text.append("\n")
    text.append_text(_row(peak, peak_notes, width))
    return text


def _row(parts: list[tuple[str, str]], notes: list[tuple[str, str]], width: int) -> Text:
    """`parts`, then as many of `notes` as fit in `width`, in order."""
    row = Text()
    for words, style in parts:
        row.append(words, style=style)
    for words, style in notes:
        if row.cell_len + len(words) > width:
            break
        row.append(words, style=style)
    return row
