"""The widgets draw the engine's view and decide no rule: each test builds a view by hand (no
Simulation), sometimes one a widget could not have worked out for itself, and checks that the
widget draws what the view says.

    a booting server          serves nothing now, drawn booting
    a key-value primary       serves what a key-value node serves, in a key-value store
    a box holding the data    says so only when the view says the database is on the box
    over budget               the cost is red exactly when the view says over budget
    mid-failover              the status line counts down to the view's failover_until
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text

from game.engine.actions import Action
from game.engine.report import TickReport, TierReport, Totals
from game.engine.scenario import Settings
from game.engine.scoring import Goal, Objectives
from game.engine.topology import BOOTING, FAILED, HEALTHY
from game.engine.view import QUERY_UNITS, REQUESTS, Advice, MovePreview, NodeView, SiteView
from game.ui.widgets import ArchitectureMap, BuildBar, FailureReasons, Inspector, MetricsPanel
from game.ui.widgets.metrics_panel import MISSED_STYLE
from game.ui.widgets.status import advice_text, status_text

OBJECTIVES = Objectives(
    goals=(
        Goal("availability", 0.99, 0.995, 0.999),
        Goal("latency_ms", 300.0, 200.0, 150.0),
        Goal("cost", 5000.0, 4000.0, 3000.0),
    )
)


def node(node_id: str, kind: str, **facts) -> NodeView:
    """A healthy component in rotation, with what it serves; `facts` override any field."""
    defaults = dict(
        id=node_id,
        kind=kind,
        size="M",
        state=HEALTHY,
        since=0,
        until=0,
        tier=None,
        in_rotation=True,
        utilization=None,
        capacity=0.0,
        full_capacity=0.0,
        unit="",
        cost=2.0,
    )
    return NodeView(**{**defaults, **facts})


def tier(name: str, kind: str, servers: int = 1, utilization: float = 0.5) -> TierReport:
    return TierReport(name, kind, servers, 100.0, 50.0, 50.0, 0.0, 0.0, utilization, None)


def report(tick: int, tiers=(), failed=None, rps: float = 50.0) -> TickReport:
    failed = dict(failed or {})
    served = rps - sum(failed.values())
    return TickReport(
        tick, rps, rps, served, failed, 0.0, 2.0, 0.0, 0.0, None, None, list(tiers), [], [],
    )  # fmt: skip


def view(nodes, last: TickReport | None = None, **facts) -> SiteView:
    """A site after tick `last.tick` (before the first tick without `last`)."""
    tiers = {t.name: t for t in last.tiers} if last is not None else {}
    defaults = dict(
        level="by-hand",
        tick=last.tick + 1 if last is not None else 0,
        duration=600,
        nodes=tuple(nodes),
        report=last,
        totals=Totals(),
        scores={"availability": 1.0, "latency_ms": 80.0, "cost": 120.0},
        graded=("availability", "latency_ms", "cost"),
        settings=Settings(),
        cost_per_tick=sum(n.cost for n in nodes),
        budget=20.0,
        over_budget=False,
        store_on_box=False,
        failover_until=None,
        dns_target=None,
        tiers=tiers,
        objectives=OBJECTIVES,
    )
    return SiteView(**{**defaults, **facts})


def drawn(site: SiteView, width: int = 120) -> str:
    site_map = ArchitectureMap()
    site_map.show(site)
    return "\n".join(line.plain for line in site_map._pack(width).lines)


def facts(site: SiteView, node_id: str, moves=()) -> str:
    inspector = Inspector()
    inspector.show(site.node(node_id), site, moves)
    return inspector.facts.plain


# -- a booting server ------------------------------------------------------------------------


def test_a_booting_server_serves_nothing_and_is_drawn_booting() -> None:
    booting = node(
        "web-2", "web", state=BOOTING, since=40, until=70, in_rotation=False,
        full_capacity=175.0, unit=REQUESTS, tier="web",
    )  # fmt: skip
    up = node("web-1", "web", tier="web", utilization=0.6, capacity=175.0, full_capacity=175.0,
              unit=REQUESTS)  # fmt: skip
    site = view(
        [node("lb-1", "balancer", size="S"), up, booting, node("db-1", "primary")],
        report(50, [tier("web", "web", servers=1, utilization=0.6)]),
    )
    text = facts(site, "web-2")
    assert "serves nothing now · up to 175 requests/s" in text
    assert "booting, up at 1:10" in text
    assert "serves 175" not in text
    [line] = [line for line in drawn(site).splitlines() if "web-2" in line]
    assert "◌ web-2" in line and "░░░░" in line  # booting, no load drawn
    assert "serves 175 requests/s" in facts(site, "web-1")


# -- a key-value primary ---------------------------------------------------------------------


def test_a_key_value_primary_serves_what_a_key_value_node_serves() -> None:
    """The view says 780 query units/s (a size M node, three times over as key-value), which a
    key-value node serves as lookups; the catalog's relational figure (260) must not appear."""
    primary = node(
        "db-1", "primary", tier="keyvalue", utilization=0.3, capacity=780.0,
        full_capacity=780.0, unit=QUERY_UNITS, cost=3.6,
    )  # fmt: skip
    site = view(
        [node("web-1", "web", tier="web", utilization=0.2, capacity=175, unit=REQUESTS), primary],
        report(10, [tier("web", "web"), tier("keyvalue", "primary", utilization=0.3)]),
        settings=Settings(store="keyvalue"),
    )
    text = facts(site, "db-1")
    assert "serves 780 lookups/s" in text and "260" not in text
    assert "key-value store: 1 serving" in text and "store: key-value" in text
    assert "key-value store" in drawn(site).splitlines()[0]  # the data column's title


