"""The house keeps its shape: the import contracts in pyproject.toml hold (layers, a pure
engine, screens that do not import screens), no module imports itself round a cycle (lazy
imports inside functions included), nothing imports by name where the contracts cannot see
it, and no module under game/ grows past 450 lines."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
GAME = ROOT / "game"
MAX_LINES = 450


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["id"] == contract_id)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """Every import of game's modules, those inside functions included (grimp reads them), as
    lint-imports sees them: imports under `if TYPE_CHECKING:` never run and are left out."""
    return grimp.build_graph(
        "game", include_external_packages=True, exclude_type_checking_imports=True, cache_dir=None
    )


def test_the_import_contracts_hold() -> None:
    """`lint-imports` with the contracts of pyproject.toml; its report is the failure message."""
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert command is not None, "lint-imports is not installed: pip install -e '.[test]'"
    checked = subprocess.run(
        [command, "--no-cache", "--no-logo"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_no_module_imports_itself_round_a_cycle(graph: grimp.ImportGraph) -> None:
    cycles = _cycles({m: graph.find_modules_directly_imported_by(m) for m in _ours(graph)})
    shown = [" -> ".join([*cycle, cycle[0]]) for cycle in cycles]
    assert shown == [], "import cycles among game's modules:\n" + "\n".join(shown)


def test_nothing_imports_a_module_by_name() -> None:
    """importlib.import_module and __import__ load a module no contract can see."""
    found = []
    for path in sorted(GAME.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                called = node.func
                name = getattr(called, "attr", None) or getattr(called, "id", "")
                if name in ("import_module", "__import__"):
                    found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    assert found == []


def test_the_engine_imports_only_the_standard_library(graph: grimp.ImportGraph) -> None:
    engine = sorted(m for m in _ours(graph) if m == "game.engine" or m.startswith("game.engine."))
    assert len(engine) >= 10
    outside = sorted(
        f"{module} imports {imported}"
        for module in engine
        for imported in graph.find_modules_directly_imported_by(module)
        if not imported.startswith("game.engine")
        and imported.split(".")[0] not in sys.stdlib_module_names
    )
    assert outside == []


def test_every_screen_is_in_the_independence_contract() -> None:
    """A module under game/ui/screens that defines a Screen (a modal dialog aside) is one of
    the modules the screens contract keeps apart, so a new screen cannot slip past it."""
    listed = set(_contract("screens-independent")["modules"])
    screens = {
        f"game.ui.screens.{path.stem}"
        for path in sorted((GAME / "ui" / "screens").glob("*.py"))
        if _defines_a_screen(path)
    }
    assert screens, "no screen modules found"
    assert sorted(screens - listed) == []


def test_no_module_passes_the_line_limit() -> None:
    counts = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(GAME.rglob("*.py"))
    }
    assert len(counts) >= 40
    long = {name: lines for name, lines in counts.items() if lines > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"


def _ours(graph: grimp.ImportGraph) -> list[str]:
    return sorted(m for m in graph.modules if m == "game" or m.startswith("game."))


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: in each group of modules that import one another (Tarjan's strongly
    connected components), a shortest cycle through each member, each cycle shown once."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(imports.get(module, ())):
            if imported not in imports:
                continue  # another library
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in imports.get(module, ()):
                groups.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    cycles = []
    for group in sorted(groups):
        for member in group:
            cycle = _shortest_cycle(member, set(group), imports)
            first = cycle.index(min(cycle))
            cycle = cycle[first:] + cycle[:first]  # the same cycle from any member: shown once
            if cycle not in cycles:
                cycles.append(cycle)
    return cycles


def _shortest_cycle(start: str, group: set[str], imports: dict[str, set[str]]) -> list[str]:
    """The shortest path from `start` back to itself inside its group (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for imported in sorted(imports[module] & group):
                if imported == start:
                    path = [module]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return path[::-1]
                if imported not in came_from:
                    came_from[imported] = module
                    following.append(imported)
        frontier = following
    return [start]


def _defines_a_screen(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = base.value if isinstance(base, ast.Subscript) else base
                if isinstance(name, ast.Name) and name.id == "Screen":
                    return True
    return False
