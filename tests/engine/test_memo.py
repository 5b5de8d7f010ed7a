"""The engine's memos (latency shapes, cache ratios, interned distributions, histogram spreads,
failure streams) change how long a run takes, never what it gives: the rich run
and the largest site's realistic run are identical with every memo emptied before them, full
from earlier runs, and filled by other runs in between."""

from __future__ import annotations

import functools
import importlib
import pkgutil

import game.engine
from game import bench
from game.engine.simulation import run

from .test_determinism import PLAN, fingerprint, rich_scenario, tick_fields


def _memos() -> list[functools._lru_cache_wrapper]:
    """Every lru_cache of the engine's modules."""
    found = []
    for info in pkgutil.iter_modules(game.engine.__path__):
        module = importlib.import_module(f"game.engine.{info.name}")
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info"):
                if getattr(value, "__module__", "") == module.__name__:
                    found.append(value)
    return found


def _empty_every_memo() -> None:
    for memo in _memos():
        memo.cache_clear()


def _largest(ticks: int = 600) -> str:
    result = run(bench.scenario(bench.LARGEST, bench.REALISTIC, ticks))
    last = result.last
    assert last is not None
    latency = result.totals.latency
    return repr((result.scores, tick_fields(last), latency._masses, latency.count))


def test_the_memos_are_found():
    names = {memo.__name__ for memo in _memos()}
    assert {"mmc", "path", "interned", "hit_ratio", "warmed", "_spread", "_stream"} <= names


def test_a_run_from_empty_memos_is_the_run_from_full_ones():
    full = fingerprint(), _largest()
    _empty_every_memo()
    assert (fingerprint(), _largest()) == full
    # The memos are in use: a run fills them.
    assert all(memo.cache_info().currsize for memo in _memos() if memo.__name__ == "_stream")


def test_other_runs_in_between_change_nothing():
    alone = _largest()
    _empty_every_memo()
    run(rich_scenario(), PLAN)
    run(bench.scenario(bench.SITES[1], bench.REALISTIC, 300), seed=7)
    assert _largest() == alone
