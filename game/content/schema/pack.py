"""The pack's own files: pack.toml (what the pack is, its levels in order) and codex entries."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from game.content.errors import quote
from game.content.schema.fields import Briefing, FileModel, Id, Title, raise_if

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
    after: Id | None = Field(
        None,
        description="the id of a pack this one follows: listed after it, and opened once its"
        " last level is passed; omitted: open from the start",
    )

    @model_validator(mode="after")
    def _levels_once(self) -> PackFile:
        seen: set[str] = set()
        problems = []
        for i, level in enumerate(self.levels):
            if level in seen:
                problems.append((("levels", i), f"level {quote(level)} is listed twice", ""))
            seen.add(level)
        if self.after == self.id:
            problems.append((("after",), "a pack cannot follow itself", "name another pack"))
        raise_if(problems)
        return self


class CodexFile(FileModel):
    """codex/<id>.toml: one concept, in the game's words; {{placeholders}} read the catalog."""

    id: Id
    title: Title
    text: Briefing = Field(min_length=1)
