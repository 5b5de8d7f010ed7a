"""The tinydb storage for saves: one JSON file, every write atomic (see content.atomic)."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from game.content.atomic import write_atomic
from game.content.input_file import size_words
from game.store.savefile import MAX_FILE_BYTES


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
        """Write the whole database; OSError (the file unchanged) if the disk refuses, or if it
        would grow past what a save may be (the game could not read it back)."""
        text = _encode(data)
        encoded = text.encode("utf-8")
        size = len(encoded)
        if size > MAX_FILE_BYTES:
            raise OSError(
                errno.EFBIG,
                f"the saves would be {size_words(size)}, more than the"
                f" {size_words(MAX_FILE_BYTES)} a save may be (delete some solutions)",
            )
        write_atomic(self.path, encoded)
        self._text = text


def _encode(data: dict[str, Any]) -> str:
    """Compact JSON: never larger than the file it was read from, so a save near its bound can
    be written back, and encoded by json's C encoder (indenting falls back to pure Python,
    over ten times slower on a large save)."""
    return json.dumps(
        data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
