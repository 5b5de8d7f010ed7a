"""The field-to-line finder: the line each field is written on, in one pass over the file."""

from __future__ import annotations

import tomllib
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.content.field_lines import field_line, field_lines

LOCATOR_TEXT = '''\
id = "x"  # [not] a = header
notes = """
[traffic]
duration = 5
"""
quoted = 'a "b" = [c]'

[traffic]
curve = "linear"
points = [
    [0, 1.0],  # [[start]]
    [10, "x"],
]
mix.read = 0.5
spikes = [{ start = 1 }, { start = 2 }]

[[start]]
kind = "box"

[[start]]
kind = "web"
size = "M"

[ "odd key" . inner ]
x = 1

[[a]]
[[a.b]]
y = 1
[[a.b]]
y = 2
[[a]]
[[a.b]]
y = 3
'''


@pytest.mark.parametrize(
    "path, line",
    [
        (("id",), 1),
        (("notes",), 2),
        (("traffic",), 8),
        (("duration",), None),  # only inside a multi-line string
        (("traffic", "curve"), 9),
        (("traffic", "points"), 10),
        (("traffic", "points", 1), 12),
        (("traffic", "points", 1, 1), 12),
        (("traffic", "mix", "read"), 14),
        (("traffic", "mix", "static"), 14),  # not written: the table's line
        (("traffic", "spikes", 1, "start"), 15),
        (("traffic", "wave_period"), 8),  # not written: the [traffic] header
        (("start", 0, "kind"), 18),
        (("start", 1), 20),
        (("start", 1, "size"), 22),
        (("start", 1, "id"), 20),
        (("start",), 17),
        (("odd key", "inner", "x"), 25),
        (("a", 0, "b", 1, "y"), 31),
        (("a", 1, "b", 0, "y"), 34),
        (("seed",), None),
        ((), None),
    ],
)
def test_field_line(path: tuple, line: int | None) -> None:
    tomllib.loads(LOCATOR_TEXT)  # the locator works on valid TOML
    assert field_line(LOCATOR_TEXT, path) == line


def test_many_fields_are_found_in_one_pass() -> None:
    paths = [
        ("traffic", "points", 1, 1),
        ("start", 1, "size"),
        ("a", 1, "b", 0, "y"),
        ("seed",),
        ("start", 1, "size"),  # asked twice
    ]
    assert field_lines(LOCATOR_TEXT, paths) == [field_line(LOCATOR_TEXT, p) for p in paths]
    assert field_lines(LOCATOR_TEXT, []) == []


def test_a_table_below_a_new_array_table_belongs_to_that_table() -> None:
    text = "[[a]]\n[[a.b]]\nx = 1\n[[a]]\n[a.b.c]\nx = 2\n"
    assert tomllib.loads(text)["a"][1]["b"]["c"]["x"] == 2
    assert field_line(text, ("a", 1, "b", "c", "x")) == 6
    assert field_line(text, ("a", 0, "b", 0, "x")) == 3


# -- any document: every field written is found on its line ---------------------------------------

