"""`millions levels new PATH`: a new pack with one working level, proven by its solutions."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from game.content.schema.fields import MAX_ID

FILES = {
    "pack.toml": """id = "{pack_id}"
title = "My pack"
author = "Your name"
version = "0.1.0"
format = 1
description = "What this pack teaches, in a sentence or two."
levels = ["first-split"]
""",
    "first-split.toml": '''id = "first-split"
title = "The database moves out"
concepts = ["split-tiers"]
briefing = """
One box runs the web server and the database, and tonight's traffic will be more than it can
carry. Give the database a machine of its own: add a primary. Until it has booted (it takes
{{primary.boot_ticks}} s) the box keeps doing both jobs.
"""
duration = 300
seed = 1
budget = 6.0
unlocked = ["primary"]

[[start]]
kind = "box"

[traffic]
points = [[0, 20.0], [300, 60.0]]

[objectives]
latency_percentile = 95
availability = [0.95, 0.98, 0.99]
latency_ms = [800.0, 500.0, 300.0]
cost = [1000.0, 900.0, 850.0]
''',
    "solutions/first-split.reference.toml": """level = "first-split"
name = "reference"
note = "move the database to its own primary at once"

[expect]
stars = 3

[[actions]]
tick = 0
do = "add"
kind = "primary"
size = "S"
""",
    "solutions/first-split.without-split-tiers.toml": """level = "first-split"
name = "without-split-tiers"
lesson = "split-tiers"
note = "leave everything on the box"

[expect]
passed = false
""",
    "codex/split-tiers.toml": '''id = "split-tiers"
title = "Give the database its own machine"
text = """
A single box is the simplest site there is, but its web server and its database compete for
the same machine. Moving the database to a primary of its own lets each tier grow on its own:
a database primary of size S handles {{primary.S.capacity}} query units a second.
"""
''',
}


def create_pack(path: Path) -> list[Path]:
    """Write the starter pack into `path` (which must not exist yet, or be empty)."""
    if path.exists() and any(path.iterdir()):
        raise FileExistsError(f"{path} already exists and is not empty")
    pack_id = pack_id_for(path.name)
    written = []
    for name, text in FILES.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.format(pack_id=pack_id) if name == "pack.toml" else text)
        written.append(target)
    return written


def pack_id_for(name: str) -> str:
    """A valid pack id (lowercase ASCII letters, digits, dashes) from any folder name: accents
    dropped (Café -> cafe), anything else a dash, at most MAX_ID characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    return "-".join(words)[:MAX_ID].strip("-") or "my-pack"
