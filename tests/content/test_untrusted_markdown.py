"""Briefings and codex entries are bounded in what a screen must draw at once: lines, headings
and table rows (a briefing of 900 headings, or a 650-row table, froze each screen showing it
for seconds, though both fit in the character bound)."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.content.errors import LevelError
from game.content.packs import load_pack
from game.content.scaffold import create_pack
from game.content.schema.fields import MAX_HEADINGS, MAX_MARKDOWN_LINES, MAX_TABLE_ROWS

CASES = {
    "headings": ("# a\n" * 900, f"has 900 headings, more than the {MAX_HEADINGS}"),
    "setext": ("a\n=\n" * 100, f"has 100 headings, more than the {MAX_HEADINGS}"),
    "table": ("|a|b|\n" * 650, f"has 650 table rows, more than the {MAX_TABLE_ROWS}"),
    "lines": ("a\n" * 1000, f"has 1001 lines, more than the {MAX_MARKDOWN_LINES}"),
}


def with_text(tmp_path: Path, name: str, markdown: str) -> tuple[Path, int]:
    """A pack whose file `name` has `markdown` as its Markdown text; the text's key line."""
    folder = tmp_path / "p"
    create_pack(folder)
    path = folder / name
    text = path.read_text()
    start = text.index('"""\n')
    end = text.index('"""', start + 4)
    path.write_text(text[:start] + '"""\n' + markdown + text[end:])
    return path, text[:start].count("\n") + 1


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    "name, field", [("first-split.toml", "briefing"), ("codex/split-tiers.toml", "text")]
)
def test_too_large_markdown_is_refused_with_its_field_and_line(
    tmp_path: Path, case: str, name: str, field: str
) -> None:
    markdown, message = CASES[case]
    path, line = with_text(tmp_path, name, markdown)
    with pytest.raises(LevelError) as error:
        load_pack(tmp_path / "p")
    [problem] = [p for p in error.value.problems if p.file == str(path)]
    assert (problem.file, problem.field, problem.line) == (str(path), field, line)
    assert problem.message.startswith(message)
    assert problem.message.endswith("a text may have; keep it to a few short paragraphs")


def test_markdown_at_the_bounds_is_accepted(tmp_path: Path) -> None:
    markdown = (
        "# a\n" * MAX_HEADINGS
        + "|a|\n" * MAX_TABLE_ROWS
        + "b\n" * (MAX_MARKDOWN_LINES - MAX_HEADINGS - MAX_TABLE_ROWS - 1)
    )
    with_text(tmp_path, "first-split.toml", markdown)
    load_pack(tmp_path / "p")
