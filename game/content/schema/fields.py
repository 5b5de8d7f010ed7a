"""The field types every file format shares: bounds, text, numbers and the engine's names.

Defaults are read from the engine's dataclasses and bounds from the catalog, so a file format
can never disagree with the simulation about them. Units are in the key names: `*_s` seconds,
`*_ms` milliseconds; ticks are simulated seconds.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

from game.content.visible import is_unsafe
from game.engine import catalog
from game.engine.scenario import ADDABLE, FEATURES, VERBS

# Bounds of a file, so that an untrusted one stays small and a run stays finite.
MAX_LEVEL_BYTES = 256 * 1024
MAX_PLAN_BYTES = 1024 * 1024  # 10,000 actions of ~60-90 bytes each do not fit in 256 KiB
MAX_KEY_PARTS = 8  # a.b.c: no table of any format nests nearly as deep
MAX_START = 200
MAX_POINTS = 100
MAX_SPIKES = 50
MAX_INCIDENTS = 100
MAX_ACTIONS = 10_000
MAX_ID = 40
MAX_TITLE = 60
MAX_TEXT = 200  # a configure action's string value
MAX_BRIEFING = 4000  # characters of Markdown: a few short paragraphs
# Markdown a screen draws at once stays small: each heading and table row is a widget of its own
# (900 headings took a screen 6-13 s to show).
MAX_MARKDOWN_LINES = 120
MAX_HEADINGS = 12
MAX_TABLE_ROWS = 30
MAX_CONCEPTS = 8
MAX_INT = 2**63 - 1  # TOML integers are 64-bit
MAX_SEED = catalog.MAX_SEED

Loc = tuple[str | int, ...]


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

    def __init__(self, problems: Iterable[tuple[Loc, str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(message for _, message, _ in self.problems))


def raise_if(problems: list[tuple[Loc, str, str]]) -> None:
    if problems:
        raise FieldProblems(problems)


class FileModel(BaseModel):
    """A table of a file: unknown keys are errors, types are strict (300.0 is not an integer)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# -- text -----------------------------------------------------------------------------------------


def _char_name(ch: str) -> str:
    names = {"\x1b": "ESC", "\r": "carriage return", "\x7f": "DEL", "\x00": "NUL"}
    name = names.get(ch) or unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def plain_text(value: str) -> str:
    """Refuse control characters (other than newline and tab), bidi controls, invisible format
    characters (zero-width space, ...), line separators and lone surrogates.

    Text is kept literally, markup and all (the UI escapes it), but ESC could make a terminal
    run an escape sequence, and a bidi override or an invisible character makes text read
    other than it is, so a level may carry none of them.
    """
    for position, ch in enumerate(value, 1):
        if ch not in "\n\t" and is_unsafe(ch):
            kind = "control" if unicodedata.category(ch) == "Cc" else "invisible or bidi"
            raise PydanticCustomError(
                "control_character",
                "contains the {kind} character {char} at character {position};"
                " level text must be plain (no terminal escape codes, no bidi or invisible"
                " characters)",
                {"kind": kind, "char": _char_name(ch), "position": position},
            )
    return value


_HEADING = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t].*)?|=+[ \t]*|-+[ \t]*)$", re.MULTILINE)
_TABLE_ROW = re.compile(r"^[ \t]*\|", re.MULTILINE)


def _small_markdown(value: str) -> str:
    """Refuse Markdown with more lines, headings or table rows than a screen shows at once."""
    for count, most, what in (
        (len(_HEADING.findall(value)), MAX_HEADINGS, "headings"),
        (len(_TABLE_ROW.findall(value)), MAX_TABLE_ROWS, "table rows"),
        (value.count("\n") + 1, MAX_MARKDOWN_LINES, "lines"),
    ):
        if count > most:
            raise PydanticCustomError(
                "markdown_too_large",
                "has {count} {what}, more than the {most} a text may have;"
                " keep it to a few short paragraphs",
                {"count": count, "what": what, "most": most},
            )
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise PydanticCustomError("one_line", "must be one line of text (no newline or tab)")
    return value


Briefing = Annotated[
    str,
    Field(max_length=MAX_BRIEFING),
    AfterValidator(plain_text),
    AfterValidator(_small_markdown),
]
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
Stars = Annotated[int, Strict(), Field(ge=0, le=3)]

# -- the engine's names ---------------------------------------------------------------------------

KindName = Literal[tuple(catalog.KINDS)]  # type: ignore[valid-type]
SizeName = Literal[catalog.SIZES]  # type: ignore[valid-type]
AddableName = Literal[ADDABLE]  # type: ignore[valid-type]
Unlockable = Literal[ADDABLE + VERBS + FEATURES]  # type: ignore[valid-type]
