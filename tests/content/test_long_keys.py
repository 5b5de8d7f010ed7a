"""Keys of many dotted parts: refused before tomllib, whose work grows with their square.

A 100 KB file with one header of 50,000 parts took two minutes and 9 GiB to load, most of it in
the line finder, and tomllib alone needs seconds for such a key. No table of any format nests
past a few levels, so a key of more than MAX_KEY_PARTS parts is refused with its line.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.content.errors import LevelError
from game.content.loader import parse_file, parse_level, parse_plan_file
from game.content.packs import load_pack
from game.content.reading import parse_toml
from game.content.scaffold import create_pack
from game.content.schema import (
    MAX_KEY_PARTS,
    MAX_LEVEL_BYTES,
    MAX_PACK_BYTES,
    CodexFile,
    PackFile,
)

DATA = Path(__file__).parent.parent / "data"
LEVEL = (DATA / "level_full.toml").read_text(encoding="utf-8")
PLAN = (DATA / "plan.toml").read_text(encoding="utf-8")
SOLUTION = 'level = "x"\nname = "reference"\n[expect]\nstars = 3\n' + PLAN
CODEX = 'id = "x"\ntitle = "X"\ntext = "some words"\n'
PACK = 'id = "x"\ntitle = "X"\nauthor = "A"\nversion = "1.0"\nformat = 1\nlevels = ["a"]\n'

FILES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "level": (LEVEL, lambda text: parse_level(text, "f.toml")),
    "plan": (PLAN, lambda text: parse_plan_file(text, "f.toml")),
    "solution": (SOLUTION, lambda text: parse_plan_file(text, "f.toml")),
    "codex": (
        CODEX,
        lambda text: parse_file(CodexFile, text, "f.toml", MAX_LEVEL_BYTES, "a codex entry"),
    ),
    "pack.toml": (
        PACK,
        lambda text: parse_file(PackFile, text, "f.toml", MAX_PACK_BYTES, "pack.toml"),
    ),
}


def dotted(parts: int) -> str:
    return ".".join(["a"] * parts)


def peak_memory(call: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        return call(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refusal(parse: Callable[[str], Any], text: str) -> LevelError:
    with pytest.raises(LevelError) as error:
        parse(text)
    return error.value


@pytest.mark.parametrize("parts", [10_000, 50_000])
@pytest.mark.parametrize("kind", FILES)
def test_a_huge_header_in_any_file_is_refused_with_its_line(kind: str, parts: int) -> None:
    base, parse = FILES[kind]
    text = base + f"\n[{dotted(parts)}]\nk = 1\n"
    error, peak = peak_memory(lambda: refusal(parse, text))
    [problem] = error.problems
    if kind == "pack.toml" and len(text) > MAX_PACK_BYTES:  # 50,000 parts are 98 KiB
        assert "more than the 64 KiB pack.toml may have" in problem.message
    else:
        assert problem.line == base.count("\n") + 2
        assert problem.message == (
            f"the table header has {parts} dotted parts,"
            f" more than the {MAX_KEY_PARTS} a key may have"
        )
    assert peak < 4 * len(text) + 64 * 1024  # a few copies of the text, nothing per part


def test_every_file_of_a_pack_is_checked(tmp_path: Path) -> None:
    root = tmp_path / "starter"
    create_pack(root)
    long_key = f"{dotted(20_000)} = 1\n"
    broken = ["first-split.toml", "solutions/first-split.reference.toml", "codex/split-tiers.toml"]
    for name in broken:
        with open(root / name, "a", encoding="utf-8") as file:
            file.write(long_key)
    with pytest.raises(LevelError) as error:
        load_pack(root)
    found = {Path(p.file).relative_to(root).as_posix(): p for p in error.value.problems}
    for name in broken:
        problem = found[name]
        assert problem.line == (root / name).read_text().count("\n")
        assert "the key has 20000 dotted parts" in problem.message
    (root / "pack.toml").write_text(PACK + f"[{dotted(20_000)}]\n")
    with pytest.raises(LevelError, match="pack.toml:7: the table header has 20000 dotted parts"):
        load_pack(root)


# -- where a long key may hide, and where it is only text -----------------------------------------

KEY = dotted(MAX_KEY_PARTS + 1)
HIDDEN = {  # (text, the line of the long key in it)
    "a key line": (f"{KEY} = 1", 1),
    "a table header": (f"[{KEY}]", 1),
    "an array table header": (f"[[ {KEY} ]]", 1),
    "quoted parts": ("\"a\" . 'b' . " + ".".join(f'"{c}"' for c in "cdefghi") + " = 1", 1),
    "an inline table": (f"x = {{ y = 1, {KEY} = 2 }}", 1),
    "an inline table in an array": (f"x = [\n  1,\n  {{ {KEY} = 2 }},\n]", 3),
}
TEXT_ONLY = {
    "a string": f'x = "{KEY}"',
    "a literal string": f"x = '{KEY} = 1'",
    "a multi-line string": f'x = """\n{KEY} = 1\n[{KEY}]\n"""',
    "a comment": f"# {KEY} = 1",
    "a comment after a value": f"x = 1  # [{KEY}]",
}


@pytest.mark.parametrize("text, line", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_long_key_anywhere_is_refused(text: str, line: int) -> None:
    with pytest.raises(LevelError) as error:
        parse_toml('id = "x"\n\n' + text + "\n", "f.toml")
    [problem] = error.value.problems
    assert problem.line == 2 + line
    assert f"has {MAX_KEY_PARTS + 1} dotted parts" in problem.message


@pytest.mark.parametrize("text", TEXT_ONLY.values(), ids=TEXT_ONLY.keys())
def test_dotted_words_in_text_are_only_text(text: str) -> None:
    assert parse_toml(text + "\ny = 2\n", "f.toml")["y"] == 2


def test_a_key_of_the_most_parts_is_parsed() -> None:
    key = dotted(MAX_KEY_PARTS)
    assert parse_toml(f"[{key}]\n{key} = 1\n", "f.toml")["a"]["a"]


PART = st.one_of(
    st.text(alphabet="aZ09_-", min_size=1, max_size=3),
    st.text(alphabet="a .#=[]'", max_size=3).map(lambda s: f'"{s}"'),
    st.text(alphabet='a .#="', max_size=3).map(lambda s: f"'{s}'"),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(PART, min_size=MAX_KEY_PARTS + 1, max_size=3 * MAX_KEY_PARTS),
    st.lists(st.sampled_from(["", " ", "\t "]), min_size=2, max_size=2),
    st.sampled_from(["{} = 1", "[{}]", "[[{}]]", "x = {{ {} = 1 }}", "x = [{{ {} = 1 }}]"]),
)
def test_any_spelling_of_a_long_key_is_refused(
    parts: list[str], blanks: list[str], place: str
) -> None:
    key = f"{blanks[0]}.{blanks[1]}".join(parts)
    with pytest.raises(LevelError) as error:
        parse_toml(f"n = 1\n{place.format(key)}\n", "f.toml")
    assert error.value.problems[0].line == 2
    assert f"has {len(parts)} dotted parts" in error.value.problems[0].message
