"""The save file on disk: reading it, migrating an older one, and moving aside one that cannot
be read (the player is told where it went and starts afresh; nothing is ever deleted).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from game.store import schema
from game.store.errors import SaveError

FILE_NAME = "progress.json"
MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_PROFILE = "player"


def fresh() -> dict[str, Any]:
    """The data of a new save: the current version and a default profile."""
    return {"meta": {"1": {"version": schema.VERSION}}, "profile": {"1": {"name": DEFAULT_PROFILE}}}


def load(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The save's data, migrated (the old file kept as a backup); a file that cannot be used is
    moved aside. The notices say, for the player, what was done."""
    if not path.exists():
        return fresh(), []
    try:
        data = _parse(path)
        version = schema.version_of(data)
        notices = []
        if version < schema.VERSION:
            backup = path.with_name(f"progress.v{version}-backup.json")
            shutil.copy2(path, backup)
            data = _migrated(data)
            notices.append(
                f"Your saves were updated from format {version} to {schema.VERSION}; "
                f"the old file is kept as {backup}."
            )
        schema.check(data)
        return data, notices
    except OSError as error:
        raise SaveError(f"Cannot read the saves in {path}: {error.strerror or error}.") from None
    except _UNREADABLE as error:
        aside = _move_aside(path)
        reason = _plain_reason(error)
        return fresh(), [
            f"Your save file could not be read ({reason}). It was moved, unchanged, to {aside}; "
            "you start with a fresh profile."
        ]


def read(path: Path) -> dict[str, Any]:
    """The save's data as it is, migrated in memory only: nothing on disk is written, moved or
    migrated. Raises SaveError when the file cannot be used."""
    if not path.exists():
        return fresh()
    try:
        data = _parse(path)
        if schema.version_of(data) < schema.VERSION:
            data = _migrated(data)
        schema.check(data)
    except OSError as error:
        raise SaveError(f"Cannot read {path}: {error.strerror or error}.") from None
    except _UNREADABLE as error:
        raise SaveError(f"Cannot read {path}: {_plain_reason(error)}.") from None
    return data


_UNREADABLE = (UnicodeDecodeError, json.JSONDecodeError, RecursionError, schema.WrongShape)


def _parse(path: Path) -> Any:
    """The file's JSON; SaveError if a newer game wrote it (it is then left alone)."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise schema.WrongShape(f"it is larger than {MAX_FILE_BYTES // 2**20} MiB")
    data = json.loads(path.read_bytes().decode("utf-8"))
    version = schema.version_of(data)
    if version > schema.VERSION:
        raise SaveError(
            f"The saves in {path} were written by a newer version of Zero to Millions "
            f"(save format {version}; this game reads up to {schema.VERSION}). The file is "
            "left untouched. Update the game, or start it with --saves DIR."
        )
    return data


def _migrated(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.migrate(data)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise schema.WrongShape(f"it could not be migrated: {error}") from None


def _stamp() -> str:
    """When a file is moved aside, for its new name (UTC)."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _move_aside(path: Path) -> Path:
    stamp = _stamp()
    aside = path.with_name(f"progress.corrupt-{stamp}.json")
    n = 2
    while aside.exists():
        aside = path.with_name(f"progress.corrupt-{stamp}-{n}.json")
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
    return f"unexpected content: {error}"
