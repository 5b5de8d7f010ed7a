"""Snapshots of the pause question and of a rewound play screen, at three sizes.

Apps are built with AppSettings.for_tests(): ticks advance only when a test steps them."""

from __future__ import annotations

import pytest

from game.content.packs import BUILTIN_PACKS, load_pack
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings

CORE = load_pack(BUILTIN_PACKS / "core")
SIZES = [(80, 24), (120, 40), (200, 50)]


def _servers_die(ticks: int, keys: tuple[str, ...]):
    """servers-die played by its reference to `ticks`, then `keys` pressed."""
    level = CORE.level("servers-die")
    plan = next(s for s in level.solutions if s.name == "reference").actions

    async def before(pilot) -> None:
        screen = PlayScreen(level, pilot.app.settings)
        await pilot.app.push_screen(screen)
        while screen.sim.tick < ticks:
            for action in plan:
                if action.tick == screen.sim.tick:
                    screen.apply(action)
            screen.advance()
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()

    return MillionsApp(AppSettings.for_tests()), before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pause_question(snap_compare, size):
    app, before = _servers_die(150, ("escape",))
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_play_rewound(snap_compare, size):
    """At 2:00 rewound 30 s: the reference's move at 1:40 waits to be redone."""
    app, before = _servers_die(120, ("z",))
    assert snap_compare(app, terminal_size=size, run_before=before)
