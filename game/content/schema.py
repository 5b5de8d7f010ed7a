"""The level and plan file formats, declared once as pydantic models.

Every rule an author can break is stated here as a type, a Field constraint, a Literal or a model
validator; the loader only parses TOML, runs these models and turns their errors into messages
with line numbers. Defaults are read from the engine's dataclasses and bounds from the catalog,
so the file format can never disagree with the simulation about them.

Units are in the key names: `*_s` seconds, `*_ms` milliseconds, ticks are simulated seconds.
"""

from __future__ import annotations

import dataclasses
import difflib
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from game.content.errors import quote
from game.engine import catalog
from game.engine.actions import CONFIGURABLE, Action
from game.engine.metrics import METRICS
from game.engine.scenario import ADDABLE, VERBS, Component, RandomFailures, Scenario, Settings
from game.engine.scoring import PERCENTILES, Objectives, lines_ordered
from game.engine.topology import start_ids
from game.engine.traffic import CURVES, Mix, Traffic

# Bounds of a file, so that an untrusted one stays small and a run stays finite.
MAX_LEVEL_BYTES = 256 * 1024
MAX_PLAN_BYTES = 1024 * 1024  # 10,000 actions of ~60-90 bytes each do not fit in 256 KiB
MAX_START = 200
MAX_POINTS = 100
MAX_SPIKES = 50
MAX_INCIDENTS = 100
MAX_ACTIONS = 10_000
MAX_ID = 40
MAX_TITLE = 60
MAX_TEXT = 200  # a configure action's string value
MAX_BRIEFING = 4000  # characters of Markdown: a few short paragraphs
MAX_CONCEPTS = 8
MAX_INT = 2**63 - 1  # TOML integers are 64-bit


def engine_default(cls: type, name: str) -> Any:
    """The default of field `name` of an engine dataclass: one source for every default."""
    for f in dataclasses.fields(cls):
        if f.name == name:
            if f.default is not dataclasses.MISSING:
                return f.default
            if f.default_factory is not dataclasses.MISSING:
                return f.default_factory()
    raise KeyError(f"{cls.__name__} has no default for {name!r}")