# -- a box still holding the database --------------------------------------------------------


def test_a_box_serves_with_its_database_only_while_the_view_says_it_holds_it() -> None:
    box = node("box-1", "box", size="S", tier="box", utilization=0.4, capacity=56.0,
               full_capacity=56.0, unit=REQUESTS, cost=1.0)  # fmt: skip
    holding = view([box], report(5, [tier("box", "box", utilization=0.4)]), store_on_box=True)
    text = facts(holding, "box-1")
    assert "serves 56 requests/s with its database (web alone 100)" in text
    assert drawn(holding).splitlines()[0].split()[1:3] == ["single", "box"]
    # The same figures, but the engine says the database has moved: no guess from capacities.
    moved = replace(holding, store_on_box=False)
    text = facts(moved, "box-1")
    assert "with its database" not in text and "serves 56 requests/s" in text
    assert "single box" not in drawn(moved).splitlines()[0]
    # Restarting after a resize, it serves nothing; when up it shares its time with the data.
    restarting = replace(box, state=BOOTING, in_rotation=False, capacity=0.0, full_capacity=305.0)
    text = facts(replace(holding, nodes=(restarting,)), "box-1")
    assert "serves nothing now · up to 305 requests/s, less with its database" in text


# -- over budget -----------------------------------------------------------------------------


def _cost_row(site: SiteView) -> Text:
    panel = MetricsPanel()
    panel.record(site)
    return panel.text_of("cost")


def _value_style(row: Text, value: str):
    at = row.plain.index(value)
    return next(span.style for span in row.spans if span.start <= at < span.end)


def test_the_cost_is_red_exactly_when_the_view_says_over_budget() -> None:
    nodes = [node("web-1", "web", cost=25.0)]
    last = report(3)
    over = view(nodes, last, cost_per_tick=25.0, budget=20.0, over_budget=True)
    assert _value_style(_cost_row(over), "25/tick") == MISSED_STYLE
    assert "≤ 20" in _cost_row(over).plain
    # The panel does not judge the budget itself: what the view says goes.
    within = replace(over, over_budget=False)
    assert _value_style(_cost_row(within), "25/tick") != MISSED_STYLE


