"""The play-screen widgets, each alone in a tiny app, fed the view of a real Simulation.

Snapshot tests are plain `def` (snap_compare cannot run inside an async test) and always pass
a terminal size. Pilot tests check the messages the widgets post.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import cache

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widget import Widget

from game.engine.actions import Action
from game.engine.report import Event, TickReport
from game.engine.scenario import Component, Incident, Scenario
from game.engine.scoring import Goal, Objectives
from game.engine.simulation import Simulation
from game.engine.traffic import Traffic
from game.engine.view import add_moves, node_moves, site_view
from game.ui.widgets import (
    ActionRequested,
    ArchitectureMap,
    BuildBar,
    EventLog,
    FailureReasons,
    Inspector,
    MetricsPanel,
)
from game.ui.widgets.metrics_panel import HISTORY_TICKS

SIZES = [(80, 24), (120, 40)]
OBJECTIVES = Objectives(
    goals=(
        Goal("availability", 0.99, 0.995, 0.999),
        Goal("latency_ms", 300.0, 200.0, 150.0),
        Goal("cost", 5000.0, 4000.0, 3000.0),
    ),
    latency_percentile=95,
)


def parts(*words: str) -> tuple[Component, ...]:
    """Components from words like "web:M" or "cache" (size S)."""
    out = []
    for word in words:
        kind, _, size = word.partition(":")
        out.append(Component(kind, size or "S"))
    return tuple(out)


def level(start, rps: float, incidents=(), duration=600, unlocked=None, points=()) -> Scenario:
    return Scenario(
        id="widgets",
        title="Widgets",
        duration=duration,
        start=start,
        traffic=Traffic(points=points or ((0, rps),)),
        incidents=tuple(Incident(t, target) for t, target in incidents),
        objectives=OBJECTIVES,
        budget=32.0,
        unlocked=unlocked,
    )


# A balancer, four web servers, a primary, a replica, two caches and a CDN, comfortably loaded.
CALM = level(
    parts(
        "balancer",
        "web:M",
        "web:M",
        "web:M",
        "web:M",
        "primary:L",
        "replica:L",
        "cache",
        "cache",
        "cdn",
    ),
    rps=500,
)
# The same shape with two small web servers under three times the load they can take.
OVERLOADED = level(
    parts("balancer", "web", "web", "primary:L", "replica:L", "cache", "cache", "cdn"), rps=900
)
# The primary dies at tick 20; a replica takes over 30 ticks later. We look at tick 35.
FAILOVER = level(
    parts(
        "balancer", "web:M", "web:M", "web:M", "primary:L", "replica:L", "replica:L", "cache", "cdn"
    ),
    rps=500,
    incidents=[(20, "db-1")],
)
# The calm site under traffic that grows past what it can serve, for the metrics' history.
GROWING = level(CALM.start, rps=0, points=((0, 150.0), (90, 1100.0)))
# The largest site the catalog allows: 1,000 web servers, 15 replicas, 32 cache nodes.
HUGE = level(
    parts(
        "balancer", *["web:M"] * 1000, "primary:XL", *["replica:XL"] * 15, *["cache"] * 32, "cdn"
    ),
    rps=120_000,
)


class Run:
    """A simulation stepped `ticks` times, with every report kept."""

    def __init__(self, scenario: Scenario, ticks: int) -> None:
        self.sim = Simulation(scenario)
        self.reports: list[TickReport] = []
        for _ in range(ticks):
            self.reports.append(self.sim.step())

    @property
    def last(self) -> TickReport:
        return self.reports[-1]

    @property
    def view(self):
        return site_view(self.sim)


@cache
def run(name: str, ticks: int) -> Run:
    return Run(
        {
            "calm": CALM,
            "overloaded": OVERLOADED,
            "failover": FAILOVER,
            "growing": GROWING,
            "huge": HUGE,
        }[name],
        ticks,
    )


class WidgetApp(App[None]):
    """One widget, fed once it is mounted; records the messages it posts."""

    CSS = "Screen { layout: vertical; }"

    def __init__(self, widget: Widget, feed: Callable[[Widget], None] = lambda w: None) -> None:
        super().__init__()
        self.widget = widget
        self.feed = feed
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_mount(self) -> None:
        self.feed(self.widget)

    def on_architecture_map_node_selected(self, message: ArchitectureMap.NodeSelected) -> None:
        self.messages.append(message)

    def on_action_requested(self, message: ActionRequested) -> None:
        self.messages.append(message)

    def on_build_bar_pressed(self, message: BuildBar.Pressed) -> None:
        self.messages.append(message)


def map_app(name: str, ticks: int) -> WidgetApp:
    r = run(name, ticks)
    return WidgetApp(ArchitectureMap(), lambda w: w.show(r.view))


def metrics_app(name: str, ticks: int) -> WidgetApp:
    def feed(panel: MetricsPanel) -> None:
        sim = Simulation(run(name, ticks).sim.scenario)
        for _ in range(ticks):
            sim.step()
            panel.record(site_view(sim))

    return WidgetApp(MetricsPanel(), feed)


def inspector_app(name: str, ticks: int, node_id: str) -> WidgetApp:
    r = run(name, ticks)

    def feed(inspector: Inspector) -> None:
        view = r.view
        inspector.show(view.node(node_id), view, node_moves(r.sim, node_id))

    return WidgetApp(Inspector(), feed)


# -- snapshots ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_map_calm(snap_compare, size):
    assert snap_compare(map_app("calm", 40), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_map_overloaded(snap_compare, size):
    assert snap_compare(map_app("overloaded", 40), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_map_failover(snap_compare, size):
    assert snap_compare(map_app("failover", 35), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_metrics_panel(snap_compare, size):
    assert snap_compare(metrics_app("growing", 100), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_failure_panel(snap_compare, size):
    r = run("failover", 35)
    app = WidgetApp(FailureReasons(), lambda w: w.show(r.view))
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_inspector_web_server(snap_compare, size):
    assert snap_compare(inspector_app("calm", 40, "web-2"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_inspector_replica(snap_compare, size):
    assert snap_compare(inspector_app("failover", 35, "replica-1"), terminal_size=size)


def test_build_bar_snapshot(snap_compare):
    """Size M chosen; adds the engine would refuse (locked kinds, and web servers while the
    database lives on the box) are dimmed."""
    locked = level(parts("box"), rps=10, unlocked=frozenset({"web", "primary", "resize"}))
    adds = add_moves(Simulation(locked))
    app = WidgetApp(BuildBar(), lambda w: w.show(adds, "M"))
    assert snap_compare(app, terminal_size=(80, 24))


def test_event_log_snapshot(snap_compare):
    sim = Simulation(FAILOVER)
    events = []
    for _ in range(40):
        if sim.tick == 5:
            sim.apply(Action(5, "add", kind="web", size="XL"))  # over budget: refused
            sim.apply(Action(5, "add", kind="cache", size="S"))
        events += sim.step().events
    app = WidgetApp(EventLog(), lambda w: w.add(events))
    assert snap_compare(app, terminal_size=(80, 24))


# -- behaviour ----------------------------------------------------------------------------------


def test_clicking_a_node_posts_node_selected():
    asyncio.run(_clicking_a_node_posts_node_selected())


async def _clicking_a_node_posts_node_selected():
    app = map_app("calm", 40)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        site = app.query_one(ArchitectureMap)
        y, x0, _ = site.region_of("replica-1")
        await pilot.click(ArchitectureMap, offset=(site.gutter.left + x0 + 2, site.gutter.top + y))
        await pilot.pause()
    selected = [m for m in app.messages if isinstance(m, ArchitectureMap.NodeSelected)]
    assert [m.node_id for m in selected] == ["replica-1"]


def test_arrow_keys_and_enter_select_a_node():
    asyncio.run(_arrow_keys_and_enter_select_a_node())


async def _arrow_keys_and_enter_select_a_node():
    app = map_app("calm", 40)
    async with app.run_test(size=(120, 40)) as pilot:
        site = app.query_one(ArchitectureMap)
        site.focus()
        await pilot.pause()
        keys = site.item_keys
        assert keys[:3] == ["cdn-1", "lb-1", "web-1"]
        await pilot.press("down", "down", "down", "enter", "right", "enter")
        await pilot.pause()
    selected = [m.node_id for m in app.messages if isinstance(m, ArchitectureMap.NodeSelected)]
    assert selected == ["web-2", "cache-2"]


def test_inspector_resize_button_posts_the_action():
    asyncio.run(_inspector_resize_button_posts_the_action())


async def _inspector_resize_button_posts_the_action():
    app = inspector_app("calm", 40, "web-2")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.click("#resize-L")
        await pilot.pause()
    requested = [m.action for m in app.messages if isinstance(m, ActionRequested)]
    assert requested == [Action(0, "resize", target="web-2", size="L")]  # the screen stamps it


def test_inspector_offers_promotion_for_a_replica_and_settings_for_a_cache():
    asyncio.run(_inspector_offers_promotion_for_a_replica_and_settings_for_a_cache())


async def _inspector_offers_promotion_for_a_replica_and_settings_for_a_cache():
    r = run("failover", 35)
    app = inspector_app("failover", 35, "replica-1")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        inspector = app.query_one(Inspector)
        assert "promote" in [m.action.verb for m in inspector.moves]
        inspector.show(r.view.node("cache-1"), r.view, node_moves(r.sim, "cache-1"))
        await pilot.pause()
        ids = [button.id for button in inspector.query("Button")]
        assert {"ttl-60", "ttl-900", "evict-lfu", "evict-fifo", "invalidate"} <= set(ids)
        assert "ttl-300" not in ids  # the TTL it has
        assert "promote" not in ids
        await pilot.click("#ttl-900")
        await pilot.pause()
    requested = [m.action for m in app.messages if isinstance(m, ActionRequested)]
    assert requested == [Action(0, "configure", target="cache", setting="ttl", value=900.0)]


def test_a_thousand_web_servers_take_one_summary_line_per_pool():
    asyncio.run(_a_thousand_web_servers_take_one_summary_line_per_pool())


async def _a_thousand_web_servers_take_one_summary_line_per_pool():
    r = run("huge", 3)
    app = WidgetApp(ArchitectureMap(), lambda w: w.show(r.view))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        site = app.query_one(ArchitectureMap)
        lines = [line.plain for line in site._layout(site.content_size.width).lines]
    text = "\n".join(lines)
    assert sum("web ×1000" in line for line in lines) == 1
    assert sum("cache ×32" in line for line in lines) == 1
    assert sum("replica ×15" in line for line in lines) == 1
    assert "web-17" not in text and "replica-3" not in text
    assert len(lines) < 15
    assert "pool:web" in site.item_keys and site.node_for("pool:web") == "web-1"


def test_build_bar_buttons_ask_for_their_keys_and_dim_what_the_engine_would_refuse():
    asyncio.run(_build_bar_buttons_ask_for_their_keys_and_dim_what_the_engine_would_refuse())


async def _build_bar_buttons_ask_for_their_keys_and_dim_what_the_engine_would_refuse():
    locked = level(parts("box"), rps=10, unlocked=frozenset({"web", "primary", "cache"}))
    adds = add_moves(Simulation(locked))
    app = WidgetApp(BuildBar(), lambda w: w.show(adds, "L"))
    async with app.run_test(size=(80, 10)) as pilot:
        bar = app.query_one(BuildBar)
        await pilot.click("#size-XL")
        await pilot.click("#add-primary")
        await pilot.click("#add-balancer")  # locked: still asks, and the screen says why
        await pilot.pause()
        assert bar.refusal("balancer") == "load balancer is not unlocked in this level"
        assert bar.refusal("web").startswith("the database still lives on the box")
        assert bar.refusal("primary") == ""
        assert bar.query_one("#add-balancer").has_class("-refused")
        assert not bar.query_one("#add-primary").has_class("-refused")
        assert bar.query_one("#size-L").has_class("-selected")
    pressed = [m.action for m in app.messages if isinstance(m, BuildBar.Pressed)]
    assert pressed == ["size('XL')", "add('primary')", "add('balancer')"]


def test_metrics_panel_keeps_a_bounded_history():
    asyncio.run(_metrics_panel_keeps_a_bounded_history())


async def _metrics_panel_keeps_a_bounded_history():
    app = metrics_app("calm", HISTORY_TICKS + 30)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(MetricsPanel)
        assert len(panel.history("requests")) == HISTORY_TICKS
        assert panel.history("requests")[-1] == pytest.approx(500)
        assert "availability" in panel.text_of("availability").plain


def test_failure_reasons_are_sorted_with_the_players_words():
    panel = FailureReasons()
    r = run("overloaded", 40)
    panel.show(r.view)
    rows = panel.rows
    assert rows and rows == sorted(rows, key=lambda row: -row[1])
    assert sum(share for _, _, share in rows) == pytest.approx(1.0)
    panel.show(run("calm", 40).view)
    assert panel.rows == []


def test_refused_actions_stand_out_in_the_event_log():
    from game.ui.widgets.event_log import format_event

    sim = Simulation(CALM)
    sim.apply(Action(0, "add", kind="web", size="XL"))  # over the budget of 32
    events = sim.step().events
    refused = [e for e in events if e.kind == "refused"]
    assert refused
    line = format_event(refused[0])
    assert "REFUSED" in line.plain and "over budget" in line.plain
    assert any(isinstance(span.style, Style) and span.style.bgcolor for span in line.spans)


def test_states_have_ascii_fallbacks_and_a_map_draws_with_them():
    from game.ui.widgets import states

    assert [states.glyph(look).plain for look in states.LOOKS] == ["◌", "●", "◐", "▲", "✖"]
    assert [states.glyph(look, ascii=True).plain for look in states.LOOKS] == list("o*+!x")
    site = ArchitectureMap(ascii=True)
    r = run("failover", 35)
    site.show(r.view)
    drawn = "\n".join(line.plain for line in site._pack(120).lines)
    assert "x db-1 L" in drawn and "-405/s->" in drawn
    assert not set(drawn) & set("◌●◐▲✖▇░─▶↳└")


def test_without_a_balancer_the_map_says_how_many_web_servers_take_traffic():
    site = ArchitectureMap()
    sim = Simulation(level(parts("web", "web", "web", "primary:M"), rps=150))
    sim.step()
    site.show(site_view(sim))
    lines = [line.plain for line in site._pack(80).lines]
    assert "web 150% · 1/3 in use" in lines[0]
    # Only the server DNS picks is loaded (and overloaded); the other two stand idle.
    [busy] = [line for line in lines if "web-1" in line]
    idle = [line for line in lines if "web-2" in line or "web-3" in line]
    assert "▲" in busy and "▇▇▇▇" in busy
    assert len(idle) == 2 and all("●" in line and "░░░░" in line for line in idle)


def test_the_inspector_says_when_a_tier_has_no_server_and_the_log_stays_bounded():
    r = run("failover", 35)
    inspector = Inspector()
    inspector.show(r.view.node("db-1"), r.view, node_moves(r.sim, "db-1"))
    assert "failed at 0:20" in inspector.facts.plain
    assert "database primary: no server is taking traffic" in inspector.facts.plain
    assert inspector.action_for("store-keyvalue") == Action(
        0, "configure", target="database", setting="store", value="keyvalue"
    )
    log = EventLog(max_lines=50)
    log.add([Event(t, "booted", f"web-{t}", f"web-{t} is up") for t in range(120)])
    assert len(log.entries) == 50 and log.entries[-1].tick == 119


def test_an_empty_event_log_says_what_will_show_there_until_the_first_event():
    asyncio.run(_an_empty_event_log_says_what_will_show_there())


async def _an_empty_event_log_says_what_will_show_there():
    app = WidgetApp(EventLog())
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        log = app.query_one(EventLog)
        shown = " ".join(strip.text for strip in log.lines)
        assert "Nothing has happened yet" in shown
        log.add([Event(3, "booted", "web-1", "web-1 is up")])
        await pilot.pause()
        shown = " ".join(strip.text for strip in log.lines)
        assert "Nothing has happened yet" not in shown and "web-1 is up" in shown


def test_the_inspector_gives_a_box_its_rate_with_the_database_on_it():
    sim = Simulation(level(parts("box"), rps=20))
    report = sim.step()
    view = site_view(sim)
    [box] = view.nodes
    inspector = Inspector()
    inspector.show(box, view, node_moves(sim, box.id))
    [tier] = report.tiers
    shared = tier.capacity_rps
    assert shared < 100  # the S box's web capacity, shared with the database's work
    expected = f"serves {shared:.0f} requests/s with its database (web alone 100)"
    assert expected in inspector.facts.plain
