"""The file formats of a pack, declared once as pydantic models.

fields: the bounds and field types every format shares (text, numbers, the engine's names);
level: the level file; plan: the plan and solution file; pack: pack.toml and codex entries.
The loader only parses TOML, runs these models and turns their errors into messages with lines.
"""

from game.content.schema.fields import (
    MAX_ACTIONS,
    MAX_BRIEFING,
    MAX_CONCEPTS,
    MAX_ID,
    MAX_INCIDENTS,
    MAX_INT,
    MAX_KEY_PARTS,
    MAX_LEVEL_BYTES,
    MAX_PLAN_BYTES,
    MAX_POINTS,
    MAX_SEED,
    MAX_SPIKES,
    MAX_START,
    MAX_TEXT,
    MAX_TITLE,
    FieldProblems,
    FileModel,
    Id,
)
from game.content.schema.level import LevelFile
from game.content.schema.pack import (
    MAX_PACK_BYTES,
    MAX_PACK_LEVELS,
    PACK_FORMAT,
    CodexFile,
    PackFile,
)
from game.content.schema.plan import STEPS, PlanFile

__all__ = [
    "MAX_ACTIONS",
    "MAX_BRIEFING",
    "MAX_CONCEPTS",
    "MAX_ID",
    "MAX_INCIDENTS",
    "MAX_INT",
    "MAX_SEED",
    "MAX_KEY_PARTS",
    "MAX_LEVEL_BYTES",
    "MAX_PACK_BYTES",
    "MAX_PACK_LEVELS",
    "MAX_PLAN_BYTES",
    "MAX_POINTS",
    "MAX_SPIKES",
    "MAX_START",
    "MAX_TEXT",
    "MAX_TITLE",
    "PACK_FORMAT",
    "STEPS",
    "CodexFile",
    "FieldProblems",
    "FileModel",
    "Id",
    "LevelFile",
    "PackFile",
    "PlanFile",
]
