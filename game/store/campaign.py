"""The campaign as a player has played it: which levels are open, what each concept's codex
entry needs, and the unfinished level to continue.

A pack's first level is open; each later one opens when the one before it is passed. A pack the
player named on the command line (`--pack PATH`, an author trying a pack) is open throughout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from game.content.packs import Pack, PackLevel
from game.store.progress import Store
from game.store.records import LevelRecord
from game.store.unfinished import SavedRun


def level_key(pack: Pack, level: PackLevel) -> str:
    """How the store names a level: `<pack id>/<level id>`."""
    return f"{pack.id}/{level.id}"


def level_digest(level: PackLevel) -> str:
    """A fingerprint of what decides a run of the level (not its words): if it differs from a
    saved run's, the level has changed since and re-simulating its moves may not lead back to
    the same state."""
    rules = level.file.model_dump_json(exclude={"title", "briefing", "concepts"})
    return hashlib.sha256(rules.encode("utf-8")).hexdigest()[:16]


class Campaign:
    def __init__(self, store: Store, packs: Sequence[Pack], open_folders: Iterable[Path] = ()):
        self.store = store
        self.packs = packs
        self._open = {folder.resolve() for folder in open_folders}

    def record(self, pack: Pack, level: PackLevel) -> LevelRecord | None:
        return self.store.record(level_key(pack, level))

    def is_unlocked(self, pack: Pack, level: PackLevel) -> bool:
        position = pack.levels.index(level)
        if self._opened(pack):
            return True
        if position == 0:
            return self.pack_open(pack)
        before = self.record(pack, pack.levels[position - 1])
        return before is not None and before.passed

    def pack_open(self, pack: Pack) -> bool:
        """A pack that follows another (`after` in pack.toml) opens once that pack's last level
        is passed; one whose pack is not loaded, or that follows none, is open, and so is one
        opened with all its levels (`millions --pack`)."""
        if self._opened(pack):
            return True
        after = pack.file.after
        first = next((p for p in self.packs if p.id == after), None)
        if first is None or first is pack:
            return True
        last = self.record(first, first.levels[-1])
        return last is not None and last.passed

    def _opened(self, pack: Pack) -> bool:
        """The pack's folder was given to open all its levels (for its author)."""
        return pack.root.resolve() in self._open

    def teachers(self, pack: Pack) -> dict[str, tuple[int, PackLevel]]:
        """Each concept the pack teaches -> the number and level that first teaches it."""
        found: dict[str, tuple[int, PackLevel]] = {}
        for number, level in enumerate(pack.levels, 1):
            for concept in level.file.concepts:
                found.setdefault(concept, (number, level))
        return found

    def concept_unlocked(self, pack: Pack, concept: str) -> bool:
        """A concept's codex entry opens when a level teaching it is passed (or none teaches it)."""
        teaching = [level for level in pack.levels if concept in level.file.concepts]
        if not teaching:
            return True
        return any((r := self.record(pack, level)) is not None and r.passed for level in teaching)

    def find(self, key: str) -> tuple[Pack, PackLevel] | None:
        """The pack and level a store key names, if that pack is loaded."""
        pack_id, _, level_id = key.partition("/")
        for pack in self.packs:
            if pack.id == pack_id:
                for level in pack.levels:
                    if level.id == level_id:
                        return pack, level
        return None

    def unfinished(self) -> tuple[Pack, PackLevel, SavedRun] | None:
        """The level left unfinished, if its pack is still here."""
        run = self.store.current_run()
        found = self.find(run.level) if run else None
        if run is None or found is None or run.tick >= found[1].scenario.duration:
            return None
        return found[0], found[1], run
