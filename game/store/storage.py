"""The tinydb storage for saves: one JSON file, every write atomic (see content.atomic)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from game.content.atomic import write_atomic


class AtomicJSONStorage(Storage):
    """A tinydb storage: the whole database as one JSON file, written atomically.

    The file is read once, when the store opens (the folder lock makes this process its only
    writer); after that reads are served from the last text written, parsed afresh so tinydb
    can never change the copy that matches the disk.
    """

    def __init__(self, path: Path, initial: dict[str, Any]) -> None:
        self.path = path
        self._text = _encode(initial)

    def read(self) -> dict[str, Any]:
        return json.loads(self._text)

    def write(self, data: dict[str, Any]) -> None:
        text = _encode(data)
        write_atomic(self.path, text.encode("utf-8"))
        self._text = text


def _encode(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1, allow_nan=False)
