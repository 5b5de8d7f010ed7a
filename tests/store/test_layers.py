"""The store sits between content and the UI: it never imports the UI or a terminal library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import game.store, game.store.campaign
ui = ("textual", "rich", "game.ui")
print(",".join(sorted(m for m in sys.modules if m.startswith(ui))))
"""


def test_the_store_imports_no_ui() -> None:
    found = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == ""
