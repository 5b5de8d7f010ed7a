"""Sessions: sticky sessions in web servers' memory sign users out when a server goes, a session
store keeps them (and costs a lookup per session request), a lost store signs everyone out.

The closed forms: a cohort signed out at t0 fails its session requests with weight
clamp(relogin_s - (t - t0), 0, 1), so under a steady rate it fails rate x share x (its share
of the users) x relogin_s requests in all, whatever the fraction of relogin_s."""

from __future__ import annotations

import pytest

from game.engine import catalog, sessions
from game.engine.actions import Action
from game.engine.scenario import Component, Incident, Scenario, Sessions, Settings
from game.engine.simulation import Simulation, run
from game.engine.traffic import Mix, Traffic
from game.engine.view import add_moves, site_view

RATE = 200.0
SIGN_IN = Sessions(share=0.4, relogin_s=7.5)
STATIC = Mix(static=1.0, read=0.0, write=0.0, join=0.0)  # the web tier does all the work


def site(*extra: Component, web: int = 4, rps: float = RATE, **kwargs) -> Scenario:
    start = (
        Component("balancer"),
        *(Component("web", id=f"web-{i + 1}") for i in range(web)),
        Component("primary"),
        *extra,
    )
    return Scenario(
        "sessions",
        "sessions",
        kwargs.pop("duration", 80),
        start=start,
        traffic=Traffic(points=((0, rps),), mix=STATIC),
        sessions=kwargs.pop("users", SIGN_IN),
        **kwargs,
    )


def store(node_id: str = "sessions-1", size: str = "S") -> Component:
    return Component("sessions", size, node_id)


def failed(scenario: Scenario, actions=()) -> dict[str, float]:
    """Requests failed over the whole run, by reason."""
    return dict(run(scenario, actions).totals.failed)


def dies(target: str, tick: int = 20) -> tuple[Incident, ...]:
    return (Incident(tick, target),)


# -- sticky sessions in the web servers' memory -----------------------------------------------


@pytest.mark.parametrize("n", [2, 4, 5])
def test_a_web_server_of_n_dying_signs_out_one_nth_of_the_users(n):
    out = failed(site(web=n, incidents=dies("web-2")))
    expected = RATE * SIGN_IN.share * (1 / n) * SIGN_IN.relogin_s
    assert out["logged_out"] == pytest.approx(expected, rel=1e-9)
    assert "session_store_down" not in out


def test_the_window_is_the_relogin_time_and_its_last_tick_is_a_part():
    sim = Simulation(site(incidents=dies("web-2")))
    per_tick = [sim.step().failed.get("logged_out", 0.0) for _ in range(40)]
    full = RATE * SIGN_IN.share / 4
    assert per_tick[19] == 0.0
    assert per_tick[20:27] == pytest.approx([full] * 7)  # 7 whole seconds ...
    assert per_tick[27] == pytest.approx(full * 0.5)  # ... and half of the eighth
    assert per_tick[28:] == [0.0] * 12  # then everyone has signed in again


def test_a_second_loss_signs_out_a_share_of_those_still_signed_in():
    incidents = (Incident(20, "web-2"), Incident(22, "web-3"))
    out = failed(site(incidents=incidents))
    # web-3 held a third of the users still signed in: 1/3 x 3/4 = 1/4 of them all.
    assert out["logged_out"] == pytest.approx(2 * RATE * SIGN_IN.share * SIGN_IN.relogin_s / 4)


def test_removing_a_server_signs_out_its_share():
    out = failed(site(web=5), [Action(30, "remove", target="web-4")])
    assert out["logged_out"] == pytest.approx(RATE * SIGN_IN.share * SIGN_IN.relogin_s / 5)


def test_the_starting_build_already_holds_sessions():
    out = failed(site(web=4), [Action(0, "remove", target="web-4")])
    assert out["logged_out"] == pytest.approx(RATE * SIGN_IN.share * SIGN_IN.relogin_s / 4)


def test_resizing_a_server_restarts_it_and_signs_out_its_share():
    out = failed(site(web=4), [Action(30, "resize", target="web-1", size="M")])
    assert out["logged_out"] == pytest.approx(RATE * SIGN_IN.share * SIGN_IN.relogin_s / 4)


def test_adding_a_server_signs_nobody_out():
    out = failed(site(web=3), [Action(10, "add", kind="web", size="S")])
    assert "logged_out" not in out


def test_least_connections_holds_sessions_by_capacity():
    start = (
        Component("balancer"),
        Component("web", "S", "web-1"),
        Component("web", "L", "web-2"),
        Component("primary"),
    )
    scenario = Scenario(
        "s",
        "s",
        80,
        start=start,
        settings=Settings(balancer="least_connections"),
        traffic=Traffic(points=((0, RATE),), mix=STATIC),
        incidents=dies("web-2"),
        sessions=SIGN_IN,
    )
    small, large = (catalog.KINDS["web"].sizes[s].capacity for s in ("S", "L"))
    held = large / (small + large)
    out = failed(scenario)
    assert out["logged_out"] == pytest.approx(RATE * SIGN_IN.share * held * SIGN_IN.relogin_s)


# -- a session store ----------------------------------------------------------------------


def test_with_a_store_a_dying_web_server_signs_nobody_out():
    out = failed(site(store(), incidents=dies("web-2")))
    assert "logged_out" not in out and "session_store_down" not in out
    assert out["server_down"] > 0  # the balancer still takes a moment to notice


def test_a_store_that_dies_signs_everyone_out():
    out = failed(site(store(), incidents=dies("sessions-1")))
    assert out["session_store_down"] == pytest.approx(
        RATE * SIGN_IN.share * SIGN_IN.relogin_s, rel=1e-9
    )
    assert "logged_out" not in out