# (value, line offsets of its array's elements)
VALUES = [
    ("1", []),
    ('"a # [b] = c"', []),
    ("'lit \"q\" [x] = 1'", []),
    ('"""\nk = 2\n[fake]\n"""', []),
    ("'''\n[[start]]\n'''", []),
    ("[\n  1,\n  [2, 3],  # ]\n]", [1, 2]),
    ('{ a = 1, b.c = "}" }', []),
    ('[{ a = 1 }, { a = "]" }]', [0, 0]),
]
KEYS = [
    lambda n: (f"k{n}", (f"k{n}",)),
    lambda n: (f'"k.{n} = #"', (f"k.{n} = #",)),
    lambda n: (f"d{n}.k", (f"d{n}", "k")),
    lambda n: (f"'q{n}' . \"r\"", (f"q{n}", "r")),
]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[tuple[Any, ...], int]]:
    """A TOML document of tables, arrays of tables, dotted and quoted keys and tricky values,
    with the line each of its fields is written on."""
    lines: list[str] = []
    written: dict[tuple[Any, ...], int] = {}
    names = iter(range(1_000_000))

    def emit(text: str) -> int:
        lines.extend(text.split("\n"))
        return len(lines) - text.count("\n")

    def keys_of(table: tuple[Any, ...]) -> None:
        for _ in range(draw(st.integers(0, 3))):
            key, parts = draw(st.sampled_from(KEYS))(next(names))
            value, elements = draw(st.sampled_from(VALUES))
            comment = draw(st.sampled_from(["", "  # x = [y]"]))
            line = emit(f"{key} = {value}{comment}")
            written[table + parts] = line
            for i, offset in enumerate(elements):
                written[table + parts + (i,)] = line + offset
            if draw(st.booleans()):
                emit(draw(st.sampled_from(["", "# [not.a.header]", "  "])))

    keys_of(())
    arrays = 0
    items: dict[int, int] = {}
    for _ in range(draw(st.integers(0, 5))):
        kind, n = draw(st.sampled_from(["table", "subtable", "array", "items"])), next(names)
        if kind == "table":
            header, table = f"[t{n}]", (f"t{n}",)
        elif kind == "subtable":
            header, table = f'[ t{n} . "s s" ]  # [x]', (f"t{n}", "s s")
        elif kind == "array" or not arrays:
            header, table = "[[arr]]", ("arr", arrays)
            arrays += 1
        else:
            j = items.get(arrays - 1, 0)
            items[arrays - 1] = j + 1
            header, table = "[[arr.items]]", ("arr", arrays - 1, "items", j)
        written[table] = emit(header)
        written[table + ("not written",)] = written[table]  # falls back to its header
        keys_of(table)
    return "\n".join(lines) + "\n", written


def _has(data: Any, path: tuple[Any, ...]) -> bool:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(documents())
def test_every_field_written_is_found_on_its_line(
    document: tuple[str, dict[tuple[Any, ...], int]],
) -> None:
    text, written = document
    data = tomllib.loads(text)
    assert all(_has(data, path) for path in written if path[-1] != "not written")
    assert field_lines(text, list(written)) == list(written.values())


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("[]{}=\".,#\\\n \tab0'"), max_size=300),
    st.lists(st.lists(st.sampled_from(["a", "b", 0, 1]), max_size=4), max_size=4),
)
def test_any_text_gives_a_line_or_none(text: str, paths: list[list[str | int]]) -> None:
    for line in field_lines(text, paths):
        assert line is None or 1 <= line <= text.count("\n") + 1


# -- work that grows with the file ----------------------------------------------------------------


def peak_memory(call: Callable[[], Any]) -> tuple[Any, int]:
    """What `call` returns and the most memory it held at once, in bytes."""
    tracemalloc.start()
    try:
        return call(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("parts", [10_000, 50_000])
def test_a_huge_header_is_one_pass_in_little_memory(parts: int) -> None:
    """The old finder noted every prefix of every header: 386 MiB for 10,000 parts, 9 GiB and
    two minutes for 50,000. Now memory does not grow with the header at all."""
    text = (
        "x = [\n" + "1,\n" * 1000 + "]\n"
        + "[" + ".".join(["a"] * parts) + "]\n"
        + "k = 1\n"
        + "y = [" + "2, " * 1000 + "]\n"
    )  # fmt: skip
    header = 1000 + 3
    asked = [("x", 999), ("a",), ("a", "a", "k"), ("seed",), ("a",) * parts + ("k",)]
    lines, peak = peak_memory(lambda: field_lines(text, asked[:4]))
    assert lines == [1001, header, header, None]
    assert peak < 64 * 1024
    assert field_line(text, asked[4]) == header + 1  # a path as deep as the header is found too


def test_many_problems_are_one_pass() -> None:
    """2,000 actions, each asked about: one pass, memory for the asked paths only."""
    text = "".join(f'[[actions]]\ntick = {i}\ndo = "add"\n' for i in range(2_000))
    asked = [("actions", i, "kind") for i in range(2_000)]
    lines, peak = peak_memory(lambda: field_lines(text, asked))
    assert lines == [3 * i + 1 for i in range(2_000)]
    assert peak < 1000 * len(asked)
