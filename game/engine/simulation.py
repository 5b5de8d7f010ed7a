"""The tick engine: a site under traffic, one simulated second at a time.

A Simulation ties the parts together. A move goes through the rules (rules.py) and, accepted,
changes the components (topology.py), the settings or the replication (replication.py). The
components whose boot ends at a tick are up before that tick's moves (changes.bring_up, done
as soon as the previous tick is simulated), so a move is judged on the site the tick runs with.
A tick then lets its failures happen (changes.py), routes its demand through the tiers
(flow.py) on the state one tick hands the next (state.py), and adds its report to the run's
totals. `run` plays a whole run and `resimulate` part of one, both by replay.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from game.engine import (
    autoscale,
    catalog,
    changes,
    datacenters,
    flow,
    replay,
    rules,
    sandbox,
    sessions,
)
from game.engine.actions import Action, Outcome
from game.engine.endless import ErrorBudget, Peak, grown
from game.engine.jobs import Backlog
from game.engine.replication import Promotion
from game.engine.report import Event, TickReport, Totals
from game.engine.scenario import Scenario, Settings
from game.engine.sessions import Logins
from game.engine.state import RunState
from game.engine.tick import Tick
from game.engine.topology import DATA_KINDS, Node, Topology


@dataclass(frozen=True, slots=True)
class RunResult:
    scenario: Scenario
    seed: int
    ticks: int
    totals: Totals
    last: TickReport | None
    outcomes: tuple[Outcome, ...]
    scores: dict[str, float]
    stars: int

    @property
    def passed(self) -> bool:
        return self.stars > 0


class Simulation:
    """One run of a scenario. Feed it actions with `apply`, advance it with `step`."""

    def __init__(
        self, scenario: Scenario, seed: int | None = None, *, sandbox: bool = False
    ) -> None:
        rules.check_start(scenario.start)
        self.sandbox = sandbox  # a sandbox run: traffic and fail moves allowed (sandbox.py)
        self.seed = scenario.seed if seed is None else seed
        endless = scenario.endless
        if endless is not None:  # the traffic this seed's endless run meets
            traffic = grown(scenario.traffic, endless, self.seed, scenario.duration)
            scenario = replace(scenario, traffic=traffic)
        self.scenario = scenario
        self.budget = ErrorBudget(endless) if endless is not None else None
        percentile = scenario.objectives.latency_percentile
        self.peak = Peak(endless, percentile) if endless is not None else None
        self.settings: Settings = scenario.settings
        self.tick = 0
        failures = scenario.failures
        mtbf_scale = failures.mtbf_scale if failures.enabled else None
        self.topology = Topology(self.seed, mtbf_scale, failures.kinds)
        for part in scenario.start:
            self.topology.add(part.kind, part.size, 0, part.id, ready=True)
        self.topology.set_shards(self.settings.shards)
        self.state = RunState.start(scenario, bool(self.topology.of_kind("primary")))
        self.totals = Totals()
        self.last: TickReport | None = None
        self.autoscale = autoscale.Autoscaler()  # the pools' scale rules, and what they did
        self.geo = datacenters.Geo.start(scenario)  # the regions' data centres; None: one
        changes.bring_up(self.topology, self.state, 0)
        if scenario.sessions is not None:  # the starting build has been running: users signed in
            front, balancer = self.topology.front_door(0), self.settings.balancer
            self.state.logins.holders = sessions.holders(self.topology, front, balancer)

    # -- state a screen may show ------------------------------------------------------------

    @property
    def done(self) -> bool:
        """The run is over: the level's last tick is behind, or an endless run's budget spent."""
        return self.tick >= self.scenario.duration or self.budget_spent

    @property
    def budget_spent(self) -> bool:
        """An endless run failed more than its error budget allows over its window."""
        return self.budget is not None and self.budget.spent

    def nodes(self) -> list[Node]:
        """Every component, oldest first (read-only use)."""
        return sorted(self.topology.nodes.values(), key=lambda n: n.order)

    def cost_per_tick(self) -> float:
        return self.topology.cost_per_tick()

    @property
    def promotion(self) -> Promotion | None:
        """A replica being made primary, if one is (read-only use)."""
        return self.state.replication.promotion

    @property
    def jobs(self) -> Backlog:
        """The jobs waiting in the message queue (read-only use)."""
        return self.state.jobs

    @property
    def logins(self) -> Logins:
        """Who holds the users' sessions and who is signed out (read-only use)."""
        return self.state.logins

    @property
    def resharding_until(self) -> int | None:
        """The tick a migration of keys between shards ends, else None (read-only use)."""
        return self.state.resharding_until

    @property
    def failover_until(self) -> int | None:
        """The tick a promotion under way completes (writes fail until then), else None."""
        promotion = self.promotion
        return promotion.until if promotion is not None else None

    @property
    def store_on_box(self) -> bool:
        """Whether the database still lives on the single box: no primary has taken it over yet."""
        return self.state.store_on_box

    def take_events(self) -> list[Event]:
        """The events since the last tick's report (a move's), which that report will not hold."""
        return self.state.events.take()

    # -- actions ----------------------------------------------------------------------------

    def refusal(self, action: Action) -> str:
        """Why the engine would refuse this move now ("" if it would carry it out); changes
        nothing, so a screen can say why before the move is made."""
        if action.verb in sandbox.VERBS:
            return sandbox.refusal(self, action)
        if action.verb == "rule" and not self.done and self.scenario.allows("rule"):
            return autoscale.refusal(self.autoscale, action)
        return rules.refusal(self, action)

    def apply(self, action: Action) -> Outcome:
        """Carry out a move now, or refuse it with a reason a player can read."""
        reason = self.refusal(action)
        if reason:
            self._log("refused", action.target or action.kind, f"{action.describe()}: {reason}")
            return Outcome(action, False, reason)
        made = self._carry_out(action)
        self._log("action", made or action.target, action.describe())
        return Outcome(action, True, component=made)

    def _carry_out(self, a: Action) -> str:
        """Make an accepted move; the id of the component it added, if any."""
        topology = self.topology
        if a.verb in sandbox.VERBS:
            sandbox.carry_out(self, a)
            return ""
        if a.verb == "add":
            made = topology.add(a.kind, a.size, self.tick).id
            if a.kind == "replica":
                self.state.replication.copy_for(made)
            return made
        if a.verb == "remove":
            topology.remove(topology.nodes[a.target])
        elif a.verb == "resize":
            topology.resize(topology.nodes[a.target], a.size, self.tick)
            if topology.nodes[a.target].kind == "replica":
                self.state.replication.copy_for(a.target)
        elif a.verb == "configure":
            new = rules.configured(self.settings, a)
            if new.store != self.settings.store:  # the data migrates: the data tier restarts
                for node in topology.of_kind(*DATA_KINDS):
                    topology.restart(node, self.tick, catalog.STORE_SWITCH_TICKS)
                self.state.replication.restart()
            if new.shards != self.settings.shards:  # keys move between the shards for a while
                self.state.resharding_until = self.tick + catalog.RESHARD_TICKS
                topology.set_shards(new.shards)
            self.settings = new
        elif a.verb == "rule":
            self.autoscale.set(a)
        else:
            self.state.replication.promote(self.tick, a.target)
        return ""

    def _log(self, kind: str, component: str, text: str) -> None:
        self.state.events.log(self.tick, kind, component, text)

    def _rule_move(self, action: Action) -> tuple[str, str]:
        """A scale rule's move: carried out unless refused (why, and the id it added)."""
        reason = self.refusal(action)
        return (reason, "") if reason else ("", self._carry_out(action))

    def _rule_event(self, component: str, text: str) -> None:
        self._log("rule", component, text)

    # -- time -------------------------------------------------------------------------------

    def step(self) -> TickReport:
        """Simulate one tick and report it."""
        if self.done:
            raise RuntimeError("the run is over")
        t = self.tick
        if self.autoscale.active:
            self.autoscale.run(self.topology, self.last, t, self._rule_move, self._rule_event)
        changes.start_tick(self.topology, self.settings, self.state, t)
        if self.geo is None:
            report = flow.simulate(Tick(t, self.scenario, self.topology, self.settings, self.state))
        else:
            report = datacenters.simulate(self.geo, t, self.topology, self.settings, self.state)
        self.totals.add(report)
        if self.budget is not None and self.peak is not None:
            self.budget.add(report)
            self.peak.add(report)
        self.last = report
        self.tick += 1
        if not self.done:
            changes.bring_up(self.topology, self.state, self.tick)
        return report

    # -- whole runs -------------------------------------------------------------------------

    def scores(self) -> dict[str, float]:
        t = self.totals
        latency = t.percentile_ms(self.scenario.objectives.latency_percentile / 100)
        scores = {
            "availability": t.availability,
            "latency_ms": latency if latency is not None else 0.0,
            "cost": t.cost,
            "stale_share": t.stale_reads / t.served if t.served > 0 else 0.0,
            "lost_writes": t.lost_writes,
        }
        if self.scenario.jobs is not None:
            scores["job_age_s"] = t.peak_job_age_s
        if self.peak is not None:
            scores["peak_rps"] = self.peak.rps
            scores["cost_per_million"] = self.peak.cost_per_million
        return scores

    def result(self, outcomes: Iterable[Outcome] = ()) -> RunResult:
        scores = self.scores()
        stars = self.scenario.objectives.stars(scores)
        return RunResult(
            self.scenario,
            self.seed,
            self.tick,
            self.totals,
            self.last,
            tuple(outcomes),
            scores,
            stars,
        )


def run(scenario: Scenario, actions: Iterable[Action] = (), seed: int | None = None) -> RunResult:
    """Run a scenario to its end with actions applied at their ticks (in the order given); an
    action outside the level's ticks is refused."""
    sim = Simulation(scenario, seed)
    outcomes = replay.play(sim, actions)
    return sim.result(outcomes)


def resimulate(
    scenario: Scenario,
    seed: int,
    actions: Iterable[Action],
    tick: int,
    on_report: Callable[[Simulation, TickReport], None] | None = None,
    *,
    sandbox: bool = False,
) -> Simulation:
    """The simulation as it stood at `tick`, with that tick's actions already applied (as the
    play screen applies a move before the tick it is made at); `on_report` sees every
    re-simulated tick's report. Continuing a level left unfinished starts here, and so do a
    rewind and a restart (of a `sandbox` run too)."""
    sim = Simulation(scenario, seed, sandbox=sandbox)
    replay.play(sim, actions, until=tick, on_report=on_report)
    return sim
