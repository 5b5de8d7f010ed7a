"""Writing a file so that a crash at any instant leaves the old version or the new one, whole.

The data goes to a temporary file in the same folder, is flushed and fsynced, then replaces the
old file in one rename (keeping its permissions); the folder is fsynced too, so that the rename
itself survives a power cut. Used for solution files and for the player's saves.
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Replace `path` with `data`, all or nothing. OSError when the file system refuses."""
    target = Path(path)
    mode = 0o644
    with suppress(OSError):
        mode = stat.S_IMODE(target.stat().st_mode)  # replacing a file keeps its permissions
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            with suppress(AttributeError):  # no fchmod on Windows
                os.fchmod(file.fileno(), mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(target.parent)
    return target


def _fsync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. Windows, where folders cannot be opened; the rename is done anyway
    try:
        with suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)
