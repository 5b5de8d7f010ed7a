"""A shipped level's text, edited for a test: the Scenario it makes, the line a needle is on,
and what a bad edit gets (a LevelError saying where and why, never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.content.errors import LevelError, Problem
from game.content.loader import parse_level
from game.engine.scenario import Scenario

ROOT = Path(__file__).parents[2]


class LevelText:
    """The text of the level at `source` (a path from the repository's root)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.text = (ROOT / source).read_text(encoding="utf-8")

    def replaced(self, old: str, new: str) -> str:
        """The text with its first `old` (which it must hold) replaced by `new`."""
        assert old in self.text, old
        return self.text.replace(old, new, 1)

    def scenario(self, text: str | None = None) -> Scenario:
        found = parse_level(self.text if text is None else text, self.source)
        return next(x for x in found if isinstance(x, Scenario))

    def refusal(self, text: str) -> LevelError:
        """The LevelError `text` gets; its words never hold a traceback."""
        with pytest.raises(LevelError) as error:
            parse_level(text, self.source)
        assert "Traceback" not in str(error.value)
        return error.value

    def one_problem(self, text: str) -> tuple[Problem, str]:
        """The one problem `text` has (in this level's file) and the refusal's words."""
        error = self.refusal(text)
        assert len(error.problems) == 1, str(error)
        problem = error.problems[0]
        assert problem.file == self.source
        return problem, str(error)


def line_of(text: str, needle: str) -> int:
    """The number (from 1) of the first line of `text` holding `needle`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)