def test_scores_use_the_players_words_and_one_format() -> None:
    panel = MetricsPanel()
    panel.record(view([node("web-1", "web")], report(3), scores={
        "availability": 0.99123, "latency_ms": 80.0, "cost": 120.0}))  # fmt: skip
    row = panel.text_of("availability").plain
    assert row.startswith("availability") and "99.123% ≥ 99.000%" in row
    assert "uptime" not in row
    assert panel.text_of("latency").plain.startswith("p95 latency")


# -- mid-failover ----------------------------------------------------------------------------


def test_mid_failover_the_status_line_counts_down_to_the_views_tick() -> None:
    primary = node("db-1", "primary", state=FAILED, since=20, until=200, in_rotation=False,
                   tier="primary", unit=QUERY_UNITS, full_capacity=450.0)  # fmt: skip
    replica = node("replica-1", "replica", tier="replicas", utilization=0.5, capacity=450.0,
                   full_capacity=450.0, unit=QUERY_UNITS)  # fmt: skip
    last = report(
        35,
        [tier("web", "web"), tier("primary", "primary", servers=0), tier("replicas", "replica")],
        failed={"primary_down": 12.0},
    )
    site = view([node("web-1", "web", tier="web"), primary, replica], last, failover_until=48)
    line = status_text(site, "Primary down", "2x").plain
    assert line == "Primary down   tick 36/600   2x   failover: 12 s left"
    assert "failover" not in status_text(replace(site, failover_until=None), "x", "1x").plain
    assert "✖ db-1" in drawn(site)
    panel = FailureReasons()
    panel.show(site)
    assert [reason for reason, _, _ in panel.rows] == ["primary_down"]
    assert "database primary: no server is taking traffic" in facts(site, "db-1")


# -- advice and moves as the engine offers them ----------------------------------------------


def test_the_advice_names_the_remedies_it_carries_and_nothing_else() -> None:
    resize = Action(0, "resize", target="box-1", size="M")
    advice = Advice("box", 1.47, (resize,))
    assert advice_text(advice).plain == "single box at 147%: resize box-1 to M"
    both = Advice("web", 0.95, (Action(0, "add", kind="web", size="S"), resize))
    assert advice_text(both).plain == "web tier at 95%: add a web server (w) or resize box-1 to M"
    assert "nothing this level offers" in advice_text(Advice("cache", 1.2, ())).plain
    assert advice_text(None).plain == ""


def test_a_refused_move_is_offered_dimmed_with_the_engines_reason() -> None:
    async def check() -> None:
        from tests.ui.test_widgets import WidgetApp

        web = node("web-1", "web", tier="web", capacity=175, unit=REQUESTS)
        site = view([web], report(1))
        moves = (
            MovePreview(Action(0, "resize", target="web-1", size="L"), "", 2.0, 30, 30, "web-1"),
            MovePreview(Action(0, "remove", target="web-1"), "the site needs at least one web "
                        "server", -2.0, 0, 0, "web-1"),
        )  # fmt: skip
        app = WidgetApp(Inspector(), lambda w: w.show(web, site, moves))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            resize, remove = app.query_one("#resize-L"), app.query_one("#remove")
            assert str(resize.label) == "L · +2/tick"  # its price; its row says the downtime
            assert remove.has_class("-refused") and not resize.has_class("-refused")
            assert remove.tooltip == "the site needs at least one web server"
            await pilot.click("#remove")  # refused, yet asked: the screen shows why
            await pilot.pause()
        assert [m.action.verb for m in app.messages] == ["remove"]

    import asyncio

    asyncio.run(check())


def test_the_build_bar_takes_the_size_its_key_would() -> None:
    """At XL a cache (S, M, L) is asked for at its first size, as the c key asks."""
    adds = tuple(
        MovePreview(Action(0, "add", kind=kind, size=size), "", 1.0, 10, 0, "")
        for kind, sizes in (("web", "SMLX"), ("cache", "SML"))
        for size in (s if s != "X" else "XL" for s in sizes)
    )
    bar = BuildBar()
    bar.show(adds, "XL")
    assert bar.refusal("cache") == "" and bar.refusal("web") == ""
    assert bar.refusal("cdn") == "not on offer"
