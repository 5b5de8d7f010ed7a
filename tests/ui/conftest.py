"""UI test setup: async Pilot tests run on asyncio, and no developer's own packs leak in."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest

from game.ui.app import MillionsApp
from game.ui.settings import AppSettings


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop (no asyncio plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(autouse=True)
def no_user_packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "user-packs"
    empty.mkdir()
    monkeypatch.setenv("MILLIONS_PACKS", str(empty))


@pytest.fixture()
def app() -> MillionsApp:
    return MillionsApp(AppSettings.for_tests())
