"""The one way the game reads a file it is given: a level, a plan, a solution, a pack's files,
the saves and the settings in them.

Only a regular file is read, and that is checked on the open descriptor (fstat), so nothing can
swap the file between the check and the read. It is opened non-blocking, so a FIFO or a device
answers at once instead of hanging; without following a final symbolic link where the caller
says links must not be followed; and it is read up to a bound, never further, whatever size it
claims. Every refusal is an UnreadableFile whose message is one line a user can act on.
"""

from __future__ import annotations

import errno
import os
import stat

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CHUNK = 1024 * 1024


class UnreadableFile(Exception):
    """A file that cannot be read as it is; `reason` says why in words, without the path.
    `os_error` is the system's refusal, if it was one (None for a special or too large file)."""

    def __init__(self, path: str, reason: str, os_error: OSError | None = None) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.os_error = os_error


def read_regular(
    path: str | os.PathLike[str], limit: int, what: str, *, follow_links: bool = True
) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    `what` names the file in the size message ("a level", "the saves"). With `follow_links`
    false, a symbolic link as the last part of `path` is refused rather than followed.
    """
    source = os.fspath(path)
    flags = os.O_RDONLY | _NONBLOCK | _BINARY | (0 if follow_links else _NOFOLLOW)
    try:
        fd = os.open(source, flags)
    except OSError as error:
        raise UnreadableFile(source, _open_reason(error, follow_links), error) from None
    try:
        info = os.fstat(fd)
        kind = special_kind(info.st_mode)
        if kind:
            raise UnreadableFile(source, f"cannot read the file: it is {kind}, not a regular file")
        if info.st_size > limit:
            raise UnreadableFile(source, too_big(info.st_size, limit, what))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # a file may grow after fstat: read one byte past the bound at most
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise UnreadableFile(source, f"cannot read the file: {_words(error)}", error) from None
    finally:
        os.close(fd)
    if size > limit:
        raise UnreadableFile(source, too_big(size, limit, what))
    return b"".join(chunks)


def special_kind(mode: int) -> str:
    """What a file that is not regular is, in words ("a FIFO (named pipe)"); "" if regular."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a special file"


def too_big(size: int, limit: int, what: str) -> str:
    return f"the file is {size_words(size)}, more than the {size_words(limit)} {what} may have"


def size_words(size: int) -> str:
    """A size in bytes as people read it: 900 bytes, 256 KiB, 64 MiB."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MiB"
    return f"{size / 1024:.0f} KiB" if size >= 1024 else f"{size} bytes"


def _open_reason(error: OSError, follow_links: bool) -> str:
    code = error.errno
    if code == errno.ELOOP:
        if follow_links:
            return "cannot read the file: it is a loop of symbolic links"
        return "cannot read the file: it is a symbolic link, and links are not followed here"
    if code in (errno.EACCES, errno.EPERM):
        return "cannot read the file: permission denied (check the file's permissions)"
    if code == errno.ENXIO:
        return "cannot read the file: it is a socket or a device, not a regular file"
    if code == errno.EISDIR:
        return "cannot read the file: it is a folder, not a regular file"
    return f"cannot read the file: {_words(error)}"


def _words(error: OSError) -> str:
    return error.strerror or type(error).__name__
