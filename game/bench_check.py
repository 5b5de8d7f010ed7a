"""How much faster `millions levels check` is on two cores than on one (part of game.bench)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(slots=True)
class CheckSpeed:
    """`millions levels check --seeds N` of one pack, timed on 1 worker and on 2. Judged on
    wall time: spreading runs over cores lowers that, not the processor time they take."""

    pack: str
    seeds: int
    runs: int = 0  # the runs one check makes
    one_s: float | None = None
    two_s: float | None = None
    cores: int = 0
    error: str = ""

    @property
    def speedup(self) -> float | None:
        return self.one_s / self.two_s if self.one_s and self.two_s else None


def measure_check(folder: Path, seeds: int) -> CheckSpeed:
    """Check the pack in `folder` with `seeds` extra seeds on one worker, then on two."""
    from game.content.checker import check_pack, runs_needed
    from game.content.packs import load_pack
    from game.content.pool import default_workers

    speed = CheckSpeed(folder.name, seeds, cores=default_workers())
    try:
        pack = load_pack(folder)
        speed.runs = runs_needed(pack, seeds)
        if speed.cores < 2:
            speed.error = "one core here: nothing to spread over"
            return speed
        for workers in (1, 2):
            began = time.perf_counter()
            check_pack(pack, seeds, workers=workers)
            took = time.perf_counter() - began
            if workers == 1:
                speed.one_s = took
            else:
                speed.two_s = took
    except Exception as exc:  # reported, like a run that raises
        speed.error = f"{type(exc).__name__}: {exc}"
    return speed
