"""The help lists every key of the play screen's key table and of the map, and a legend of
every glyph the map draws; it names no class of the code."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Static

from game.ui.app import MillionsApp
from game.ui.keys import ADD_KEYS, PLAY_KEYS
from game.ui.settings import AppSettings
from game.ui.widgets import states
from game.ui.widgets.architecture_map import ArchitectureMap
from game.ui.words import a_kind


async def _help_text(app: MillionsApp, pilot) -> str:
    await pilot.pause()
    await pilot.press("question_mark")
    await pilot.pause()
    from rich.console import Console

    console = Console(width=200, record=True, color_system=None)
    for static in app.screen.query(Static):
        console.print(static.content)
    return console.export_text()


async def test_the_help_lists_every_key_and_a_legend() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _help_text(app, pilot)
        rows = [line.split() for line in text.splitlines() if line.strip()]
        adds = {key.action: f"add {a_kind(kind)}" for kind, key in ADD_KEYS.items()}
        play = Binding.make_bindings(key.binding() for key in PLAY_KEYS)
        for binding in [*play, *ArchitectureMap.BINDINGS]:
            shown = app.get_key_display(binding)
            words = adds.get(binding.action, binding.description)
            assert any(shown in row and words in " ".join(row) for row in rows), binding
        assert "What the map shows" in text
        for look in states.LOOK.values():
            assert any(row[0] == look.glyph and look.name in " ".join(row) for row in rows), look
        assert "add a web server" in text
        for internal in ("NamePrompt", "NoticeScreen", "ConfirmScreen", "Screen", "Widget"):
            assert internal not in text