def test_while_the_store_is_down_sessions_are_sticky_again():
    incidents = (Incident(20, "sessions-1"), Incident(40, "web-2"))
    assert 40 < 20 + catalog.KINDS["sessions"].repair_ticks
    out = failed(site(store(), incidents=incidents))
    assert out["logged_out"] == pytest.approx(RATE * SIGN_IN.share * SIGN_IN.relogin_s / 4)


def test_one_of_two_store_nodes_lost_signs_out_half():
    out = failed(site(store("sessions-1"), store("sessions-2"), incidents=dies("sessions-2")))
    assert out["session_store_down"] == pytest.approx(
        RATE * SIGN_IN.share * SIGN_IN.relogin_s / 2
    )


def test_a_store_booting_holds_nothing_yet():
    add = Action(0, "add", kind="sessions", size="S")
    boot = catalog.KINDS["sessions"].boot_ticks
    out = failed(site(incidents=dies("web-2", tick=boot - 5)), [add])
    assert out["logged_out"] == pytest.approx(RATE * SIGN_IN.share * SIGN_IN.relogin_s / 4)
    out = failed(site(incidents=dies("web-2", tick=boot + 5)), [add])
    assert "logged_out" not in out


def test_every_session_request_is_a_lookup_on_the_store():
    sim = Simulation(site(store()))
    report = sim.step()
    tier = next(t for t in report.tiers if t.name == "sessions")
    assert tier.offered == pytest.approx(RATE * SIGN_IN.share * catalog.SESSION_LOOKUPS)
    assert report.served == pytest.approx(RATE)
    capacity = catalog.KINDS["sessions"].sizes["S"].capacity
    assert tier.utilization == pytest.approx(tier.offered / capacity)


def test_an_overloaded_store_times_its_requests_out():
    capacity = catalog.KINDS["sessions"].sizes["S"].capacity
    rps = 1.5 * capacity / SIGN_IN.share  # half again what one S store looks up
    big = site(store(), web=100, rps=rps, duration=30)
    out = failed(big)
    assert out.get("timeout_sessions", 0.0) > 0.2 * rps * SIGN_IN.share * 10
    assert "timeout_web" not in out
    assert "timeout_sessions" not in failed(site(store(size="L"), web=100, rps=rps, duration=30))


def test_the_lookup_adds_to_the_latency_of_session_requests():
    without = run(site(users=Sessions(share=1.0)))
    looked_up = run(site(store(), users=Sessions(share=1.0)))
    assert looked_up.scores["latency_ms"] > without.scores["latency_ms"]


def test_removing_the_store_signs_everyone_out():
    out = failed(site(store()), [Action(30, "remove", target="sessions-1")])
    assert out["session_store_down"] == pytest.approx(RATE * SIGN_IN.share * SIGN_IN.relogin_s)


# -- the rest -----------------------------------------------------------------------------------


def test_runs_with_sessions_are_deterministic():
    scenario = site(web=3, incidents=(Incident(10, "web-1"), Incident(15, "web-3")))
    actions = [Action(20, "add", kind="sessions", size="S"), Action(50, "remove", target="web-2")]
    one, two = run(scenario, actions), run(scenario, actions)
    assert one.totals == two.totals and one.scores == two.scores


def test_without_sessions_nothing_signs_anyone_out_and_no_store_is_offered():
    plain = site(web=4, incidents=dies("web-2"), users=None)
    out = failed(plain, [Action(30, "remove", target="web-3")])
    assert set(out) == {"server_down"}
    sim = Simulation(plain)
    assert "do not sign in" in sim.refusal(Action(0, "add", kind="sessions", size="S"))
    assert not any(m.action.kind == "sessions" for m in add_moves(sim))
    assert any(m.action.kind == "sessions" for m in add_moves(Simulation(site())))


def test_the_view_says_where_sessions_live_and_who_is_signed_out():
    sim = Simulation(site(incidents=dies("web-2")))
    for _ in range(21):
        sim.step()
    view = site_view(sim).sessions
    assert view is not None and view.held_by == "web"
    assert view.signed_out == pytest.approx(0.25)
    assert site_view(Simulation(site(users=None))).sessions is None
    held = site_view(Simulation(site(store()))).sessions
    assert held is not None and held.held_by == sessions.STORE


def test_a_bad_sessions_spec_says_why():
    with pytest.raises(ValueError, match="share of requests with a session"):
        Sessions(share=0.0)
    with pytest.raises(ValueError, match="signing in again"):
        Sessions(share=0.5, relogin_s=catalog.MAX_RELOGIN_S + 1)


def test_the_log_says_who_was_signed_out_and_for_how_long():
    sim = Simulation(site(incidents=dies("web-2")))
    events = [e for _ in range(25) for e in sim.step().events if e.kind == "signed_out"]
    assert [(e.tick, e.component) for e in events] == [(20, "web-2")]
    assert events[0].text == "web-2 held 25% of the users' sessions: signed out for 7.5 s"
    with_store = Simulation(site(store(), incidents=dies("web-2")))
    assert not [e for _ in range(25) for e in with_store.step().events if e.kind == "signed_out"]


def test_a_store_lost_while_overloaded_fails_what_waited_in_it():
    capacity = catalog.KINDS["sessions"].sizes["S"].capacity
    rps = 1.5 * capacity / SIGN_IN.share
    sim = Simulation(site(store(), web=100, rps=rps, duration=40, incidents=dies("sessions-1")))
    reports = [sim.step() for _ in range(40)]
    waiting = next(t for t in reports[19].tiers if t.name == "sessions").queued
    assert waiting > 0
    assert reports[20].failed["session_store_down"] >= waiting
    assert all(r.queued == pytest.approx(0.0, abs=1e-6) for r in reports[21:])
