"""Speed of the screens: `python -m game.bench_ui`.

Measures, headlessly with Textual's Pilot, how many ticks per second the play screen can render
at 120x40 and at 200x50 (target: 60, so that 8x never lags): the CPU time of simulating, laying
out and rendering each tick, idle frame waits excluded. And how long the title screen takes to
appear after the process starts (target: 0.6 s). A benchmark reports; it never fails a build.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from game.content.packs import BUILTIN_PACKS, load_pack

TICKS = 300
SIZES = ((120, 40), (200, 50))
TICKS_TARGET = 60.0
TITLE_TARGET_S = 0.6
LEVEL = "read-heavy"  # a busy site: a balancer, six web servers, replicas being added

_TITLE_PROBE = """
import time
start = time.perf_counter()
import asyncio
from game.ui.app import MillionsApp
from game.ui.screens.title import TitleScreen
from game.ui.settings import AppSettings

async def main():
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, TitleScreen):
            await pilot.pause()
        await pilot.pause()
        print(time.perf_counter() - start)

asyncio.run(main())
"""


async def _rendered_ticks_per_second(size: tuple[int, int]) -> float:
    from game.ui.app import MillionsApp
    from game.ui.screens.play import PlayScreen
    from game.ui.settings import AppSettings

    level = load_pack(BUILTIN_PACKS / "core").level(LEVEL)
    plan = {a.tick: a for a in level.reference.actions} if level.reference else {}
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=size) as pilot:
        screen = PlayScreen(level, app.settings)
        await app.push_screen(screen)
        await pilot.pause()
        # CPU time, not wall time: Pilot's pause waits for the next frame, and that idle wait
        # is not work. What a tick costs to simulate, lay out and render bounds the rate.
        start = time.process_time()
        for _ in range(TICKS):
            if screen.sim.tick in plan:
                screen.apply(plan[screen.sim.tick])
            screen.advance()
            await pilot.pause()  # let the screen lay out and render this tick
        return TICKS / (time.process_time() - start)


def _title_seconds(repeats: int) -> float:
    """Process start to the title screen on display, best of `repeats`, in a fresh interpreter
    each time (the process start itself, ~20 ms, is not counted)."""
    times = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", _TITLE_PROBE], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return min(times)


def main() -> int:
    verdict = lambda ok: "PASS" if ok else "MISS"  # noqa: E731
    for size in SIZES:
        rate = max(asyncio.run(_rendered_ticks_per_second(size)) for _ in range(3))
        shown = f"{size[0]}x{size[1]}"
        print(f"play screen at {shown}, level {LEVEL}, {TICKS} ticks rendered (best of 3)")
        met = verdict(rate >= TICKS_TARGET)
        print(f"  {rate:,.0f} ticks/s   target >= {TICKS_TARGET:.0f}   {met}")
    title = _title_seconds(3)
    print("title screen on display after launch (best of 3, imports and pack loading included)")
    print(f"  {title:.2f} s   target < {TITLE_TARGET_S} s   {verdict(title < TITLE_TARGET_S)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
