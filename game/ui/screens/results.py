"""The results screen: passed or not, stars, each score against its objective and the par."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Markdown, Sparkline, Static

from game.content.packs import PackLevel
from game.engine.report import TickReport
from game.engine.simulation import RunResult, run

_UNITS = {
    "availability": lambda v: f"{100 * v:.3f}%",
    "latency_ms": lambda v: f"{v:,.0f} ms",
    "cost": lambda v: f"{v:,.0f}",
    "stale_share": lambda v: f"{100 * v:.2f}%",
    "lost_writes": lambda v: f"{v:,.1f}",
}
_NAMES = {
    "availability": "availability",
    "latency_ms": "latency",
    "cost": "cost",
    "stale_share": "stale reads",
    "lost_writes": "lost writes",
}


class ResultsScreen(Screen[None]):
    CSS_PATH = "results.tcss"
    BINDINGS = [
        Binding("n", "next", "Next level"),
        Binding("r", "retry", "Retry"),
        Binding("escape,q", "leave", "Levels"),
    ]

    def __init__(self, level: PackLevel, result: RunResult, history: list[TickReport]) -> None:
        super().__init__()
        self.level = level
        self.result = result
        self.history = history
        reference = level.reference
        self.par = run(level.scenario, reference.actions) if reference else None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="results"):
            yield Static(self._verdict(), id="verdict")
            yield Static(self._scores(), id="scores")
            with Horizontal(id="results-buttons"):
                if self._next() is not None:
                    yield Button("Next", id="next", action="screen.next", compact=True)
                yield Button("Retry", id="retry", action="screen.retry", compact=True)
                yield Button("Levels", id="levels", action="screen.leave", compact=True)
            for title, values in self._series():
                yield Static(Text(title, style="bold"), classes="chart-title")
                yield Sparkline(values, classes="chart")
            for concept in self.level.file.concepts:
                entry = self._codex(concept)
                if entry is not None:
                    yield Static(Text(f"Codex: {entry.title}", style="bold"), classes="codex")
                    yield Markdown(entry.text, classes="codex-text")
        yield Footer()

    def _verdict(self) -> Text:
        stars = self.result.stars
        text = Text(self.level.file.title + "\n", style="bold")
        if self.result.passed:
            text.append("Passed  ", style="bold green")
            text.append("★" * stars + "☆" * (3 - stars), style="yellow")
        else:
            text.append("Not yet: ", style="bold red")
            text.append("a score missed its pass line")
        return text

    def _scores(self) -> Table:
        objectives = self.level.scenario.objectives
        table = Table(box=None, pad_edge=False)
        for column in ("score", "this run", "pass", "★★", "★★★", "par"):
            table.add_column(column, justify="left" if column == "score" else "right")
        for goal in objectives.goals:
            show = _UNITS[goal.metric]
            value = self.result.scores[goal.metric]
            name = _NAMES[goal.metric]
            if goal.metric == "latency_ms":
                name = f"p{objectives.latency_percentile} latency"
            style = "green" if goal.met(value, 1) else "red"
            par = show(self.par.scores[goal.metric]) if self.par else "-"
            table.add_row(
                Text(name),
                Text(show(value), style=style),
                show(goal.pass_line),
                show(goal.two),
                show(goal.three),
                par,
            )
        return table

    def _series(self) -> list[tuple[str, list[float]]]:
        reports = self.history or [None]
        return [
            ("traffic (req/s)", [r.rps if r else 0.0 for r in reports]),
            ("p95 latency (ms)", [(r.percentile_ms(0.95) or 0.0) if r else 0.0 for r in reports]),
            ("failed requests", [r.failed_total if r else 0.0 for r in reports]),
        ]

    def _pack(self):
        """The loaded pack this level belongs to."""
        for pack in getattr(self.app, "packs", ()):
            if any(level.id == self.level.id for level in pack.levels):
                return pack
        return None

    def _codex(self, concept: str):
        pack = self._pack()
        return pack.codex.get(concept) if pack is not None else None

    def _next(self):
        """The level after this one in its pack, if any."""
        pack = self._pack()
        if pack is None:
            return None
        order = list(pack.levels)
        position = next(i for i, level in enumerate(order) if level.id == self.level.id)
        return (pack, order[position + 1]) if position + 1 < len(order) else None

    def action_next(self) -> None:
        from game.ui.screens.briefing import BriefingScreen

        following = self._next()
        if following is None:
            return
        self.app.pop_screen()  # this screen
        self.app.pop_screen()  # the finished play screen
        self.app.push_screen(BriefingScreen(*following))

    def action_retry(self) -> None:
        from game.ui.screens.play import PlayScreen

        settings = self.app.settings
        self.app.pop_screen()  # this screen
        self.app.pop_screen()  # the finished play screen
        self.app.push_screen(PlayScreen(self.level, settings))

    def action_leave(self) -> None:
        self.app.pop_screen()
        self.app.pop_screen()
