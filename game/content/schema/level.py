"""The level file: the starting site, the traffic it must survive and how it is scored.

Every rule an author can break is stated here as a type, a Field constraint, a Literal or a model
validator. The rules of the starting build itself (a web tier, a primary behind web servers, the
limits per kind) are the engine's: the loader asks a Simulation, so they are written once.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, create_model, model_validator

from game.content.errors import number, quote, suggest
from game.content.schema.fields import (
    MAX_CONCEPTS,
    MAX_INCIDENTS,
    MAX_INT,
    MAX_POINTS,
    MAX_SEED,
    MAX_SPIKES,
    MAX_START,
    Briefing,
    FieldProblems,
    FileModel,
    Finite,
    Id,
    IdOrEmpty,
    KindName,
    Loc,
    Point,
    SizeName,
    StarLines,
    Tick,
    Title,
    Unlockable,
    engine_default,
    raise_if,
)
from game.content.schema.regions import RegionTable, region_problems
from game.content.schema.requests import JobsTable, RetriesTable, SessionsTable
from game.engine import catalog
from game.engine.endless import Endless
from game.engine.metrics import METRICS
from game.engine.scenario import (
    ADDABLE,
    VERBS,
    Component,
    Incident,
    RandomFailures,
    Scenario,
    Settings,
)
from game.engine.scoring import PERCENTILES, Objectives, lines_ordered
from game.engine.topology import start_ids
from game.engine.traffic import CURVES, Mix, Traffic


class StartEntry(FileModel):
    """One component of the starting build."""

    kind: KindName = Field(description="a catalog kind")
    size: SizeName = Field(engine_default(Component, "size"), description="one of the kind's sizes")
    id: IdOrEmpty = Field(
        engine_default(Component, "id"),
        description="explicit id; empty: <prefix>-<n> in file order",
    )

    @model_validator(mode="after")
    def _size_of_kind(self) -> StartEntry:
        sizes = tuple(catalog.KINDS[self.kind].sizes)
        if self.size not in sizes:
            raise FieldProblems(
                [
                    (
                        ("size",),
                        f"a {self.kind} has no size {quote(self.size)}",
                        f"sizes: {', '.join(sizes)}",
                    )
                ]
            )
        return self


class SettingsTable(FileModel):
    """Tier settings at the start (a player may change them with `configure`)."""

    balancer: Literal[catalog.BALANCER_ALGORITHMS] = engine_default(Settings, "balancer")  # type: ignore[valid-type]
    eviction: Literal[catalog.EVICTIONS] = engine_default(Settings, "eviction")  # type: ignore[valid-type]
    ttl_s: Annotated[Finite, Field(gt=0, le=catalog.MAX_TTL_S)] = engine_default(Settings, "ttl_s")
    invalidate_on_write: bool = engine_default(Settings, "invalidate_on_write")
    store: Literal[catalog.STORES] = engine_default(Settings, "store")  # type: ignore[valid-type]
    shed: bool = Field(
        engine_default(Settings, "shed"),
        description="the balancer refuses what would wait past the timeout",
    )
    shards: Annotated[int, Field(ge=1, le=catalog.MAX_SHARDS, strict=True)] = Field(
        engine_default(Settings, "shards"),
        description="the relational primary's keys split over this many shards",
    )


class MixTable(FileModel):
    """Shares of the request kinds; they must sum to 1."""

    static: Annotated[Finite, Field(ge=0, le=1)] = engine_default(Mix, "static")
    read: Annotated[Finite, Field(ge=0, le=1)] = engine_default(Mix, "read")
    write: Annotated[Finite, Field(ge=0, le=1)] = engine_default(Mix, "write")
    join: Annotated[Finite, Field(ge=0, le=1)] = engine_default(Mix, "join")

    @model_validator(mode="after")
    def _sums_to_one(self) -> MixTable:
        shares = self.model_dump()
        total = sum(shares.values())
        if abs(total - 1) > 1e-6:
            terms = " + ".join(f"{name} {number(share)}" for name, share in shares.items())
            raise FieldProblems([((), f"shares sum to {number(total)}, expected 1 ({terms})", "")])
        return self


class SpikeTable(FileModel):
    """Traffic multiplied by `multiplier` for `duration` ticks from tick `start`."""

    start: Tick
    duration: Annotated[int, Field(ge=1, le=catalog.MAX_TICKS)]
    multiplier: Annotated[Finite, Field(ge=0, le=catalog.MAX_RPS)]


class TrafficTable(FileModel):
    """Requests per second over the run."""

    points: list[Point] = Field(
        min_length=1, max_length=MAX_POINTS, description="[tick, req/s] pairs, ticks increasing"
    )
    curve: Literal[CURVES] = engine_default(Traffic, "curve")  # type: ignore[valid-type]
    wave_amplitude: Annotated[Finite, Field(ge=0, lt=1)] = engine_default(Traffic, "wave_amplitude")
    wave_period: Annotated[int, Field(ge=1, le=MAX_INT)] = engine_default(Traffic, "wave_period")
    keys: Annotated[int, Field(ge=1, le=catalog.MAX_KEYS)] = engine_default(Traffic, "keys")
    zipf_alpha: Annotated[Finite, Field(ge=0, le=3)] = engine_default(Traffic, "zipf_alpha")
    origin_rtt_ms: Annotated[Finite, Field(ge=0, le=catalog.MAX_TIMEOUT_S * 1000)] = round(
        engine_default(Traffic, "origin_rtt_s") * 1000, 6
    )
    edge_rtt_ms: Annotated[Finite, Field(ge=0, le=catalog.MAX_TIMEOUT_S * 1000)] = round(
        engine_default(Traffic, "edge_rtt_s") * 1000, 6
    )
    mix: MixTable = MixTable()
    spikes: list[SpikeTable] = Field(default_factory=list, max_length=MAX_SPIKES)

    @model_validator(mode="after")
    def _ticks_increase(self) -> TrafficTable:
        problems = []
        for i in range(1, len(self.points)):
            before, tick = self.points[i - 1][0], self.points[i][0]
            if tick <= before:
                problems.append(
                    (
                        ("points", i, 0),
                        f"tick {tick} does not come after tick {before}",
                        "point ticks must strictly increase",
                    )
                )
        raise_if(problems)
        return self


class IncidentTable(FileModel):
    """A scheduled failure of one component of the starting build."""

    tick: Tick
    target: Id
    announced: bool = Field(
        engine_default(Incident, "announced"),
        description="shown on the forecast ahead of time; omitted: a surprise",
    )


class FailuresTable(FileModel):
    """Random failures, drawn from seeded per-component streams."""

    random: bool = engine_default(RandomFailures, "enabled")
    mtbf_scale: Annotated[Finite, Field(gt=0, le=1e6)] = engine_default(
        RandomFailures, "mtbf_scale"
    )
    kinds: list[KindName] = Field(
        default_factory=lambda: list(engine_default(RandomFailures, "kinds")),
        max_length=len(catalog.KINDS),
        description="the component kinds random failures strike; omitted: "
        + ", ".join(catalog.RANDOM_FAILURE_KINDS),
    )

    @model_validator(mode="after")
    def _kinds_once(self) -> FailuresTable:
        seen: set[str] = set()
        problems = []
        for i, kind in enumerate(self.kinds):
            if kind in seen:
                problems.append((("kinds", i), f"{quote(kind)} is listed twice", "list it once"))
            seen.add(kind)
        raise_if(problems)
        return self


class EndlessTable(FileModel):
    """An endless level: its traffic keeps growing, and the run ends when the site fails more
    than its error budget allows; `duration` is then only the longest a run may last."""

    objective: Annotated[Finite, Field(gt=0, lt=1)] = Field(
        engine_default(Endless, "objective"),
        description="availability owed over the window; the error budget is the rest",
    )
    window: Annotated[int, Field(ge=1, le=catalog.MAX_TICKS)] = Field(
        engine_default(Endless, "window"), description="ticks the error budget is counted over"
    )
    latency_ms: Annotated[Finite, Field(gt=0, le=catalog.MAX_TIMEOUT_S * 1000)] = Field(
        engine_default(Endless, "latency_ms"),
        description="a tick within this latency (the level's percentile) counts toward the peak",
    )
    doubling_ticks: Annotated[int, Field(ge=1, le=catalog.MAX_TICKS)] = Field(
        engine_default(Endless, "doubling_ticks"), description="traffic doubles this often"
    )
    spikes_per_hour: Annotated[Finite, Field(ge=0, le=catalog.ENDLESS_MAX_SPIKES_PER_HOUR)] = Field(
        engine_default(Endless, "spikes_per_hour"),
        description="surprise spikes drawn from the run's seed, on top of the level's own",
    )


class _ObjectivesBase(FileModel):
    """Star lines [pass, two stars, three stars] per scored metric."""

    latency_percentile: Literal[PERCENTILES] = engine_default(Objectives, "latency_percentile")  # type: ignore[valid-type]

    def goals(self) -> dict[str, tuple[float, float, float]]:
        """The metrics this level scores, in METRICS order, with their lines."""
        return {m: getattr(self, m) for m in METRICS if getattr(self, m) is not None}

    @model_validator(mode="after")
    def _lines_ordered(self) -> _ObjectivesBase:
        goals = self.goals()
        if not goals:
            raise FieldProblems(
                [
                    (
                        (),
                        "names no metric to score",
                        f"give star lines for one of: {', '.join(METRICS)}",
                    )
                ]
            )
        problems = []
        for metric, lines in goals.items():
            higher_better = METRICS[metric].higher_is_better
            if not lines_ordered(metric, lines):
                direction = "rise" if higher_better else "fall"
                better = "higher" if higher_better else "lower"
                shown = ", ".join(number(x) for x in lines)
                problems.append(
                    (
                        (metric,),
                        f"star lines must {direction} from pass to two to three stars"
                        f" ({better} is better), got [{shown}]",
                        "write them as [pass, two stars, three stars]",
                    )
                )
            if METRICS[metric].share and any(x > 1 for x in lines):
                problems.append(
                    ((metric,), f"{metric} is a share: lines must be between 0 and 1", "")
                )
        raise_if(problems)
        return self


ObjectivesTable = create_model(  # one optional [pass, two, three] field per engine metric
    "ObjectivesTable",
    __base__=_ObjectivesBase,
    __doc__=_ObjectivesBase.__doc__,
    __module__=__name__,
    **{
        metric: (
            StarLines | None,
            Field(
                None,
                description=f"[pass, two, three]; {'higher' if m.higher_is_better else 'lower'}"
                " is better",
            ),
        )
        for metric, m in METRICS.items()
    },
)


class LevelFile(FileModel):
    """A level: the starting site, the traffic it must survive and how it is scored."""

    id: Id = Field(description="lowercase letters, digits and dashes")
    title: Title
    concepts: list[Id] = Field(
        default_factory=list,
        max_length=MAX_CONCEPTS,
        description="ids of the codex entries this level teaches (a pack's levels need one)",
    )
    briefing: Briefing = Field(
        "", description="Markdown shown before the level; {{placeholders}} read the catalog"
    )
    duration: Annotated[int, Field(ge=1, le=catalog.MAX_TICKS)] = Field(description="ticks")
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = engine_default(Scenario, "seed")
    budget: Annotated[Finite, Field(gt=0)] | None = Field(
        engine_default(Scenario, "budget"), description="the most the site may cost per tick"
    )
    timeout_s: Annotated[Finite, Field(gt=0, le=catalog.MAX_TIMEOUT_S)] = engine_default(
        Scenario, "timeout_s"
    )
    unlocked: list[Unlockable] | None = Field(
        engine_default(Scenario, "unlocked"),
        max_length=len(ADDABLE + VERBS) * 4,
        description="components and actions the player may use; omitted: all",
    )
    start: list[StartEntry] = Field(min_length=1, max_length=MAX_START)
    settings: SettingsTable = SettingsTable()
    retries: RetriesTable | None = Field(None, description="omitted: clients do not retry")
    jobs: JobsTable | None = Field(None, description="omitted: no request carries slow work")
    sessions: SessionsTable | None = Field(None, description="omitted: no user signs in")
    regions: list[RegionTable] = Field(
        default_factory=list,
        max_length=catalog.MAX_REGIONS,
        description="where the users are; omitted: one region, one data centre",
    )
    traffic: TrafficTable
    incidents: list[IncidentTable] = Field(default_factory=list, max_length=MAX_INCIDENTS)
    failures: FailuresTable = FailuresTable()
    endless: EndlessTable | None = Field(
        None, description="makes the level endless; omitted: the level ends at its duration"
    )
    objectives: ObjectivesTable | None = Field(  # type: ignore[valid-type]
        None, description="omitted: the engine's default objectives"
    )

    def component_ids(self) -> list[str]:
        """The ids the engine gives the starting build, in file order."""
        return start_ids((part.kind, part.id) for part in self.start)

    @model_validator(mode="after")
    def _fits_together(self) -> LevelFile:
        problems: list[tuple[Loc, str, str]] = []
        end = self.duration

        ids = self.component_ids()
        first_at: dict[str, int] = {}
        for i, node_id in enumerate(ids):
            if node_id in first_at:
                problems.append(
                    (
                        ("start", i, "id"),
                        f"id {quote(node_id)} is already taken by start[{first_at[node_id]}]",
                        "give each component its own id",
                    )
                )
            first_at.setdefault(node_id, i)

        for i, (tick, _) in enumerate(self.traffic.points):
            if tick > end:
                problems.append(
                    (
                        ("traffic", "points", i, 0),
                        f"tick {tick} is after the level ends (duration {end})",
                        "",
                    )
                )
        for i, spike in enumerate(self.traffic.spikes):
            if spike.start >= end:
                problems.append(
                    (
                        ("traffic", "spikes", i, "start"),
                        f"spike starts at tick {spike.start}, after the level ends"
                        f" (duration {end})",
                        "",
                    )
                )
            elif spike.start + spike.duration > end:
                problems.append(
                    (
                        ("traffic", "spikes", i, "duration"),
                        f"spike runs to tick {spike.start + spike.duration}, past the level's end"
                        f" (duration {end})",
                        f"at most {end - spike.start} ticks from tick {spike.start}",
                    )
                )

        if self.jobs is None and getattr(self.objectives, "job_age_s", None) is not None:
            why = "only a level with [jobs] can score job_age_s (its requests carry no job)"
            problems.append((("objectives", "job_age_s"), why, "add a [jobs] table, or drop it"))

        if self.sessions is None:
            for i, part in enumerate(self.start):
                if part.kind in catalog.SESSION_KINDS:
                    why = "a session store needs users who sign in (the level has no [sessions])"
                    problems.append((("start", i, "kind"), why, "add a [sessions] table"))

        problems.extend(region_problems(self.regions))
        if len(self.regions) < 2:
            for i, part in enumerate(self.start):
                if part.kind in catalog.DATACENTER_KINDS:
                    why = "a second data centre needs users in a second region"
                    problems.append((("start", i, "kind"), why, "add [[regions]]"))

        known = set(ids) | {r.name for r in self.regions}  # a region's data centre can go dark
        for i, incident in enumerate(self.incidents):
            if incident.tick >= end:
                problems.append(
                    (
                        ("incidents", i, "tick"),
                        f"tick {incident.tick} is not inside the level (ticks 0 to {end - 1})",
                        "",
                    )
                )
            if incident.target not in known:
                problems.append(
                    (
                        ("incidents", i, "target"),
                        f"no component {quote(incident.target)} in the starting build",
                        suggest(incident.target, sorted(known), "components"),
                    )
                )
        raise_if(problems)
        return self
