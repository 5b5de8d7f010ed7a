"""The sandbox: the play screen on a free site, with traffic, mix and incidents in hand.

Every part and move is unlocked (the sandbox is for "what if", not for progress: a part the
campaign has not reached yet is there to try). There is no budget, no objective and no results
screen: at the end of its long run the sandbox pauses. Its own keys:

    [ ]   traffic down / up (a share of the rate)     m   the next request mix
    i     fail the component selected, now             t   write the run so far as a timeline CSV

The traffic and fail moves are engine actions (game.engine.sandbox), recorded like any other
move, so a sandbox run is a plan that replays. Nothing is saved for Continue.
"""

from __future__ import annotations

import csv
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from game.content.packs import PackLevel
from game.engine import sandbox, timeline
from game.engine.actions import Action
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings

TRAFFIC_DOWN = Binding("left_square_bracket", "traffic(False)", "Traffic -", show=True)
TRAFFIC_UP = Binding("right_square_bracket", "traffic(True)", "Traffic +", show=True)
MIX = Binding("m", "mix", "Mix", show=True)
FAIL = Binding("i", "fail", "Fail it", show=True)
EXPORT = Binding("t", "export", "Timeline")
SANDBOX_KEYS = [TRAFFIC_DOWN, TRAFFIC_UP, MIX, FAIL, EXPORT]
TIMELINE_NAME = "sandbox-timeline.csv"


def sandbox_level(base: PackLevel) -> PackLevel:
    """A level-like run for the screen: `base`'s file retitled, the sandbox's scenario."""
    file = base.file.model_copy(update={"id": "sandbox", "title": "Sandbox"})
    return PackLevel(file, sandbox.scenario(), Path("sandbox"), ())


class SandboxScreen(PlayScreen):
    CSS_PATH = ["play.tcss", "sandbox.tcss"]
    BINDINGS = [*PlayScreen.BINDINGS, *SANDBOX_KEYS]
    SANDBOX = True

    def __init__(self, level: PackLevel, settings: AppSettings, folder: Path | None) -> None:
        super().__init__(level, settings)
        self.folder = folder  # where the timeline goes (None: the working folder)

    def compose(self) -> ComposeResult:
        yield Static(id="sandbox-panel")
        yield from super().compose()

    def on_mount(self) -> None:
        super().on_mount()
        self.key = None  # nothing of the sandbox is kept for Continue

    # -- the sandbox's controls --------------------------------------------------------------

    def action_traffic(self, up: bool) -> None:
        traffic = self.sim.scenario.traffic
        rps = sandbox.stepped_rps(traffic.rate(self.sim.tick), up)
        self.apply(sandbox.traffic_move(self.sim.tick, rps, traffic.mix))

    def action_mix(self) -> None:
        traffic = self.sim.scenario.traffic
        mix = sandbox.next_mix(traffic.mix)
        self.apply(sandbox.traffic_move(self.sim.tick, traffic.rate(self.sim.tick), mix))

    def action_fail(self) -> None:
        if self.selected is None:
            self.notify("Select a component on the map first (arrows, enter).", title="Fail it")
            return
        self.apply(Action(self.sim.tick, "fail", target=self.selected))

    def action_export(self) -> None:
        """The run so far, one row a tick, as CSV in the saves' folder (or the working one)."""
        if not self.history:
            self.notify("No tick has run yet: step (s) or go on (space) first.", title="Timeline")
            return
        path = (self.folder or Path.cwd()) / TIMELINE_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", newline="", encoding="utf-8") as out:
                writer = csv.DictWriter(out, fieldnames=timeline.columns())
                writer.writeheader()
                writer.writerows(timeline.row(report) for report in self.history)
        except OSError as error:
            self.notify(f"Cannot write {path}: {error}", title="Timeline", severity="error")
            return
        self.notify(f"{len(self.history)} ticks written to {path}", title="Timeline", markup=False)

    # -- its end ------------------------------------------------------------------------------

    def _finish(self) -> None:
        """The end of the sandbox's time: no results, it pauses."""
        if self._timer is not None:
            self._timer.stop()
        self.paused = True
        self._draw_status()
        self.notify("The sandbox's time is up: export the timeline (t) or leave (q).")

    def advance(self) -> None:
        if self.sim.done:
            self.notify("The sandbox's time is up: export the timeline (t) or leave (q).")
            return
        super().advance()

    # -- drawing -----------------------------------------------------------------------------

    def _draw(self) -> None:
        super()._draw()
        traffic = self.sim.scenario.traffic
        rps = traffic.rate(self.sim.tick)
        mix = sandbox.mix_text(traffic.mix)
        line = f"traffic {rps:g}/s [ ]   mix {mix} (s/r/w/j) m   fail selected i   timeline t"
        self.query_one("#sandbox-panel", Static).update(line)
