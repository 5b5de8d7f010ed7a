"""Writing files so that a crash at any instant leaves the last complete version readable.

A write goes to a temporary file in the same folder, is flushed and fsynced, then replaces the
old file in one rename; the folder is fsynced too so the rename itself survives a power cut.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinydb.storages import Storage


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, all or nothing."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms cannot open a folder; the rename is still atomic there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
