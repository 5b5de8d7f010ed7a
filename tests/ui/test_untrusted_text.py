"""Text from a pack reaches the screen as text: a link in a pack's Markdown opens nothing, and a
broken pack's folder name with escape codes in it is shown escaped on the Campaign screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Markdown

from game.content.packs import load_pack
from game.content.scaffold import create_pack
from game.engine.simulation import run
from game.ui.app import MillionsApp
from game.ui.screens.briefing import BriefingScreen
from game.ui.screens.codex import CodexScreen
from game.ui.screens.level_select import LevelSelectScreen
from game.ui.screens.results import ResultsScreen
from game.ui.settings import AppSettings

LINK = "[the docs](https://example.com/x)"


@pytest.fixture()
def linked_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "linked"
    create_pack(folder)
    for name in ("codex/split-tiers.toml", "first-split.toml"):
        path = folder / name
        path.write_text(path.read_text().replace('"""\n', f'"""\nSee {LINK}.\n', 1))
    load_pack(folder)  # still a valid pack
    return folder


async def test_no_link_in_a_pack_opens_anything(
    linked_pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = MillionsApp(AppSettings(**{**vars(AppSettings.for_tests()), "packs": (linked_pack,)}))
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(120, 40)) as pilot:
        pack = next(p for p in app.packs if p.root.name == "linked")
        level = pack.levels[0]
        result = run(level.scenario, level.reference.actions)
        screens = [
            BriefingScreen(pack, level),
            CodexScreen(app.packs, app.campaign),
            ResultsScreen(level, result, []),
        ]
        checked = []
        for screen in screens:
            await app.push_screen(screen)
            await pilot.pause()
            if isinstance(screen, CodexScreen):
                await pilot.press("enter")  # open the highlighted entry
                await pilot.pause()
            for markdown in app.screen.query(Markdown):
                markdown.post_message(Markdown.LinkClicked(markdown, "https://example.com/x"))
                checked.append(type(screen).__name__)
            await pilot.pause()
            while app.screen is not screen:
                app.pop_screen()
                await pilot.pause()
            app.pop_screen()
            await pilot.pause()
        assert {"BriefingScreen", "ResultsScreen"} <= set(checked)
    assert opened == []


async def test_a_broken_pack_named_with_escape_codes_is_shown_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "bad\x1b]0;pwned\x07[reverse]x[link=x.com]y"
    folder.mkdir()
    (folder / "pack.toml").write_text('id = "bad"\n')
    app = MillionsApp(AppSettings(**{**vars(AppSettings.for_tests()), "packs": (folder,)}))
    async with app.run_test(size=(200, 50)) as pilot:
        await app.push_screen(LevelSelectScreen(app.packs, app.pack_failures, app.campaign))
        await pilot.pause()
        shown = str(app.screen.query_one("#pack-failures").render())
    assert "\x1b" not in shown and "\x07" not in shown
    assert "bad\\x1b]0;pwned\\x07[reverse]x[link=x.com]y" in shown
