"""The engine is pure: no UI or storage imports, no clock, no I/O, no global mutable state."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "game" / "engine"
FORBIDDEN_MODULES = (
    "textual",
    "rich",
    "tinydb",
    "pydantic",
    "game.content",
    "game.store",
    "game.ui",
)
FORBIDDEN_IMPORTS = {"time", "datetime", "os", "io", "pathlib", "socket", "subprocess", "threading"}


@pytest.mark.parametrize(
    "modules, forbidden",
    [
        ("game.engine.simulation, game.engine.summary, game.engine.catalog", FORBIDDEN_MODULES),
        (
            "game.content, game.content.loader",
            ("textual", "rich", "tinydb", "game.store", "game.ui"),
        ),
    ],
)
def test_a_layer_loads_nothing_above_it(modules, forbidden):
    """Imported in a fresh interpreter, a layer pulls in no module of a layer above it."""
    code = f"import json, sys\nimport {modules}\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    bad = [m for m in loaded for f in forbidden if m == f or m.startswith(f + ".")]
    assert bad == [], f"{modules} pulled in {bad}"
    assert modules.split(",")[0] in loaded


def _engine_sources():
    files = sorted(ENGINE.glob("*.py"))
    assert len(files) >= 10
    return [(f, ast.parse(f.read_text(), filename=str(f))) for f in files]


def test_engine_sources_import_no_clock_io_or_ui():
    for path, tree in _engine_sources():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN_IMPORTS, f"{path.name} imports {name}"
                assert not name.startswith(FORBIDDEN_MODULES), f"{path.name} imports {name}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"open", "print", "input"}, (
                    f"{path.name} calls {node.func.id}"
                )


def test_engine_has_no_module_level_mutable_state():
    """Module-level names hold constants only: never a list, dict or set that could be mutated
    (tables are read-only mapping proxies), and no function uses `global`."""
    for path, tree in _engine_sources():
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                value = node.value
                mutable = (ast.List, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp)
                assert not isinstance(value, mutable), (
                    f"{path.name}:{node.lineno} keeps a mutable module-level value"
                )
        for node in ast.walk(tree):
            assert not isinstance(node, ast.Global), f"{path.name}:{node.lineno} uses global"
