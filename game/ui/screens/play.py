"""The play screen: drives the engine tick by tick and draws the engine's view of the site.

The screen owns a Simulation. A timer (or a manual step, for tests and for the step key) calls
`advance`, which asks the engine for one tick; after it, and after every move, the screen takes
the engine's view of the site (`site_view`) and hands it to the widgets, which only draw it.

Keys are the table in `game.ui.keys` (the build bar's buttons run the same actions). Every move,
from a key, the build bar, the inspector or the palette, reaches `apply`, which stamps its tick
and hands it to `Simulation.apply`: the engine decides, and a refusal shows the engine's reason.

Time goes back as well as forward. The run is its moves, so a restart and a rewind rebuild the
simulation and re-simulate the moves made before the tick gone back to (`game.ui.rewind`); the
widgets are composed afresh and fed the re-simulated ticks. Esc deselects, then pauses and asks
(`PauseMenu`); a level left is saved with its speed and pause for Continue, its log re-simulated.
"""

from __future__ import annotations

import dataclasses

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from game.content.packs import PackLevel
from game.engine.actions import Action
from game.engine.forecast import forecast
from game.engine.replay import by_tick
from game.engine.report import TickReport
from game.engine.simulation import Simulation, resimulate
from game.engine.view import MovePreview, SiteView, add_moves, node_moves, site_view
from game.store.campaign import level_digest, level_key
from game.store.progress import SavedRun, SavedSolution
from game.ui import keys, numbers, rewind
from game.ui.dialogs import ConfirmScreen, PauseMenu
from game.ui.palette import BuildCommands, TimeCommands
from game.ui.settings import SPEEDS, AppSettings
from game.ui.ways import Pace, ways
from game.ui.widgets import (
    ActionRequested,
    ArchitectureMap,
    BuildBar,
    EndlessStrip,
    EventLog,
    ForecastStrip,
    Inspector,
    Readings,
)
from game.ui.widgets.status import advice_text, status_text

SAVE_EVERY = 20  # ticks between saves of the run in progress (a move saves at once)
HISTORY_SHOWN = 120  # ticks of a resumed run fed back to the sparklines
LOG_SHOWN = 200  # events of a resumed run fed back to the event log
TALL = 34  # rows from which the map may grow and the latency by route shows (play.tcss)
TALLER = 46  # rows from which the tiers' charts show too