class FieldProblems(ValueError):
    """Raised by a model validator to report problems at fields below the model.

    Each problem is (loc, message, hint), `loc` relative to the model that raised it; the loader
    turns them into `Problem`s with paths and lines.
    """

    def __init__(self, problems: Iterable[tuple[tuple[str | int, ...], str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(message for _, message, _ in self.problems))


def _raise_if(problems: list[tuple[tuple[str | int, ...], str, str]]) -> None:
    if problems:
        raise FieldProblems(problems)


def number(x: float) -> str:
    """A number as an author wrote it: 0.9 rather than 0.9000000000000001."""
    return f"{round(x, 9):.10g}"


# -- strings --------------------------------------------------------------------------------------


def _char_name(ch: str) -> str:
    names = {"\x1b": "ESC", "\r": "carriage return", "\x7f": "DEL", "\x00": "NUL"}
    return f"U+{ord(ch):04X}" + (f" ({names[ch]})" if ch in names else "")


def plain_text(value: str) -> str:
    """Refuse control characters (other than newline and tab) and lone surrogates.

    Text is kept literally, markup and all (the UI escapes it), but a control character such as
    ESC could make a terminal run an escape sequence, so a level may not carry one.
    """
    for position, ch in enumerate(value, 1):
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cs"):
            raise PydanticCustomError(
                "control_character",
                "contains the control character {char} at character {position};"
                " level text must be plain (no terminal escape codes)",
                {"char": _char_name(ch), "position": position},
            )
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise PydanticCustomError("one_line", "must be one line of text (no newline or tab)")
    return value


Briefing = Annotated[str, Field(max_length=MAX_BRIEFING), AfterValidator(plain_text)]
Sentence = Annotated[
    str, Field(max_length=MAX_TEXT), AfterValidator(plain_text), AfterValidator(_one_line)
]
Title = Annotated[
    str,
    Field(min_length=1, max_length=MAX_TITLE),
    AfterValidator(plain_text),
    AfterValidator(_one_line),
]
Id = Annotated[str, Field(min_length=1, max_length=MAX_ID, pattern=r"^[a-z0-9-]+$")]
IdOrEmpty = Annotated[str, Field(max_length=MAX_ID, pattern=r"^[a-z0-9-]*$")]

# -- numbers --------------------------------------------------------------------------------------

Finite = Annotated[float, Field(allow_inf_nan=False)]
Tick = Annotated[int, Strict(), Field(ge=0, le=catalog.MAX_TICKS)]
Rate = Annotated[float, Strict(), Field(ge=0, le=catalog.MAX_RPS, allow_inf_nan=False)]
Line = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
# TOML arrays arrive as lists; a tuple type is validated leniently as a whole (list -> tuple)
# while its items stay strict.
Point = Annotated[tuple[Tick, Rate], Strict(False)]
StarLines = Annotated[tuple[Line, Line, Line], Strict(False)]

KindName = Literal[tuple(catalog.KINDS)]  # type: ignore[valid-type]
SizeName = Literal[catalog.SIZES]  # type: ignore[valid-type]
Unlockable = Literal[ADDABLE + VERBS]  # type: ignore[valid-type]


class FileModel(BaseModel):
    """A table of a file: unknown keys are errors, types are strict (300.0 is not an integer)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# -- the level file -------------------------------------------------------------------------------


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
        _raise_if(problems)
        return self


class IncidentTable(FileModel):
    """A scheduled failure of one component of the starting build."""

    tick: Tick
    target: Id


class FailuresTable(FileModel):
    """Random failures, drawn from seeded per-component streams."""

    random: bool = engine_default(RandomFailures, "enabled")
    mtbf_scale: Annotated[Finite, Field(gt=0, le=1e6)] = engine_default(
        RandomFailures, "mtbf_scale"
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
        _raise_if(problems)
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
    seed: Annotated[int, Field(ge=0, le=MAX_INT)] = engine_default(Scenario, "seed")
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
    traffic: TrafficTable
    incidents: list[IncidentTable] = Field(default_factory=list, max_length=MAX_INCIDENTS)
    failures: FailuresTable = FailuresTable()
    objectives: ObjectivesTable | None = Field(  # type: ignore[valid-type]
        None, description="omitted: the engine's default objectives"
    )

    def component_ids(self) -> list[str]:
        """The ids the engine gives the starting build, in file order."""
        return start_ids((part.kind, part.id) for part in self.start)

    @model_validator(mode="after")
    def _fits_together(self) -> LevelFile:
        problems: list[tuple[tuple[str | int, ...], str, str]] = []
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
        counts: dict[str, int] = {}
        for i, part in enumerate(self.start):
            counts[part.kind] = counts.get(part.kind, 0) + 1
            limit = catalog.KINDS[part.kind].limit
            if counts[part.kind] == limit + 1:
                problems.append(
                    (
                        ("start", i, "kind"),
                        f"more than {limit} {part.kind} in the starting build",
                        f"a site may have at most {limit}",
                    )
                )

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

        known = set(ids)
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
        _raise_if(problems)
        return self


def suggest(word: str, choices: Sequence[str], noun: str = "choices") -> str:
    """'did you mean "x"?' for the nearest choice, else the list of choices."""
    close = (
        difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
        if isinstance(word, str)
        else []
    )
    if close:
        return f'did you mean "{close[0]}"?'
    shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f"{noun}: {shown}" if choices else ""


# -- the plan file --------------------------------------------------------------------------------


def _setting_value(value: object) -> str | float | bool:
    """A configure value: a number, a string or a boolean, as one clear error if it is none."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        try:
            as_float = float(value)
        except OverflowError:
            as_float = float("inf")
        if as_float != as_float or as_float in (float("inf"), float("-inf")):
            raise PydanticCustomError("finite_number", "must be a finite number")
        return as_float
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise PydanticCustomError(
                "string_too_long", "is longer than {max} characters", {"max": MAX_TEXT}
            )
        return plain_text(value)
    raise PydanticCustomError("setting_value", "expected a number, a string or true/false")


SettingValue = Annotated[
    str | bool | float,
    PlainValidator(_setting_value, json_schema_input_type=str | bool | float),
]


class _Step(FileModel):
    tick: Annotated[int, Field(ge=0, le=MAX_INT)]


class AddStep(_Step):
    do: Literal["add"]
    kind: Literal[ADDABLE]  # type: ignore[valid-type]
    size: SizeName = engine_default(Action, "size")


class RemoveStep(_Step):
    do: Literal["remove"]
    target: Id


class ResizeStep(_Step):
    do: Literal["resize"]
    target: Id
    size: SizeName


class PromoteStep(_Step):
    do: Literal["promote"]
    target: Id


class ConfigureStep(_Step):
    do: Literal["configure"]
    target: Literal[tuple(CONFIGURABLE)]  # type: ignore[valid-type]
    setting: Annotated[str, Field(max_length=MAX_ID)]
    value: SettingValue

    @model_validator(mode="after")
    def _setting_of_target(self) -> ConfigureStep:
        settings = CONFIGURABLE[self.target]
        if self.setting not in settings:
            raise FieldProblems(
                [
                    (
                        ("setting",),
                        f"{self.target} has no setting {quote(self.setting)}",
                        suggest(self.setting, settings, f"{self.target} settings"),
                    )
                ]
            )
        return self


STEPS = (AddStep, RemoveStep, ResizeStep, ConfigureStep, PromoteStep)
if {step.model_fields["do"].annotation.__args__[0] for step in STEPS} != set(VERBS):
    raise RuntimeError("every engine verb needs a plan step model, and only those")

PlanStep = Annotated[Union[STEPS], Field(discriminator="do")]  # type: ignore[valid-type]  # noqa: UP007


class ExpectTable(FileModel):
    """What a solution must achieve: an exact star count, or (a counter-solution) a failure."""

    stars: Annotated[int, Strict(), Field(ge=0, le=3)] | None = None
    passed: Literal[False] | None = Field(
        None, description="false: a counter-solution, which must fail without its lesson"
    )

    @model_validator(mode="after")
    def _one_expectation(self) -> ExpectTable:
        if (self.stars is None) == (self.passed is None):
            raise FieldProblems([((), "give exactly one of stars = N or passed = false", "")])
        return self


class _ScoresBase(FileModel):
    """What a recorded run scored: the claim a solution file makes, checked by re-simulating.

    The values are the engine's scores (game.engine.metrics.METRICS) of the run on the plan's
    seed, written with every digit (TOML keeps a float's repr), and the stars they earned.
    """

    stars: Annotated[int, Strict(), Field(ge=0, le=3)] | None = Field(
        None, description="the stars the run earned (0: it failed)"
    )

    def claimed(self) -> dict[str, float]:
        """The claimed metrics, in METRICS order (stars apart)."""
        return {m: getattr(self, m) for m in METRICS if getattr(self, m) is not None}


ScoresTable = create_model(  # one optional claimed score per engine metric, plus stars
    "ScoresTable",
    __base__=_ScoresBase,
    __doc__=_ScoresBase.__doc__,
    __module__=__name__,
    **{
        metric: (
            Annotated[
                Finite,
                Field(ge=0, le=1 if METRICS[metric].share else None),
            ]
            | None,
            Field(None, description=f"the run's {metric}"),
        )
        for metric in METRICS
    },
)


class PlanFile(FileModel):
    """A plan: timed actions, applied at their ticks in file order.

    A solution in a pack is a plan that also names its level and says what it must achieve.
    A recorded solution also says what it scored ([scores], on `seed`), so a replay can check it.
    """

    level: Id | None = Field(None, description="the level this solution plays")
    pack: Id | None = Field(None, description="the id of the pack the level belongs to")
    name: Id | None = Field(None, description="the solution's name, e.g. reference")
    lesson: Id | None = Field(
        None, description="a counter-solution: the concept it withholds, which makes it fail"
    )
    note: Sentence = Field("", description="one line on what the solution does")
    seed: Annotated[int, Strict(), Field(ge=0, le=MAX_INT)] | None = Field(
        None, description="the seed the scores were recorded on; omitted: the level's seed"
    )
    expect: ExpectTable | None = None
    scores: ScoresTable | None = Field(  # type: ignore[valid-type]
        None, description="the scores a recorded run of these actions claims"
    )
    actions: list[PlanStep] = Field(default_factory=list, max_length=MAX_ACTIONS)

    @model_validator(mode="after")
    def _lesson_for_counter(self) -> PlanFile:
        counter = self.expect is not None and self.expect.passed is False
        if counter and not self.lesson:
            raise FieldProblems(
                [(("lesson",), "a counter-solution must name the lesson it withholds", "")]
            )
        return self


# -- packs ------------------------------------------------------------------------------------

PACK_FORMAT = 1
MAX_PACK_LEVELS = 100
MAX_PACK_BYTES = 64 * 1024
Version = Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+){0,2}$", max_length=20)]


class PackFile(FileModel):
    """pack.toml: what the pack is and the order of its levels (each is `<id>.toml` beside it)."""

    id: Id
    title: Title
    author: Title
    version: Version = Field(description="e.g. 1.0.0")
    format: Literal[1] = Field(description="the pack format version this game reads")
    description: Briefing = ""
    levels: list[Id] = Field(min_length=1, max_length=MAX_PACK_LEVELS)

    @model_validator(mode="after")
    def _levels_once(self) -> PackFile:
        seen: set[str] = set()
        problems = []
        for i, level in enumerate(self.levels):
            if level in seen:
                problems.append((("levels", i), f"level {quote(level)} is listed twice", ""))
            seen.add(level)
        _raise_if(problems)
        return self


class CodexFile(FileModel):
    """codex/<id>.toml: one concept, in the game's words; {{placeholders}} read the catalog."""

    id: Id
    title: Title
    text: Briefing = Field(min_length=1)
