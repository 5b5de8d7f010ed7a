"""The plan file: timed actions, one table per verb; a solution is a plan that also names its
level, what it must achieve ([expect]) and what a recorded run scored ([scores])."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal, Union

from pydantic import Field, PlainValidator, Strict, create_model, model_validator
from pydantic_core import PydanticCustomError

from game.content.errors import quote, suggest
from game.content.schema.fields import (
    MAX_ACTIONS,
    MAX_ID,
    MAX_INT,
    MAX_SEED,
    MAX_TEXT,
    AddableName,
    FieldProblems,
    FileModel,
    Finite,
    Id,
    Sentence,
    SizeName,
    Stars,
    engine_default,
    plain_text,
)
from game.engine import catalog
from game.engine.actions import CONFIGURABLE, Action, ScaleRule
from game.engine.metrics import METRICS
from game.engine.scenario import VERBS


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
    kind: AddableName
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


def _whole(low: int, high: int) -> Any:
    return Annotated[int, Strict(), Field(ge=low, le=high)]


class RuleStep(_Step):
    """Set a pool's scale rule (the fields of game.engine.actions.ScaleRule), or clear it."""

    do: Literal["rule"]
    kind: Literal[catalog.RULE_POOLS]  # type: ignore[valid-type]
    clear: bool = Field(False, description="true: the pool's rule stops (the rest is ignored)")
    size: SizeName = engine_default(ScaleRule, "size")
    above: _whole(1, 100) = engine_default(ScaleRule, "above")  # type: ignore[valid-type]
    for_s: _whole(1, catalog.RULE_MAX_WINDOW_S) = engine_default(ScaleRule, "for_s")  # type: ignore[valid-type]
    most: _whole(1, MAX_INT) = engine_default(ScaleRule, "most")  # type: ignore[valid-type]
    below: _whole(0, 99) = engine_default(ScaleRule, "below")  # type: ignore[valid-type]
    least: _whole(1, MAX_INT) = engine_default(ScaleRule, "least")  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _lines_in_order(self) -> RuleStep:
        problems = []
        if self.below >= self.above:
            problems.append((("below",), "must be under `above`, or 0 to never remove", ""))
        if self.least > self.most:
            problems.append((("least",), "must be no more than `most`", ""))
        if problems and not self.clear:
            raise FieldProblems(problems)
        return self

    def action(self) -> Action:
        """The engine's move."""
        if self.clear:
            return Action(self.tick, "rule", kind=self.kind)
        fields = self.model_dump(include={"size", "above", "for_s", "most", "below", "least"})
        return Action(self.tick, "rule", kind=self.kind, rule=ScaleRule(**fields))


def rule_step(action: Action) -> dict[str, Any]:
    """A rule move as a plan step's fields (the reverse of `RuleStep.action`)."""
    step: dict[str, Any] = {"tick": action.tick, "do": "rule", "kind": action.kind}
    if action.rule is None:
        return step | {"clear": True}
    return step | asdict(action.rule)


STEPS = (AddStep, RemoveStep, ResizeStep, ConfigureStep, PromoteStep, RuleStep)
if {step.model_fields["do"].annotation.__args__[0] for step in STEPS} != set(VERBS):
    raise RuntimeError("every engine verb needs a plan step model, and only those")

PlanStep = Annotated[Union[STEPS], Field(discriminator="do")]  # type: ignore[valid-type]  # noqa: UP007


class ExpectTable(FileModel):
    """What a solution must achieve: an exact star count, or (a counter-solution) a failure."""

    stars: Stars | None = None
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

    stars: Stars | None = Field(None, description="the stars the run earned (0: it failed)")

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
    seed: Annotated[int, Strict(), Field(ge=0, le=MAX_SEED)] | None = Field(
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
