"""The parts a level needs only where it needs them: the queue and workers where requests carry
jobs, a session store where users sign in, a mirror data centre where users live in regions.
Each shows on the build bar (and its key adds it) there, and nowhere else."""

from __future__ import annotations

from collections import Counter

import pytest

from game.content.packs import BUILTIN_PACKS, load_pack
from game.ui.app import MillionsApp
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings
from game.ui.widgets import BuildBar

BEYOND = load_pack(BUILTIN_PACKS / "beyond")
CORE = load_pack(BUILTIN_PACKS / "core")

# (the level that needs the kind, its kind, its key, whether its button adds another after
# the key added one: a site has one queue at most, and every region has its mirror after one)
PARTS = [
    ("queue-jobs", "queue", "u", False),
    ("queue-jobs", "worker", "k", True),
    ("stateless-tier", "sessions", "e", True),
    ("data-centers", "datacenter", "o", False),
]


async def _kinds_after(level, presses) -> tuple[dict[str, bool], Counter]:
    """The add buttons shown on `level`'s build bar, and the kinds on the site after `presses`
    (keys, or "#id" buttons to click)."""
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlayScreen(level, app.settings)
        await app.push_screen(screen)
        await pilot.pause()
        bar = screen.query_one(BuildBar)
        shown = {kind: bar.query_one(f"#add-{kind}").display for _, kind, _, _ in PARTS}
        for press in presses:
            await (pilot.click(press) if press.startswith("#") else pilot.press(press))
            await pilot.pause()
        return shown, Counter(n.kind for n in screen.sim.nodes())


@pytest.mark.parametrize(("level_id", "kind", "key", "button_adds"), PARTS)
async def test_a_part_shows_and_adds_where_its_level_needs_it(level_id, kind, key, button_adds):
    level = BEYOND.level(level_id)
    _, before = await _kinds_after(level, [])
    shown, after = await _kinds_after(level, [key, f"#add-{kind}"])
    assert shown[kind]
    assert after[kind] == before[kind] + 1 + button_adds


async def test_a_level_that_needs_none_of_them_offers_none():
    shown, _ = await _kinds_after(CORE.level("launch-day"), [])
    assert shown == {kind: False for _, kind, _, _ in PARTS}
