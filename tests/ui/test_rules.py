"""Scale rules on the play screen: set in a web server's inspector through the rule dialog,
priced before it is set, shown while it runs, and its servers added by the engine."""

from __future__ import annotations

import dataclasses
import re

import pytest
from rich.console import Console
from textual.widgets import Button, Input

from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine import catalog
from game.engine.actions import Action, ScaleRule
from game.ui.app import MillionsApp
from game.ui.rule_dialog import RuleDialog
from game.ui.screens.play import PlayScreen
from game.ui.settings import AppSettings
from game.ui.widgets import EventLog
from tests.ui.test_moves_priced import _select

CORE = load_pack(BUILTIN_PACKS / "core")
SIZES = [(80, 24), (120, 40)]


def _with_rules(level_id: str = "scale-out"):
    """A core level as a later pack might give it: with rules unlocked."""
    level = CORE.level(level_id)
    unlocked = (level.scenario.unlocked or frozenset()) | {"rule"}
    return dataclasses.replace(
        level, scenario=dataclasses.replace(level.scenario, unlocked=unlocked)
    )


async def _start(pilot, level) -> PlayScreen:
    screen = PlayScreen(level, pilot.app.settings)
    await pilot.app.push_screen(screen)
    await pilot.pause()
    screen.advance()
    await pilot.pause()
    return screen


async def test_a_rule_set_in_the_inspector_adds_servers_as_the_load_grows() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(pilot, _with_rules())
        inspector = await _select(pilot, screen, "web-1")
        button = inspector.query_one("#rule", Button)
        assert str(button.label) == "set a rule…"
        assert "each server it adds +1/tick, serves 30 s after" in str(button.tooltip)
        button.press()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RuleDialog)
        dialog.query_one("#rule-below", Input).value = "90"  # not under the add line
        await pilot.pause()
        assert dialog.query_one("#rule-set", Button).disabled
        assert "under its add line" in str(dialog.query_one("#rule-why").render())
        for name, value in (("above", "60"), ("for_s", "5"), ("most", "4"), ("below", "0")):
            dialog.query_one(f"#rule-{name}", Input).value = value
        await pilot.pause()
        assert not dialog.query_one("#rule-set", Button).disabled
        await pilot.click("#rule-set")
        await pilot.pause()
        assert app.screen is screen
        rule = ScaleRule(above=60, for_s=5, most=4, below=0)
        assert screen.sim.autoscale.rules == {"web": rule}
        assert screen.actions[-1] == Action(1, "rule", kind="web", rule=rule)
        while len(screen.sim.topology.of_kind("web")) < 2 and screen.sim.tick < 200:
            screen.advance()
        await pilot.pause()
        log = screen.query_one(EventLog)
        added = [e for e in log.entries if e.kind == "rule"]
        assert added and added[0].text.startswith("rule added web-2 (S): utilization")
        inspector = await _select(pilot, screen, "web-1")
        assert "rule: add S above 60% for 5 s, up to 4" in inspector.facts.plain
        assert str(inspector.query_one("#rule", Button).label) == "change rule…"
        inspector.query_one("#rule-clear", Button).press()
        await pilot.pause()
        assert screen.sim.autoscale.rules == {}


async def test_a_level_that_locks_rules_does_not_offer_them() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start(pilot, CORE.level("scale-out"))
        inspector = await _select(pilot, screen, "web-1")
        assert not inspector.query("#rule")
        assert not any(m.action.verb == "rule" for m in screen.moves_on_offer())


async def test_the_rule_key_asks_for_the_selected_pools_rule_else_the_web_servers() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(pilot, _with_rules("read-heavy"))  # web servers and replicas
        await pilot.press("a")  # nothing selected: the web servers' rule
        await pilot.pause()
        assert isinstance(app.screen, RuleDialog) and app.screen.move.action.kind == "web"
        await pilot.press("escape")
        await pilot.pause()
        screen.apply(Action(0, "add", kind="replica", size="M"))
        replica = screen.sim.topology.of_kind("replica")[0].id
        await _select(pilot, screen, replica)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, RuleDialog) and app.screen.move.action.kind == "replica"


async def test_the_rule_key_says_why_where_the_level_has_no_rules() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(pilot, CORE.level("scale-out"))
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is screen
        assert [n.message for n in app._notifications] == [
            "This level does not let you set scale rules."
        ]


async def test_a_pool_a_rule_runs_says_so_on_the_map() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _start(pilot, _with_rules())
        site_map = screen.query_one("#map")
        assert "· rule" not in site_map.render().plain
        screen.apply(Action(0, "rule", kind="web", rule=ScaleRule()))
        await pilot.pause()
        titles = site_map.render().plain.splitlines()[0]
        assert re.search(r"\bweb \d+% · rule\b", titles), titles


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_rule_buttons_and_dialog_fit(size) -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=size) as pilot:
        screen = await _start(pilot, _with_rules())
        screen.apply(Action(0, "rule", kind="web", rule=ScaleRule()))
        inspector = await _select(pilot, screen, "web-1")
        for button_id in ("#rule", "#rule-clear"):
            button = inspector.query_one(button_id, Button)
            button.focus()
            await pilot.pause()
            geometry = app.screen.find_widget(button)
            assert geometry.region.intersection(geometry.clip) == geometry.region, button_id
        inspector.query_one("#rule", Button).press()
        await pilot.pause()
        dialog = app.screen
        for widget in dialog.query("Input, Select, Button"):
            geometry = dialog.find_widget(widget)
            assert geometry.region.intersection(geometry.clip) == geometry.region, widget.id


def _ruled(size: tuple[int, int]):
    level = _with_rules()
    rule = Action(0, "rule", kind="web", rule=ScaleRule(above=70, for_s=5, most=6, below=20))

    async def run_before(pilot) -> None:
        screen = PlayScreen(level, pilot.app.settings)
        await pilot.app.push_screen(screen)
        screen.apply(rule)
        screen.apply(Action(0, "add", kind="balancer"))
        while screen.sim.tick < 150:
            screen.advance()
        screen.query_one("#log").clear()
        screen.selected = "web-1"
        screen._draw_inspector()
        await pilot.pause()
        screen.query_one("#rule", Button).focus()
        await pilot.pause()

    return MillionsApp(AppSettings.for_tests()), run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_play_inspector_with_a_scale_rule(snap_compare, size):
    app, before = _ruled(size)
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_play_rule_dialog(snap_compare, size):
    app, before = _ruled(size)

    async def asked(pilot) -> None:
        await before(pilot)
        pilot.app.screen.query_one("#rule", Button).press()
        await pilot.pause()
        pilot.app.screen.query_one("#rule-for_s", Input).value = "0"  # refused: says why
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=asked)


def test_the_rule_numbers_start_from_the_catalog():
    assert ScaleRule() == ScaleRule(**catalog.RULE_START)


async def test_the_help_says_where_rules_are_set() -> None:
    app = MillionsApp(AppSettings.for_tests())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        console = Console(width=120, record=True, color_system=None)
        console.print(app.screen.query_one("#help-rules").content)
        text = console.export_text()
        assert "set a rule…" in text and "inspector" in text and "booted" in text


def test_the_palette_names_a_rule_move_in_words():
    from game.ui import words

    set_rule = Action(0, "rule", kind="web", rule=ScaleRule())
    assert words.command(set_rule) == (
        "Set the scale rule of the web servers: add S above 80% for 10 s, up to 8;"
        " remove below 30%, at least 1"
    )
    assert words.command(Action(0, "rule", kind="replica")) == (
        "Clear the scale rule of the read replicas"
    )
