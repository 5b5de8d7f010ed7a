"""The save file on disk: reading it, migrating an older one, and moving aside one that cannot
be read (the player is told where it went and starts afresh; nothing is ever deleted).
"""

from __future__ import annotations

import errno
import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from game.content.input_file import UnreadableFile, read_regular
from game.store import schema
from game.store.errors import SaveError

FILE_NAME = "progress.json"
MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_PROFILE = "player"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def fresh() -> dict[str, Any]:
    """The data of a new save: the current version and a default profile."""
    return {"meta": {"1": {"version": schema.VERSION}}, "profile": {"1": {"name": DEFAULT_PROFILE}}}


def load(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The save's data, migrated (the old file kept as a backup); a file that cannot be used is
    moved aside and play goes on with a fresh profile. The notices say, for the player, what
    was done. Raises SaveError only when the file cannot be read at all (its permissions)."""
    if not os.path.lexists(path):
        return fresh(), []
    try:
        raw = _read(path)
        data = _parse(raw)
        version = schema.version_of(data)
        if version > schema.VERSION:
            aside = _move_aside(path, f"v{version}")
            return fresh(), [
                "Your save file was written by a newer version of Zero to Millions (save format"
                f" {version}; this game reads up to {schema.VERSION}). It was moved, unchanged,"
                f" to {aside}; you start with a fresh profile. Update the game and move the file"
                " back to play on with it."
            ]
        if version == schema.VERSION:
            return schema.checked(data), []
        data = schema.checked(_migrated(data))
        backup = write_new(path.with_name(f"progress.v{version}-backup.json"), raw)
        return data, [
            f"Your saves were updated from format {version} to {schema.VERSION}; "
            f"the old file is kept as {backup}."
        ]
    except _UNREADABLE as error:
        aside = _move_aside(path, "corrupt")
        reason = _plain_reason(error)
        return fresh(), [
            f"Your save file could not be read ({reason}). It was moved, unchanged, to {aside}; "
            "you start with a fresh profile."
        ]
    except OSError as error:
        raise SaveError(f"Cannot use the saves in {path}: {error.strerror or error}.") from None


def read(path: Path) -> dict[str, Any]:
    """The save's data as it is, migrated in memory only: nothing on disk is written, moved or
    migrated. Raises SaveError when the file cannot be used."""
    if not os.path.lexists(path):
        return fresh()
    try:
        data = _parse(_read(path))
        version = schema.version_of(data)
        if version > schema.VERSION:
            raise SaveError(
                f"Cannot read {path}: a newer version of Zero to Millions wrote it (save format"
                f" {version}; this game reads up to {schema.VERSION}). Update the game."
            )
        if version < schema.VERSION:
            data = _migrated(data)
        return schema.checked(data)
    except _UNREADABLE as error:
        raise SaveError(f"Cannot read {path}: {_plain_reason(error)}.") from None
    except OSError as error:
        raise SaveError(f"Cannot read {path}: {error.strerror or error}.") from None


class _Unusable(ValueError):
    """The file is no save this game can read: special, too large, not JSON of plain numbers."""


_UNREADABLE = (
    _Unusable,
    UnicodeDecodeError,
    json.JSONDecodeError,
    RecursionError,
    schema.WrongShape,
)


def _read(path: Path) -> bytes:
    """The file's bytes, refused unread past MAX_FILE_BYTES, or when it is not a regular file
    (a link to /dev/zero, a FIFO). A file the player may not read is an OSError."""
    try:
        return read_regular(path, MAX_FILE_BYTES, "the saves")
    except UnreadableFile as error:
        if isinstance(error.os_error, PermissionError):  # moving it would not help
            raise error.os_error from None
        raise _Unusable(error.reason) from None


def _parse(raw: bytes) -> Any:
    """The file's JSON, with finite numbers only: NaN, Infinity, 1e400 and integers of more
    digits than Python converts are refused (nothing downstream could use them)."""
    try:
        return json.loads(
            raw.decode("utf-8"),
            parse_constant=_not_a_number,
            parse_float=_finite,
            parse_int=_bounded_int,
        )
    except ValueError as error:
        if isinstance(error, (UnicodeDecodeError, json.JSONDecodeError, _Unusable)):
            raise
        raise _Unusable(str(error)) from None


def _not_a_number(word: str) -> float:
    raise _Unusable(f"it holds {word}, which is not a number a save may hold")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Unusable(f"it holds {text[:20]}, too large a number")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _Unusable(f"it holds an integer of {len(text)} digits")
    return int(text)


_MAX_INT_DIGITS = 30  # more than any count, tick or seed a save holds (2**63 has 19)


def _migrated(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.migrate(data)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise schema.WrongShape(f"it could not be migrated: {error}") from None


def write_new(path: Path, data: bytes) -> Path:
    """Write `data` to a file that does not exist yet: `path`, else `path` numbered -2, -3...
    The file is created exclusively and never through a link (whatever sits at a name stays)."""
    for n in range(1, 1000):
        target = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o644)
        except FileExistsError:
            continue
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        return target
    raise FileExistsError(errno.EEXIST, "too many backups already", str(path))


def _stamp() -> str:
    """When a file is moved aside, for its new name (UTC)."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _move_aside(path: Path, why: str) -> Path:
    """Rename the file (whatever it is: a link is moved, not followed) to a free name."""
    stamp = _stamp()
    aside = path.with_name(f"progress.{why}-{stamp}.json")
    n = 2
    while os.path.lexists(aside):
        aside = path.with_name(f"progress.{why}-{stamp}-{n}.json")
        n += 1
    path.replace(aside)
    return aside


def _plain_reason(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "it is not text"
    if isinstance(error, json.JSONDecodeError):
        return f"it is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
    if isinstance(error, RecursionError):
        return "it is nested too deeply"
    if isinstance(error, _Unusable):
        return str(error)
    return f"unexpected content: {error}"
