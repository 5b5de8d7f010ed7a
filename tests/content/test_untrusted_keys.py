"""Long dotted keys cost work in proportion to the file, never to the square of a key's parts.

Nothing here is timed. The key bound is proven by the input tomllib gets: a header of 50,000
parts never reaches it (its work grows with the square of the parts; before the bound it got
the whole file). The work of the line finder and of the bound's own scan is counted as the
Python lines they run (sys.settrace) for headers of 1,000 and 50,000 parts: about as many for
bare parts (matched at once), in proportion to the parts for quoted ones (read one by one).
The memory side (the old finder noted every prefix of a header: 9 GiB for 50,000 parts) is
test_field_lines.test_a_huge_header_is_one_pass_in_little_memory.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from game.content import reading
from game.content.errors import LevelError
from game.content.field_lines import field_lines
from game.content.reading import parse_toml
from game.content.schema import MAX_KEY_PARTS


def lines_run(call: Callable[[], Any]) -> int:
    """How many lines of Python `call` runs (in any function it calls)."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        call()
    except LevelError:
        pass
    finally:
        sys.settrace(None)
    return count


def header(parts: int, part: str = "a") -> str:
    return 'title = "x"\n[' + ".".join([part] * parts) + "]\nk = 1\n"


ASKED = [("title",), ("a", "a", "k"), ("a",) * 20 + ("k",)]


@pytest.mark.parametrize("part", ["a", '"a"', "'a'", "a . a"])
def test_the_line_finder_is_linear_in_the_parts_of_a_header(part: str) -> None:
    small = lines_run(lambda: field_lines(header(1_000, part), ASKED))
    large = lines_run(lambda: field_lines(header(50_000, part), ASKED))
    assert large <= 60 * small  # 50 times the parts: at most about 50 times the work
    assert field_lines(header(50_000, part), ASKED)[:2] == [1, 2]


@pytest.mark.parametrize("part", ["a", '"a"', "'a'"])
def test_a_header_of_50000_parts_is_refused_before_tomllib_in_linear_work(
    part: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    monkeypatch.setattr(reading.tomllib, "loads", lambda text: parsed.append(text) or {})
    small = lines_run(lambda: parse_toml(header(1_000, part), "f.toml"))
    large = lines_run(lambda: parse_toml(header(50_000, part), "f.toml"))
    assert parsed == []  # tomllib, whose work grows with the square of the parts, never ran
    assert large <= 60 * small
    with pytest.raises(LevelError) as error:
        parse_toml(header(50_000, part), "f.toml")
    [problem] = error.value.problems
    assert problem.line == 2
    assert problem.message == (
        f"the table header has 50000 dotted parts, more than the {MAX_KEY_PARTS} a key may have"
    )


def test_a_key_of_the_most_parts_reaches_tomllib() -> None:
    assert parse_toml(header(MAX_KEY_PARTS), "f.toml")["title"] == "x"
