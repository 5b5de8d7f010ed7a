"""The results screen: passed or not, stars, each score against its objective and the par, and
against the player's own record: personal bests and where this run stands among their runs.
Then the run explained: its charts on one time axis with the moves and failures marked, and the
post-mortem, each move measured by playing the level again without it. Those runs, and par's
when the level's reference records no scores, are made on a worker thread (`_measure`): the
screen is drawn at once and the post-mortem and par filled in when they are known. Where par
did better, its moves are marked beside the player's.

A finished run is recorded here (and the run in progress cleared); a replay is not recorded.
Next, Retry and Levels are the app's ways (`game.ui.ways`): the results never leave a trail.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Markdown, Static
from textual.worker import Worker, WorkerState

from game.content.packs import PackLevel
from game.content.solutions import par
from game.engine.actions import Action
from game.engine.endless import seed_of_day
from game.engine.metrics import METRICS
from game.engine.postmortem import Postmortem, postmortem
from game.engine.report import TickReport
from game.engine.simulation import RunResult
from game.store.campaign import level_key
from game.store.progress import RunRecorded, SavedSolution
from game.ui.dialogs import NamePrompt
from game.ui.numbers import clock
from game.ui.ways import ways
from game.ui.widgets.post_mortem import MEASURING, par_moves_text, post_mortem_text
from game.ui.widgets.run_chart import RunChart


class ResultsScreen(Screen[None]):
    CSS_PATH = "results.tcss"
    BINDINGS = [
        Binding("n", "next", "Next level"),
        Binding("r", "retry", "Retry"),
        Binding("v", "save_solution", "Save solution"),
        Binding("escape,q", "leave", "Levels"),
    ]

    def __init__(
        self,
        level: PackLevel,
        result: RunResult,
        history: list[TickReport],
        *,
        actions: tuple[Action, ...] = (),
        replay: SavedSolution | None = None,
        speed: int | None = None,
    ) -> None:
        super().__init__()
        self.speed = speed  # the speed the run was played at: a retry runs at it
        self.level = level
        self.result = result
        self.history = history
        self.actions = actions
        self.replay = replay
        self.par: dict[str, float] | None = None  # known once measured (`_measure`)
        self.post_mortem: Postmortem | None = None
        self.key: str | None = None
        self.recorded: RunRecorded | None = None

    def on_mount(self) -> None:
        pack = self.app.pack_of(self.level)
        if pack is not None:
            self.key = level_key(pack, self.level)
        if self.key is not None and self.replay is None:
            result, key = self.result, self.key

            def record() -> None:
                seed = result.seed if result.scenario.endless is not None else None
                self.recorded = self.app.store.record_run(key, result.scores, result.stars, seed)
                self.app.store.clear_run()

            if self.app.save(record):
                self.query_one("#record", Static).update(self._record())
                self.query_one("#verdict", Static).update(self._verdict())
        if self._next() is not None:  # offered once this run has opened it
            self.query_one("#next").display = self._next_open()
        self.run_worker(self._measure, name="post-mortem", thread=True, exit_on_error=False)

    def _measure(self) -> tuple[Postmortem, dict[str, float] | None]:
        """On a worker thread: each move played again without it, and par (which may be a run
        of the reference)."""
        found = postmortem(self.level.scenario, self.result.seed, self.actions)
        return found, par(self.level, self.result.seed)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "post-mortem":
            return
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.query_one("#postmortem", Static).update(
                Text(f"The post-mortem could not be made: {error}", style="red")
            )
        if event.state != WorkerState.SUCCESS or event.worker.result is None:
            return
        self.post_mortem, self.par = event.worker.result
        objectives = self.level.scenario.objectives
        shown = post_mortem_text(self.post_mortem, objectives)
        ahead = self._par_did_better()
        if ahead:
            reference = self.level.reference
            self.query_one(RunChart).show_par([a.tick for a in reference.actions])
            par = Text("\nPar did better on ", style="bold")
            par.append(" and ".join(METRICS[m].label(objectives.latency_percentile) for m in ahead))
            par.append(": its moves are marked beside yours on the time axis below.\n")
            par.append_text(par_moves_text(reference.actions))
            shown = Group(shown, par)
        self.query_one("#postmortem", Static).update(shown)
        self.query_one("#scores", Static).update(self._scores())

    def _par_did_better(self) -> list[str]:
        """The graded scores par beat this run on (none without a reference)."""
        if not self.par or self.level.reference is None:
            return []
        return [
            g.metric
            for g in self.level.scenario.objectives.goals
            if g.metric in self.par
            and METRICS[g.metric].better(self.par[g.metric], self.result.scores[g.metric])
        ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="results"):
            yield Static(self._verdict(), id="verdict")
            yield Static(self._scores(), id="scores")
            yield Static(self._record(), id="record")
            with Horizontal(id="results-buttons"):
                if self._next() is not None:
                    yield Button("Next", id="next", action="screen.next", compact=True)
                yield Button("Retry", id="retry", action="screen.retry", compact=True)
                if self.replay is None:
                    yield Button(
                        "Save solution", id="save", action="screen.save_solution", compact=True
                    )
                yield Button("Levels", id="levels", action="screen.leave", compact=True)
            yield Static(Text(MEASURING, style="dim"), id="postmortem")
            yield RunChart(
                self.level.scenario, self.history, [a.tick for a in self.actions], id="charts"
            )
            for concept in self.level.file.concepts:
                entry = self._codex(concept)
                if entry is not None:
                    yield Static(Text(f"Codex: {entry.title}", style="bold"), classes="codex")
                    yield Markdown(entry.text, classes="codex-text", open_links=False)
        yield Footer()

    def _verdict(self) -> Text:
        stars = self.result.stars
        text = Text(self.level.file.title + "\n", style="bold")
        if self.replay is not None:
            text.append(f"Replay of {self.replay.name!r}: ", style="bold")
        if self.result.scenario.endless is not None:
            text.append_text(self._endless_verdict())
        if self.result.passed:
            text.append("Passed  ", style="bold green")
            text.append("★" * stars + "☆" * (3 - stars), style="yellow")
            following = self._next() if self.recorded and self.recorded.first_pass else None
            if following is not None:
                pack, level = following
                number = pack.levels.index(level) + 1
                text.append(f"\nLevel {number} is open: ", style="bold")
                text.append(level.file.title)
        else:
            text.append("Not yet: ", style="bold red")
            text.append("a score missed its pass line")
        return text

    def _endless_verdict(self) -> Text:
        """How long an endless run held, and on which seed."""
        held = clock(self.result.ticks)
        if self.result.ticks < self.result.scenario.duration:
            why = "then its error budget was spent"
        else:
            why = "the longest a run of this level lasts"
        text = Text(f"The site held {held}, {why}", style="bold")
        day = self.app.settings.seed_day()
        if self.result.seed == seed_of_day(day.year, day.month, day.day):
            text.append(f" on the seed of the day, {day.isoformat()}.\n")
        else:
            text.append(f" on seed {self.result.seed}.\n")
        return text

    def _scores(self) -> Table:
        objectives = self.level.scenario.objectives
        table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
        for column in ("score", "this run", "pass", "★★", "★★★", "par"):
            table.add_column(column, justify="left" if column == "score" else "right")
        for goal in objectives.goals:
            metric = METRICS[goal.metric]
            show = metric.format
            value = self.result.scores[goal.metric]
            name = metric.label(objectives.latency_percentile)
            style = "green" if goal.met(value, 1) else "red"
            par = show(self.par[goal.metric]) if self.par and goal.metric in self.par else "-"
            if self.par is None and self.level.reference is not None:
                par = "…"  # being measured
            table.add_row(
                Text(name),
                Text(show(value), style=style),
                show(goal.pass_line),
                show(goal.two),
                show(goal.three),
                par,
            )
        return table

    def _record(self) -> Table | Text:
        """This run against the player's own: each best, and its place among their runs."""
        if self.replay is not None:
            return Text("A replay is not recorded among your runs.", style="dim")
        if self.recorded is None:
            return Text("")
        record = self.recorded.record
        objectives = self.level.scenario.objectives
        table = Table(
            box=None, pad_edge=False, padding=(0, 2, 0, 0), title="Your runs", title_justify="left"
        )
        runs = len(record.runs)
        spread = runs > 1  # one run has no spread to draw
        table.add_column("score")
        table.add_column("your best", justify="right")
        if spread:
            table.add_column(f"your {runs} runs", justify="center")
        table.add_column("this run")
        seed_best = record.by_seed.get(self.result.seed) if self.result.scenario.endless else None
        if seed_best is not None:
            table.add_column("best on this seed", justify="right")
        for goal in objectives.goals:
            metric = goal.metric
            show = METRICS[metric].format
            best = record.best.get(metric)
            # the bests count passes only: before the first, there is none to show
            best_text = Text(show(best)) if best is not None else Text("no pass yet", style="dim")
            values = [scores[metric] for _, scores in record.runs if metric in scores]
            mine = self.result.scores[metric]
            name = METRICS[metric].label(objectives.latency_percentile)
            place = rank_phrase(values, mine, metric, metric in self.recorded.new_bests)
            row = [Text(name), best_text, *([histogram(values, mine)] if spread else []), place]
            if seed_best is not None:
                row.append(show(seed_best[metric]) if metric in seed_best else "-")
            table.add_row(*row)
        return table

    def _pack(self):
        """The loaded pack this level belongs to."""
        return self.app.pack_of(self.level)

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

    def _next_open(self) -> bool:
        following = self._next()
        return following is not None and self.app.campaign.is_unlocked(*following)

    def action_next(self) -> None:
        following = self._next()
        if following is None or not self._next_open():
            self.notify("Pass this level to open the next one.", title="Not yet")
            return
        ways(self).next_level(*following)

    def action_retry(self) -> None:
        ways(self).retry_level(self.level, self.speed)

    def action_save_solution(self) -> None:
        """Keep this run's moves under a name, to replay, copy or export later."""
        if self.replay is not None or self.key is None:
            self.notify("Only a run you played can be saved as a solution.", title="Not saved")
            return
        key = self.key
        default = self.app.store.free_name(key, f"{self.result.stars}-stars")

        def save(name: str | None) -> None:
            if not name:
                return
            solution = SavedSolution(
                key,
                name,
                self.result.seed,
                self.actions,
                dict(self.result.scores),
                self.result.stars,
            )
            if self.app.save(lambda: self.app.store.save_solution(solution)):
                self.notify(f"Saved as {name!r}.", title="Solution saved", markup=False)

        self.app.push_screen(NamePrompt("Name this solution", default), save)

    def action_leave(self) -> None:
        ways(self).back_to_levels()


