"""Reading a pack file into plain data: a bounded read, UTF-8 text, TOML parsed by tomllib.

Files are untrusted: they are size-checked before they are read whole, parsed with tomllib only
(no code runs), and refused before parsing when a key has more dotted parts than any format
uses (tomllib's work grows with the square of a key's parts). Every failure is a LevelError
that says what is wrong and, where it can, on which line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from game.content.errors import LevelError
from game.content.input_file import UnreadableFile, read_regular, too_big
from game.content.schema.fields import MAX_KEY_PARTS
from game.content.toml_keys import ARRAY_TABLE, ELEMENT, KEY_DOT, KEY_PART, TABLE, Key, keys


def read_bounded(source: str, limit: int, what: str) -> bytes:
    """The bytes of a regular file, refused unread when it is bigger than `limit`."""
    try:
        return read_regular(source, limit, what)
    except UnreadableFile as error:
        raise LevelError.single(source, error.reason) from None


def _too_big(source: str, size: int, limit: int, what: str) -> LevelError:
    return LevelError.single(source, too_big(size, limit, what))


def decode(text: str | bytes, source: str, limit: int, what: str) -> str:
    """The text of a file given as text or undecoded bytes, within `limit` bytes of UTF-8."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if len(data) > limit:
            raise _too_big(source, len(data), limit, what)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            bad = data[error.start : error.start + 1].hex()
            raise LevelError.single(
                source,
                f"not UTF-8 text: byte 0x{bad} cannot be decoded",
                line=line,
                hint="save the file as UTF-8",
            ) from None
    elif not isinstance(text, str):
        raise TypeError(f"expected text or bytes, got {type(text).__name__}")
    if len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit:
        raise _too_big(source, len(text.encode("utf-8", "surrogatepass")), limit, what)
    return text.removeprefix("\ufeff")  # a byte order mark is not part of the TOML


_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """The TOML document as plain data (dicts, lists, scalars)."""
    too_long = _too_long_key(text)
    if too_long is not None:
        what = "table header" if too_long.what in (TABLE, ARRAY_TABLE) else "key"
        raise LevelError.single(
            source,
            f"the {what} has {too_long.count} dotted parts,"
            f" more than the {MAX_KEY_PARTS} a key may have",
            line=too_long.line,
            hint="tables of these files nest only a few levels deep, as in traffic.mix",
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_WHERE.search(message)
        line: int | None = None
        if found:
            message = message[: found.start()]
            if found.group(1):
                line = int(found.group(1))
                message += f" (column {found.group(2)})"
            else:
                line = text.count("\n") + 1
                message += " (at the end of the file)"
        raise LevelError.single(source, f"TOML syntax error: {message}", line=line) from None
    except RecursionError:
        raise LevelError.single(source, "the file nests arrays or tables too deeply") from None
    except ValueError as error:  # an integer with more digits than Python converts
        reason = "an integer has too many digits" if "digits" in str(error) else str(error)
        raise LevelError.single(source, f"cannot parse the file: {reason}") from None


# More parts in a row than a key may have, anywhere in the text (in a string too): a quick test
# that rules out a too long key in almost every file before the exact scan looks at keys only.
# It starts at a dot (so the regex engine skips ahead to each dot at C speed: a few ms for 1 MiB)
# and stops at the first part too many, so it never holds more than that many parts.
_MANY_PARTS = re.compile(rf"\.[ \t]*+{KEY_PART}(?:{KEY_DOT}{KEY_PART}){{{MAX_KEY_PARTS - 1}}}")


def _too_long_key(text: str) -> Key | None:
    """The first header or key with more than MAX_KEY_PARTS dotted parts, if any."""
    if _MANY_PARTS.search(text) is None:
        return None
    return next(
        (k for k in keys(text, 0) if k.what != ELEMENT and k.count > MAX_KEY_PARTS),
        None,
    )


@contextmanager
def as_level_error(source: str) -> Iterator[None]:
    """Whatever goes wrong while loading, the caller gets a LevelError, never a traceback."""
    try:
        yield
    except LevelError:
        raise
    except RecursionError:
        raise LevelError.single(source, "the file nests arrays or tables too deeply") from None
    except (ValueError, OverflowError, TypeError, ArithmeticError, MemoryError) as error:
        raise LevelError.single(
            source, f"cannot load the file: {type(error).__name__}: {error}"
        ) from None
    except Exception as error:  # noqa: BLE001 - a loader must not crash on a hostile file
        raise LevelError.single(
            source, f"cannot load the file (unexpected {type(error).__name__}: {error})"
        ) from None
