"""A save writer for the crash test: records runs one after another, printing each number once
its write has returned (so the parent knows which writes completed before it kills us)."""

from __future__ import annotations

import sys
from pathlib import Path

from game.engine.actions import Action
from game.store import SavedRun, SavedSolution, Store


def main(folder: str) -> None:
    store = Store.open(Path(folder))
    n = len(store.solutions("core/launch-day"))
    print("ready", flush=True)
    while True:
        action = Action(n % 900, "add", kind="web", size="M")
        store.save_solution(SavedSolution("core/launch-day", f"s{n}", None, (action,)))
        store.save_run(SavedRun("core/launch-day", 1, n, (action,)))
        print(n, flush=True)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1])