BARS = " ▁▂▃▄▅▆▇█"
BINS = 8


def histogram(values: list[float], mine: float) -> Text:
    """The player's runs of one score in BINS bins, lowest on the left; this run's bin lit."""
    if len(values) < 2:
        return Text("-", style="dim")
    low, high = min(values), max(values)
    span = high - low

    def bin_of(value: float) -> int:
        return 0 if span <= 0 else min(BINS - 1, int((value - low) / span * BINS))

    counts = [0] * BINS
    for value in values:
        counts[bin_of(value)] += 1
    tallest = max(counts)
    text = Text()
    for i, count in enumerate(counts):
        bar = BARS[0 if count == 0 else max(1, round(count / tallest * (len(BARS) - 1)))]
        text.append(bar, style="bold yellow" if i == bin_of(mine) else "dim")
    return text


def rank_phrase(values: list[float], mine: float, metric: str, new_best: bool) -> Text:
    """Where this run (`mine`, one of `values`, the player's runs) stands, in words that read
    true: "your first run", "your best of 3, a new best", "tied best of 3", "3rd of 12". A new
    best counts passing runs only (as "your best" does), so a run behind a failed one that
    scored higher is "2nd of 2, your best pass", never "2nd of 2, a new best". Ties share
    the better place."""
    n = len(values)
    better = sum(1 for v in values if METRICS[metric].better(v, mine))
    if n <= 1:
        return Text("your first run")
    if better == 0:
        tied = sum(1 for v in values if v == mine) > 1
        if new_best:
            return Text(f"your best of {n}, ", style="bold").append(
                "a new best", style="bold green"
            )
        return Text(f"tied best of {n}" if tied else f"your best of {n}")
    words = Text(f"{_ordinal(better + 1)} of {n}")
    if new_best:
        words.append(", your best pass", style="bold green")
    return words


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
