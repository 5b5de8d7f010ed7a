"""What a validated file becomes in the engine: a LevelFile a Scenario, a PlanFile its Actions.

The engine has the last word: its dataclasses check their own values, and its start rules judge the
starting build (a web tier, a primary behind web servers, the most of each kind). Whatever it
refuses comes back as FieldProblems at the field it is about, for the loader to give a line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from game.content.schema.fields import FieldProblems, Loc
from game.content.schema.level import LevelFile
from game.content.schema.plan import PlanFile, RuleStep
from game.engine import rules
from game.engine.actions import Action
from game.engine.endless import Endless
from game.engine.regions import Region
from game.engine.scenario import (
    Component,
    Incident,
    Jobs,
    RandomFailures,
    Retries,
    Scenario,
    Sessions,
    Settings,
)
from game.engine.scoring import Goal, Objectives, default_objectives
from game.engine.traffic import Mix, Spike, Traffic

T = TypeVar("T")


def actions_of(plan: PlanFile) -> tuple[Action, ...]:
    """The engine Actions of a validated plan, in file order."""
    return tuple(
        step.action()
        if isinstance(step, RuleStep)
        else Action(verb=step.do, **step.model_dump(exclude={"do"}))
        for step in plan.actions
    )


def scenario_of(level: LevelFile) -> Scenario:
    """The engine Scenario of a validated level (raises FieldProblems if the engine objects)."""
    t = level.traffic
    objectives = default_objectives()
    if level.objectives is not None:
        goals = tuple(
            _engine(("objectives", metric), Goal, metric, *lines)
            for metric, lines in level.objectives.goals().items()
        )
        objectives = _engine(
            ("objectives",), Objectives, goals, level.objectives.latency_percentile
        )
    scenario = _engine(
        (),
        Scenario,
        id=level.id,
        title=level.title,
        duration=level.duration,
        seed=level.seed,
        budget=level.budget,
        start=tuple(
            _engine(("start", i), Component, p.kind, p.size, p.id)
            for i, p in enumerate(level.start)
        ),
        settings=_engine(
            ("settings",),
            Settings,
            **level.settings.model_dump(),
            retries=None
            if level.retries is None
            else _engine(("retries",), Retries, **level.retries.model_dump()),
        ),
        unlocked=None if level.unlocked is None else frozenset(level.unlocked),
        traffic=_engine(
            ("traffic",),
            Traffic,
            points=tuple((tick, float(rate)) for tick, rate in t.points),
            curve=t.curve,
            wave_amplitude=t.wave_amplitude,
            wave_period=t.wave_period,
            spikes=tuple(Spike(s.start, s.duration, s.multiplier) for s in t.spikes),
            mix=_engine(("traffic", "mix"), Mix, **t.mix.model_dump()),
            keys=t.keys,
            zipf_alpha=t.zipf_alpha,
            origin_rtt_s=t.origin_rtt_ms / 1000,
            edge_rtt_s=t.edge_rtt_ms / 1000,
        ),
        incidents=tuple(Incident(i.tick, i.target, i.announced) for i in level.incidents),
        failures=_engine(
            ("failures",),
            RandomFailures,
            level.failures.random,
            level.failures.mtbf_scale,
            tuple(level.failures.kinds),
        ),
        objectives=objectives,
        timeout_s=level.timeout_s,
        endless=None
        if level.endless is None
        else _engine(("endless",), Endless, **level.endless.model_dump()),
        jobs=None if level.jobs is None else _engine(("jobs",), Jobs, **level.jobs.model_dump()),
        sessions=None
        if level.sessions is None
        else _engine(("sessions",), Sessions, **level.sessions.model_dump()),
        regions=tuple(
            _engine(
                ("regions", i),
                Region,
                r.name,
                r.share,
                {dc: ms / 1000 for dc, ms in sorted(r.rtt_ms.items())},
            )
            for i, r in enumerate(level.regions)
        ),
    )
    _check_start(scenario)
    return scenario


def _engine(loc: Loc, make: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Build an engine dataclass; its ValueError becomes a problem at `loc`."""
    try:
        return make(*args, **kwargs)
    except (ValueError, TypeError, OverflowError) as error:
        raise FieldProblems([(loc, str(error), "")]) from None


def _check_start(scenario: Scenario) -> None:
    """Let the engine judge the starting build, and pin its refusal to the part at fault."""
    try:
        rules.check_start(scenario.start)
    except rules.StartRefused as error:
        loc: Loc = ("start",) if error.index is None else ("start", error.index, "kind")
        raise FieldProblems([(loc, str(error), "")]) from None
