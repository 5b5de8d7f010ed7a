"""Where the keys of a TOML text are: one pass that finds every table header, `key =` line,
element of a top-level array and key of an inline table, with its line, skipping strings and
comments.

It reads any text, valid TOML or not, and visits each character a bounded number of times; of a
dotted key it keeps only the first `keep` parts (it still counts them all). So its work grows
with the length of the text, and its memory with `keep` and how deeply brackets nest, never with
the square of a key's length (a header of 50,000 dotted parts is one pass like any other line).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Generator, Iterator
from typing import NamedTuple

TABLE = "table"  # [a.b]
ARRAY_TABLE = "array table"  # [[a.b]]
KEY = "key"  # a.b = ... at the start of a line
ELEMENT = "element"  # an element of the top-level array of the last KEY
INLINE_KEY = "inline key"  # a.b = ... inside { }


class Key(NamedTuple):
    what: str  # TABLE, ARRAY_TABLE, KEY, ELEMENT or INLINE_KEY
    line: int  # 1-based
    parts: tuple[str, ...]  # the first `keep` parts of the key, unquoted; () for an ELEMENT
    count: int  # how many parts the key has; an ELEMENT's index in its array


# The parts of a dotted key and the dot between two. Possessive: a failed match never backtracks
# over what it read, and a long run is matched without a stack of its repeats.
_BARE_PART = r"[A-Za-z0-9_-]++"
_BASIC_PART = r'"(?:[^"\\\n]++|\\.)*+"'
_LITERAL_PART = r"'[^'\n]*+'"
KEY_DOT = r"[ \t]*+\.[ \t]*+"
KEY_PART = f"(?:{_BARE_PART}|{_BASIC_PART}|{_LITERAL_PART})"
_BARE_RUN = re.compile(f"{_BARE_PART}(?:{KEY_DOT}{_BARE_PART})*+")  # a.b . c, at once
_BASIC = re.compile(_BASIC_PART)
_LITERAL = re.compile(_LITERAL_PART)
_BLANK = re.compile(r"[ \t]*+")


def keys(text: str, keep: int) -> Iterator[Key]:
    """Every key of `text` in file order, keeping the first `keep` parts of each."""
    line, i, n = 1, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r":
            i += 1
        elif ch == "\n":
            line, i = line + 1, i + 1
        elif ch == "#":
            i = _eol(text, i)
        elif ch == "[":
            double = text.startswith("[[", i)
            found = _dotted_key(text, i + (2 if double else 1), keep)
            if found:
                parts, count, _ = found
                yield Key(ARRAY_TABLE if double else TABLE, line, parts, count)
            i = _eol(text, i)
        else:
            found = _dotted_key(text, i, keep)
            if not found or found[2] >= n or text[found[2]] != "=":
                i = _eol(text, i)
                continue
            parts, count, i = found
            yield Key(KEY, line, parts, count)
            i, line = yield from _value(text, i + 1, line, keep)


def _eol(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _dotted_key(text: str, i: int, keep: int) -> tuple[tuple[str, ...], int, int] | None:
    """A (possibly dotted, possibly quoted) key starting at i: its first `keep` parts, how many
    parts it has and the index after it; None if no key starts there."""
    parts: list[str] = []
    count, n = 0, len(text)
    while True:
        i = _BLANK.match(text, i).end()
        ch = text[i] if i < n else ""
        if ch in "\"'":
            pattern = _BASIC if ch == '"' else _LITERAL
            found = pattern.match(text, i)
            if not found:
                return None
            count += 1
            if len(parts) < keep:
                parts.append(_unquoted(found.group(), pattern))
        else:  # a run of bare parts, matched at once however long it is
            found = _BARE_RUN.match(text, i)
            if not found:
                return None
            start, end = found.span()
            count += text.count(".", start, end) + 1
            while len(parts) < keep:
                dot = text.find(".", start, end)
                parts.append(text[start : end if dot < 0 else dot].strip(" \t"))
                if dot < 0:
                    break
                start = dot + 1
        i = _BLANK.match(text, found.end()).end()
        if i < n and text[i] == ".":
            i += 1
            continue
        return tuple(parts), count, i


def _unquoted(token: str, pattern: re.Pattern[str]) -> str:
    if pattern is _BASIC:
        try:
            return tomllib.loads(f"k = {token}")["k"]
        except tomllib.TOMLDecodeError:
            return token[1:-1]
    return token[1:-1]


def _value(text: str, i: int, line: int, keep: int) -> Generator[Key, None, tuple[int, int]]:
    """Skip a value (strings, nested arrays, inline tables, comments) up to its line's end.

    Yields each element of a top-level array (the line it starts on) and each key of an inline
    table; returns the index after the value and the line it ends on.
    """
    n = len(text)
    brackets: list[str] = []  # the "[" and "{" open at i
    element, expecting, key_next = -1, False, False
    while i < n:
        ch = text[i]
        if key_next and ch not in " \t\r\n":  # just after "{" or an inline table's ","
            key_next = False
            found = _dotted_key(text, i, keep)
            if found:
                parts, count, i = found
                yield Key(INLINE_KEY, line, parts, count)
                continue
        if expecting and ch not in " \t\r\n#,]":
            element += 1
            yield Key(ELEMENT, line, (), element)
            expecting = False
        if ch == "\n":
            line += 1
            if not brackets:
                return i + 1, line
            i += 1
        elif ch == "#":
            i = _eol(text, i)
        elif ch in "\"'":
            i, line = _skip_string(text, i, line)
        elif ch in "[{":
            brackets.append(ch)
            expecting = len(brackets) == 1 and ch == "[" and element == -1
            key_next = ch == "{"
            i += 1
        elif ch in "]}":
            if brackets:
                brackets.pop()
            i += 1
        elif ch == ",":
            if len(brackets) == 1:
                expecting = element >= 0
            key_next = bool(brackets) and brackets[-1] == "{"
            i += 1
        else:
            i += 1
    return n, line


def _skip_string(text: str, i: int, line: int) -> tuple[int, int]:
    """Skip one string of any of TOML's four kinds starting at i."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        j = i + 3
        while True:
            j = text.find(quote * 3, j)
            if j < 0:
                return len(text), line + text.count("\n", i)
            if quote == "'" or not _escaped(text, j):
                break
            j += 1
        end = j + 3
        while end < len(text) and text[end] == quote and end - j < 5:  # up to 2 quotes of content
            end += 1
        return end, line + text.count("\n", i, end)
    j = i + 1
    while j < len(text) and text[j] != "\n":
        if text[j] == quote and (quote == "'" or not _escaped(text, j)):
            return j + 1, line
        j += 1
    return j, line


def _escaped(text: str, j: int) -> bool:
    """Whether the character at j is preceded by an odd number of backslashes."""
    k = j
    while k > 0 and text[k - 1] == "\\":
        k -= 1
    return (j - k) % 2 == 1
