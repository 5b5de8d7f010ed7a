"""One running game per saves folder: an OS lock on a file beside the save.

The operating system releases the lock when the process ends, however it ends, so a crash or a
kill never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from game.content.input_file import special_kind
from game.store.errors import SaveError, SavesLocked

LOCK_NAME = "progress.lock"


class FolderLock:
    """Held from `acquire` until `release` (or the process ends)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = _open(self.path)
        try:
            _lock(fd)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            who = f" (process {holder})" if holder else ""
            raise SavesLocked(
                f"Another Zero to Millions{who} is using the saves in {self.path.parent}. "
                "Close it first, or start this one with --saves DIR to keep separate saves."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None


def _open(path: Path) -> int:
    """The lock file, opened without following a link (a link's target is never written) and
    without blocking; SaveError if it is not a regular file the game may write."""
    flags = os.O_RDWR | os.O_CREAT | _NOFOLLOW | _NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as error:
        if error.errno == errno.ELOOP:
            reason = "it is a symbolic link, which the game does not follow"
        else:
            reason = error.strerror or type(error).__name__
        raise SaveError(f"Cannot use the lock file {path}: {reason}. {_FIX}") from None
    kind = special_kind(os.fstat(fd).st_mode)
    if kind:
        os.close(fd)
        raise SaveError(f"Cannot use the lock file {path}: it is {kind}. {_FIX}")
    return fd


_FIX = "Remove it (the game makes a new one), or start with --saves DIR."
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except (OSError, AttributeError):
        return ""
    return text if text.isdigit() else ""


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
