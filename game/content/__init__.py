"""Level packs: the file formats, loading and (later) checking. Imports only game.engine."""

from game.content.errors import LevelError, Problem
from game.content.loader import (
    level_json_schema,
    load_level,
    load_plan,
    parse_level,
    parse_plan,
)
from game.content.schema import LevelFile, PlanFile

__all__ = [
    "LevelError",
    "LevelFile",
    "PlanFile",
    "Problem",
    "level_json_schema",
    "load_level",
    "load_plan",
    "parse_level",
    "parse_plan",
]
