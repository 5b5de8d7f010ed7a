"""The README's figures are the catalog's: its generated section must match the catalog."""

import re
from pathlib import Path

from game.content.figures import readme_section

README = Path(__file__).resolve().parents[1] / "README.md"


def _section(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    assert match, f"README has no {name} section"
    return match.group(1)


def test_readme_catalog_section_matches_the_catalog():
    assert _section("catalog") == readme_section(), (
        "README catalog section is stale: regenerate it with `python -m game.content.figures`"
    )
