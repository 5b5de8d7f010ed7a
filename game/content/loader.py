"""Loading level and plan files: TOML in, engine dataclasses out, or a LevelError that says why.

The steps, each in its own module: reading (a bounded read, UTF-8, TOML parsed into plain data),
the file formats (game.content.schema), the wording of what they refuse, the line each problem
is on (field_lines), and the engine objects a valid file becomes (engine_objects). Whatever goes
wrong on the way, expected or not, reaches the caller as a LevelError whose problems carry a
field path and a line number.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from game.content.engine_objects import actions_of, scenario_of
from game.content.errors import LevelError, Problem
from game.content.field_lines import field_lines
from game.content.reading import as_level_error, decode, parse_toml, read_bounded
from game.content.schema import MAX_LEVEL_BYTES, MAX_PLAN_BYTES, FieldProblems, LevelFile, PlanFile
from game.content.wording import Found, field_path, problems_of
from game.engine.actions import Action
from game.engine.scenario import Scenario

__all__ = [
    "level_json_schema",
    "load_file",
    "load_level",
    "load_plan",
    "load_plan_file",
    "parse_file",
    "parse_level",
    "parse_plan",
    "parse_plan_file",
]

M = TypeVar("M", bound=BaseModel)


def load_level(path: str | os.PathLike[str]) -> tuple[LevelFile, Scenario]:
    """Read, validate and build a level file."""
    source = os.fspath(path)
    return parse_level(read_bounded(source, MAX_LEVEL_BYTES, "a level"), source)


def parse_level(text: str | bytes, source: str = "<level>") -> tuple[LevelFile, Scenario]:
    """Validate and build a level from its TOML text (or undecoded bytes)."""
    with as_level_error(source):
        text = decode(text, source, MAX_LEVEL_BYTES, "a level")
        level = _validate(LevelFile, parse_toml(text, source), text, source)
        try:
            scenario = scenario_of(level)
        except FieldProblems as found:
            raise _placed(source, text, found.problems) from None
        return level, scenario


def load_plan(path: str | os.PathLike[str]) -> tuple[Action, ...]:
    """Read and validate a plan file of timed actions."""
    return load_plan_file(path)[1]


def load_plan_file(path: str | os.PathLike[str]) -> tuple[PlanFile, tuple[Action, ...]]:
    """Read a plan or solution file: the validated file and its engine Actions."""
    source = os.fspath(path)
    return parse_plan_file(read_bounded(source, MAX_PLAN_BYTES, "a plan"), source)


def parse_plan(text: str | bytes, source: str = "<plan>") -> tuple[Action, ...]:
    """Validate a plan's TOML text into engine Actions, in file order."""
    return parse_plan_file(text, source)[1]


def parse_plan_file(
    text: str | bytes, source: str = "<plan>"
) -> tuple[PlanFile, tuple[Action, ...]]:
    """Validate a plan's TOML text: the file (with a solution's expectation) and its Actions.

    Only the shape is checked (each verb's keys and their types); whether an action makes sense
    at its tick (budget, a target that exists by then) is the engine's call when it runs.
    """
    with as_level_error(source):
        text = decode(text, source, MAX_PLAN_BYTES, "a plan")
        plan = _validate(PlanFile, parse_toml(text, source), text, source)
        return plan, actions_of(plan)


def load_file(model: type[M], path: str | os.PathLike[str], limit: int, what: str) -> M:
    """Read and validate any small TOML file of the pack format (pack.toml, codex entries)."""
    source = os.fspath(path)
    return parse_file(model, read_bounded(source, limit, what), source, limit, what)


def parse_file(model: type[M], text: str | bytes, source: str, limit: int, what: str) -> M:
    """Validate the TOML text of any file of the pack format as `model`."""
    with as_level_error(source):
        text = decode(text, source, limit, what)
        return _validate(model, parse_toml(text, source), text, source)


def level_json_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of a level file, as the TOML parses into JSON-like data.

    It states types, bounds and allowed names; the cross-field rules (mix sums to 1, incident
    targets exist, ...) are only enforced by the loader.
    """
    schema = LevelFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _validate(model: type[M], data: dict[str, Any], text: str, source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _placed(source, text, problems_of(model, error)) from None


def _placed(source: str, text: str, found: Sequence[Found]) -> LevelError:
    """The problems with their files, field paths and lines, in file order (no line: last)."""
    lines = field_lines(text, [loc for loc, _, _ in found])
    problems = [
        Problem(source, field_path(loc), line, message, hint)
        for (loc, message, hint), line in zip(found, lines)
    ]
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return LevelError(problems)
