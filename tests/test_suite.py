"""The suite itself: the README's test command is the one .ci/run runs, and every committed
snapshot belongs to a test (syrupy checks that only when the suite runs in one process; under
pytest-xdist it leaves unused snapshots alone, so this test does it)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pytest_commands(text: str) -> list[str]:
    return re.findall(r"python -m pytest[^\n&|;]*", text)


def test_the_readme_and_ci_run_the_same_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Test", 1)[1].split("\n## ", 1)[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    [documented] = _pytest_commands(section)
    [run] = _pytest_commands(ci)
    assert documented.strip() == run.strip()
    assert " -n " in documented  # in parallel (pytest-xdist)


def test_every_snapshot_belongs_to_a_test() -> None:
    snapshots = sorted(ROOT.glob("tests/**/__snapshots__/*/*.svg"))
    assert snapshots
    orphans = []
    for snapshot in snapshots:
        module = snapshot.parent.parent.parent / f"{snapshot.parent.name}.py"
        test = snapshot.stem.split("[", 1)[0]
        if test not in _test_names(module):
            orphans.append(snapshot.relative_to(ROOT).as_posix())
    assert orphans == [], "snapshots no test takes (delete them): " + ", ".join(orphans)


def _test_names(module: Path) -> set[str]:
    if not module.is_file():
        return set()
    tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }
