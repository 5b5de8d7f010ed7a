"""The sandbox's own moves: set the traffic while running, and fail a component by hand.

A sandbox run is a Simulation made with `sandbox=True`. Its two extra verbs are actions like
any other, recorded at their ticks, so a sandbox run is a plan that replays to the same ticks:

- traffic: `value` is the new rate (req/s) and `setting` the mix as "static/read/write/join"
  shares in percent ("" keeps the mix); from this tick on the traffic is that flat rate;
- fail: `target`, a component id, fails now (as a scheduled incident would).

No clock, no randomness of its own: a fail is an incident at the move's tick.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from game.engine import catalog, changes
from game.engine.actions import Action
from game.engine.scenario import RandomFailures, Scenario
from game.engine.scoring import Objectives
from game.engine.topology import FAILED
from game.engine.traffic import Mix, Traffic

if TYPE_CHECKING:
    from game.engine.simulation import Simulation

VERBS = ("traffic", "fail")
MIX_KINDS = ("static", "read", "write", "join")


def mix_text(mix: Mix) -> str:
    """A mix as the percent shares a traffic move carries: "40/45/10/5"."""
    return "/".join(f"{round(getattr(mix, k) * 100):d}" for k in MIX_KINDS)


def parse_mix(text: str) -> Mix:
    """The mix of "static/read/write/join" percents (ValueError with a reason if it is bad)."""
    parts = text.split("/")
    if len(parts) != len(MIX_KINDS):
        raise ValueError("the mix takes four shares, static/read/write/join, in percent")
    try:
        shares = [int(p) for p in parts]
    except ValueError:
        raise ValueError("the mix shares are whole percents, e.g. 40/45/10/5") from None
    if any(s < 0 for s in shares) or sum(shares) != 100:
        raise ValueError("the mix shares must be >= 0 and sum to 100")
    return Mix(*(s / 100 for s in shares))


def traffic_move(tick: int, rps: float, mix: Mix) -> Action:
    """The move that sets the traffic to `rps` with `mix` from `tick` on."""
    return Action(tick, "traffic", setting=mix_text(mix), value=float(rps))


def refusal(sim: Simulation, a: Action) -> str:
    """Why the sandbox refuses move `a` now ("" if it carries it out)."""
    if not sim.sandbox:
        return f"{a.verb} is only allowed in the sandbox"
    if sim.done:
        return "the run is over"
    if a.verb == "traffic":
        value = a.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "traffic takes a rate in requests per second"
        if not 0 <= value <= catalog.MAX_RPS:
            return f"the rate must be between 0 and {catalog.MAX_RPS:g} req/s"
        if a.setting:
            try:
                parse_mix(a.setting)
            except ValueError as error:
                return str(error)
        return ""
    node = sim.topology.nodes.get(a.target)
    if node is None:
        return f"there is no component {a.target!r}"
    if node.state == FAILED:
        return f"{a.target} has already failed"
    return ""


def carry_out(sim: Simulation, a: Action) -> None:
    """Make an accepted sandbox move."""
    if a.verb == "traffic":
        old = sim.scenario.traffic
        mix = parse_mix(a.setting) if a.setting else old.mix
        # the ticks already run are behind: only the rate from now on matters
        new = replace(
            old,
            points=((0, float(a.value)),),
            wave_amplitude=0.0,
            spikes=(),
            growth_doubling_ticks=0,
            mix=mix,
        )
        sim.scenario = replace(sim.scenario, traffic=new)
        return
    node = sim.topology.nodes[a.target]
    changes.fail_by_hand(sim.topology, sim.settings, sim.state, node, sim.tick)


def scenario() -> Scenario:
    """The sandbox's site: one box under a flat traffic, every part and move unlocked, no
    budget, no objectives (nothing is graded), no scheduled or random failures (incidents are
    fired by hand), a long run."""
    traffic = Traffic(
        points=((0, catalog.SANDBOX_START_RPS),), mix=parse_mix(catalog.SANDBOX_MIXES[0])
    )
    return Scenario(
        "sandbox",
        "Sandbox",
        catalog.SANDBOX_TICKS,
        traffic=traffic,
        failures=RandomFailures(enabled=False),
        objectives=Objectives(goals=()),
    )


def stepped_rps(rps: float, up: bool) -> float:
    """The rate a traffic key sets: a share more or less, never below 0 nor above the most."""
    step = max(catalog.SANDBOX_MIN_RPS_STEP, rps * catalog.SANDBOX_RPS_STEP)
    new = rps + step if up else rps - step
    return float(min(catalog.MAX_RPS, max(0.0, round(new))))


def next_mix(mix: Mix) -> Mix:
    """The mix after `mix` in the catalog's list (the first if `mix` is none of them)."""
    texts = catalog.SANDBOX_MIXES
    now = mix_text(mix)
    following = texts[(texts.index(now) + 1) % len(texts)] if now in texts else texts[0]
    return parse_mix(following)