class PlayScreen(Screen[None]):
    CSS_PATH = "play.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-roomy")]  # narrow: a one-column inspector
    VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL, "-tall"), (TALLER, "-taller")]
    COMMANDS = Screen.COMMANDS | {BuildCommands, TimeCommands}
    BINDINGS = keys.bindings()
    SANDBOX = False  # the sandbox screen's runs grade nothing (Simulation(sandbox=True))

    def __init__(
        self,
        level: PackLevel,
        settings: AppSettings,
        *,
        resume: SavedRun | None = None,
        replay: SavedSolution | None = None,
        pace: Pace | None = None,
    ) -> None:
        """Play `level` afresh, from where `resume` left it (at `pace`, as it was left), or
        watch `replay` played back."""
        super().__init__()
        self.level = level
        self.settings = settings
        self.resume = resume
        self.replay = replay
        self.actions: list[Action] = list(resume.actions) if resume else []
        self._plan = by_tick(replay.actions) if replay else {}
        self.key: str | None = None  # the store's name for the level; None: nothing is saved
        seed = resume.seed if resume else replay.seed if replay else None
        seed, self.seed_note = settings.seed_for(level.scenario, seed)
        self.sim = Simulation(level.scenario, seed=seed, sandbox=self.SANDBOX)
        self.view: SiteView = site_view(self.sim)
        self.selected: str | None = None
        self.add_size = "S"  # the size the add keys ask for
        self.paused = settings.tick_source == "manual" or (pace is not None and pace.paused)
        self.speed = pace.speed if pace is not None else settings.speed
        self.history: list[TickReport] = []
        self.redo: rewind.Redo | None = None  # the moves a rewind took back, to make again
        self._timer: Timer | None = None
        self._paused_when_covered: bool | None = None
        self._rebuilding = False  # time and keys wait while the widgets are composed afresh
        self._hint = ""

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Static(id="rewound")
        if self.level.scenario.endless is not None:
            yield EndlessStrip(self.seed_note, id="endless")
        else:
            yield ForecastStrip(forecast(self.level.scenario), id="forecast")
        yield ArchitectureMap(id="map")
        with Horizontal(id="middle"):
            yield Readings(self.view.graded, id="readings")
            yield Inspector(id="inspector")
        yield BuildBar(id="build")
        yield Footer()

    def on_mount(self) -> None:
        pack = self.app.pack_of(self.level)
        self.key = level_key(pack, self.level) if pack and self.replay is None else None
        if self.resume is not None:
            self._resimulate(self.resume.actions, self.resume.tick)
            self.redo = rewind.restored(self.resume.redo)
        self._draw()
        self.query_one(ArchitectureMap).focus()
        if self.settings.tick_source == "timer":
            self._restart_timer()

    def _resimulate(self, actions: tuple[Action, ...] | list[Action], tick: int) -> None:
        """The run as it stood at `tick`: `actions` re-simulated up to it, its reports kept, its
        last ticks fed to the sparklines and its last events to the log."""
        readings = self.query_one(Readings)
        shown_from = tick - HISTORY_SHOWN
        events = []
        self.history = []

        def seen(sim: Simulation, report: TickReport) -> None:
            self.history.append(report)
            events.extend(report.events)
            if report.tick >= shown_from:
                readings.record(site_view(sim))

        scenario = self.level.scenario
        self.sim = resimulate(scenario, self.sim.seed, actions, tick, seen, sandbox=self.SANDBOX)
        events.extend(self.sim.take_events())
        self.query_one(EventLog).add(events[-LOG_SHOWN:])

    def on_resize(self, event: events.Resize) -> None:
        """The map fits its pools to the height it may take now (a tall screen gives it more)."""
        self.query_one(ArchitectureMap).show(self.view)

    @property
    def last(self) -> TickReport | None:
        """The last tick's report (None before the first tick)."""
        return self.sim.last

    # -- time -------------------------------------------------------------------------------

    def advance(self) -> None:
        """One tick of the engine, drawn; at the end of the level, the results."""
        if self.sim.done:
            return
        for action in self._plan.get(self.sim.tick, ()):  # a replay's moves, at their ticks
            self.sim.apply(action)
        self._redo_due()
        report = self.sim.step()
        self.history.append(report)
        self.query_one(EventLog).add(report.events)
        self._draw()
        self.query_one(Readings).record(self.view)
        if self.sim.done:
            self._finish()
        elif self.sim.tick % SAVE_EVERY == 0:
            self.save_run()

    def _timer_tick(self) -> None:
        if not self.paused and not self._rebuilding:
            self.advance()

    def _restart_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_interval(1 / self.speed, self._timer_tick)

    def action_pause(self) -> None:
        self.paused = not self.paused
        self._draw_status()
        if self.paused:
            self.save_run()

    def action_step(self) -> None:
        self.paused = True
        self.advance()

    def on_screen_suspend(self) -> None:
        """Covered (help, the command palette, a too-small terminal): time stops meanwhile."""
        self._paused_when_covered = self.paused
        self.paused = True

    def on_screen_resume(self) -> None:
        if self._paused_when_covered is not None:
            self.paused, self._paused_when_covered = self._paused_when_covered, None
            self._draw_status()

    def action_faster(self) -> None:
        self.speed = SPEEDS[(SPEEDS.index(self.speed) + 1) % len(SPEEDS)]
        if self.settings.tick_source == "timer":
            self._restart_timer()
        self._draw_status()

    # -- backing out, restarting, rewinding ---------------------------------------------------

    def action_back(self) -> None:
        """Esc: let go of the component selected; with none, pause and ask what to do."""
        if self.selected is not None:
            self.select(None)
            return
        was_paused, sim = self.paused, self.sim
        menu = PauseMenu(self.level.file.title, f"tick {sim.tick}/{sim.scenario.duration}")
        self.app.push_screen(menu, lambda answer: self._answered(answer, was_paused))

    def _answered(self, answer: str | None, was_paused: bool) -> None:
        if answer == "restart":
            self.action_restart()
        elif answer == "leave":
            self.leave(was_paused)

    def leave(self, paused: bool) -> None:
        """Back out; an unfinished level stays saved, for Continue on the title screen, which
        brings it back at this speed, paused or not (in this session or the next)."""
        if self._timer is not None:
            self._timer.stop()
        self.save_run(paused)
        self.app.pop_screen()

    def action_restart(self) -> None:
        """The level from its start; if moves were made, only once the player says so."""
        made = len(self.actions) + (len(self.redo.moves) if self.redo is not None else 0)
        if not made or self.replay is not None:
            self.run_worker(self._restart())
            return
        moves = numbers.counted(made, "move")
        question = f"Start {self.level.file.title} again? It drops the {moves} you made."

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._restart())

        self.app.push_screen(ConfirmScreen("Restart", question), answered)

    async def _restart(self) -> None:
        self.actions, self.redo = [], None
        await self._rebuild((), 0)
        self.save_run()

    async def action_rewind(self, seconds: int = keys.REWIND_SECONDS) -> None:
        """Back `seconds` in time, exactly: the moves made before then re-simulated; the moves
        taken back wait as a redo."""
        if self.sim.tick == 0:
            self.notify("The level has only just begun.", title="Nothing to rewind")
            return
        made = self.replay.actions if self.replay is not None else self.actions
        kept, redo = rewind.rewind(made, self.sim.tick, seconds, self.redo)
        if self.replay is None:  # a replay's own plan makes its moves again
            self.actions, self.redo = kept, redo
        await self._rebuild(kept, redo.to_tick)
        self.save_run()

    async def _rebuild(self, actions: tuple[Action, ...] | list[Action], tick: int) -> None:
        """The screen afresh on the run re-simulated to `tick` (widgets and all)."""
        selected, self._hint = self.selected, ""  # the widgets are new: nothing is shown yet
        self._rebuilding = True
        try:
            await self.recompose()
            self._resimulate(actions, tick)
            self.selected = selected if self.sim.topology.nodes.get(selected or "") else None
            self._draw()
            self._draw_inspector()
            self.query_one(ArchitectureMap).focus()
        finally:
            self._rebuilding = False

    def action_redo(self) -> None:
        """Play on to where the rewind started, making the moves it took back at their ticks."""
        redo = self.redo
        while redo is not None and self.redo is not None and self.sim.tick < redo.from_tick:
            self.advance()
        if not self.sim.done:
            self._redo_due()  # the moves made at the tick the rewind started from
            self._draw()

    def action_drop_redo(self) -> None:
        """Forget the moves a rewind took back: the run goes on without them."""
        self._drop_redo()
        self._draw()

    def _drop_redo(self) -> None:
        if self.redo is not None and self.redo.moves:
            self.notify("The moves a rewind took back are dropped.", title="Redo")
        self.redo = None
        self.refresh_bindings()

    def _redo_due(self) -> None:
        """The moves to make again at this tick, made (before the tick is simulated)."""
        if self.redo is None:
            return
        for action in self.redo.due(self.sim.tick):
            if self.sim.apply(action).accepted:
                self.actions.append(action)
                self.save_run()
        self.query_one(EventLog).add(self.sim.take_events())
        self.redo = self.redo.after(self.sim.tick)
        if self.redo is None:
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Redo and drop are on offer only while a rewind left something to redo."""
        if action not in ("redo", "drop_redo") or self._rebuilding:
            return not self._rebuilding
        return self.redo is not None and (action == "redo" or bool(self.redo.moves))

    def on_unmount(self) -> None:
        self.save_run()  # the app is quitting with the level unfinished

    def save_run(self, paused: bool | None = None) -> None:
        """Keep the run in progress: its seed, tick and moves are all it takes to rebuild it,
        with its speed and whether it was `paused` (default: as it is, once uncovered)."""
        if self.key is None or self.sim.done:
            return
        if paused is None:
            paused = self.paused if self._paused_when_covered is None else self._paused_when_covered
        digest, moves, redo = level_digest(self.level), tuple(self.actions), rewind.saved(self.redo)
        sim = self.sim
        run = SavedRun(self.key, sim.seed, sim.tick, moves, digest, self.speed, paused, redo)
        self.app.save(lambda: self.app.store.save_run(run))

    def _finish(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        moves, result = tuple(self.actions), self.sim.result()
        ways(self).level_over(self.level, result, self.history, moves, self.replay, self.speed)

    # -- moves ------------------------------------------------------------------------------

    def action_add(self, kind: str) -> None:
        """An add key: even a refused add goes to the engine, which says why it refuses it."""
        move = keys.add_move(add_moves(self.sim), kind, self.add_size)
        if move is not None:
            self.apply(move.action)

    def action_rule(self) -> None:
        self.query_one(Inspector).ask_pool_rule(self.moves_on_offer(), self.view, self.selected)

    def action_size(self, size: str) -> None:
        self.add_size = size
        self._draw_build_bar()

    async def on_build_bar_pressed(self, message: BuildBar.Pressed) -> None:
        """A build-bar button: the same action its key runs."""
        message.stop()
        await self.run_action(message.action)

    def on_action_requested(self, message: ActionRequested) -> None:
        message.stop()
        self.apply(message.action)

    def apply(self, action: Action) -> None:
        """Hand a move to the engine now, stamped with the tick; a refusal is shown with the
        engine's reason."""
        if self.replay is not None:
            self.notify("This is a replay: it plays the solution's own moves.", title="Replay")
            return
        action = dataclasses.replace(action, tick=self.sim.tick)
        outcome = self.sim.apply(action)
        if outcome.accepted and self.redo is not None:  # a move of one's own: a new future
            self._drop_redo()
        if outcome.accepted:
            self.actions.append(action)
            self.save_run()
        else:
            self.notify(outcome.reason, title=action.describe(), severity="warning", markup=False)
        self.query_one(EventLog).add(self.sim.take_events())
        self._draw()

    def moves_on_offer(self) -> tuple[MovePreview, ...]:
        """Every move on offer now, priced: adds, then each component's moves (the palette)."""
        on_nodes = (move for node in self.sim.nodes() for move in node_moves(self.sim, node.id))
        return (*add_moves(self.sim), *on_nodes)

    def moves_on_selected(self) -> tuple[MovePreview, ...]:
        return node_moves(self.sim, self.selected) if self.selected is not None else ()

    def on_architecture_map_node_selected(self, message: ArchitectureMap.NodeSelected) -> None:
        self.select(message.node_id)

    def select(self, node_id: str | None) -> None:
        """Inspect a component (None: none); letting go from the inspector goes to the map."""
        self.selected = node_id
        if node_id is None and self.focused is not None:
            if self.query_one(Inspector) in self.focused.ancestors:
                self.query_one(ArchitectureMap).focus()
        self._draw_inspector()

    # -- drawing ----------------------------------------------------------------------------

    def _draw(self) -> None:
        """Take the engine's view of the site and hand it to everything on screen."""
        view = self.view = site_view(self.sim)
        self.query_one(ArchitectureMap).show(view)
        self.query_one(Readings).show(view)
        if view.endless is not None:
            self.query_one(EndlessStrip).show(view.endless)
        else:
            self.query_one(ForecastStrip).show(view.tick)
        if self.selected is not None:
            self._draw_inspector()
        self._draw_build_bar()
        self._draw_hint()
        self._draw_status()
        self._draw_rewound()

    def _draw_rewound(self) -> None:
        line = self.query_one("#rewound", Static)
        line.display = self.redo is not None
        if self.redo is not None:
            line.update(rewind.note(self.redo, keys.REDO.key, keys.DROP.key))

    def _draw_inspector(self) -> None:
        node = self.view.node(self.selected) if self.selected is not None else None
        moves = self.moves_on_selected() if node is not None else ()
        self.query_one(Inspector).show(node, self.view, moves)

    def _draw_build_bar(self) -> None:
        self.query_one(BuildBar).show(add_moves(self.sim), self.add_size)

    def _draw_hint(self) -> None:
        hint = advice_text(self.view.advice)
        if hint.plain != self._hint:  # most ticks the advice stays the same
            # Only the percentage changes from tick to tick: as long as the words keep their
            # length they wrap the same, so the screen needs no new layout.
            relayout = len(hint.plain) != len(self._hint)
            self._hint = hint.plain
            line = self.query_one("#hint", Static)
            line.display = bool(hint.plain)  # no advice, no empty row
            line.update(hint, layout=relayout)

    def _draw_status(self) -> None:
        running = "paused" if self.paused else f"{self.speed}x"
        replay = self.replay.name if self.replay is not None else None
        line = status_text(self.view, self.level.file.title, running, replay)
        self.query_one("#status", Static).update(line, layout=False)  # always one line
