"""What is wrong with a level or plan file, said so that its author can fix it.

A `LevelError` carries every problem found, each pinned to a file, a field path such as
`traffic.mix.read` or `start[2].size`, and a line when one can be found. `str(error)` prints one
line per problem, compiler style:

    levels/core/launch.toml:14: traffic.mix: shares sum to 0.9, expected 1 (static 0.2 + ...)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_SHOWN = 50  # problems printed before "... and N more"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file."""

    file: str  # the path as the caller gave it
    field: str  # dotted path into the file, "" for the file as a whole
    line: int | None  # 1-based, None when the field has no line of its own
    message: str
    hint: str = ""  # what to do about it, e.g. 'did you mean "mix"?'

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        hint = f"; {self.hint}" if self.hint else ""
        return printable(f"{where}:{field} {self.message}{hint}")


def quote(text: str, limit: int = 40) -> str:
    """A string in double quotes, shortened, with unprintable characters escaped."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return '"' + printable(short.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def number(x: float) -> str:
    """A number as an author wrote it: 0.9 rather than 0.9000000000000001."""
    return f"{round(x, 9):.10g}"


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


def printable(text: str) -> str:
    """Text with every unprintable character (ESC, newline, ...) escaped, safe for a terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


class LevelError(Exception):
    """A level or plan file that cannot be loaded, with every problem found in it."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        if not self.problems:
            raise ValueError("a LevelError needs at least one problem")
        super().__init__(self.problems[0].message)

    @classmethod
    def single(
        cls, file: str, message: str, *, field: str = "", line: int | None = None, hint: str = ""
    ) -> LevelError:
        return cls([Problem(file, field, line, message, hint)])

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:
            lines.append(f"... and {len(self.problems) - MAX_SHOWN} more problems")
        return "\n".join(lines)
