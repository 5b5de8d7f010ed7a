"""The line a field is set on, for messages: ("traffic", "mix", "read") -> the `read =` line.

A field's line is the first line that names it: its `key =` line, its table header, the line an
array element starts on. A field not written falls back to its nearest written parent (a missing
key to its table's header, an element to its array's key), and a field of which nothing is
written has no line.

Only the asked paths are looked for: the text is scanned once (game.content.toml_keys) and each
header or key is followed down a tree of the asked paths, as far as it matches one. The work is
one pass over the text plus the length of the asked paths, the memory that of the tree, however
many parts a header has and however many problems a file has.
"""

from __future__ import annotations

from collections.abc import Sequence

from game.content.toml_keys import ARRAY_TABLE, ELEMENT, KEY, TABLE, Key, keys

Path = Sequence[str | int]


class _Field:
    """A prefix of an asked path: the first line that names it and, for an array of tables,
    the index of its last table so far (the one the keys below its header belong to)."""

    __slots__ = ("below", "line", "last_table")

    def __init__(self) -> None:
        self.below: dict[str | int, _Field] = {}
        self.line: int | None = None
        self.last_table = -1


def field_line(text: str, path: Path) -> int | None:
    """The 1-based line where field `path` (e.g. ("start", 2, "size")) is set in TOML `text`."""
    return field_lines(text, [path])[0]


def field_lines(text: str, paths: Sequence[Path]) -> list[int | None]:
    """The lines of several fields of one text, found in one pass (see field_line)."""
    root = _Field()
    for path in paths:
        node = root
        for part in path:
            node = node.below.setdefault(part, _Field())
    keep = max((len(path) for path in paths), default=0)
    if keep:
        _note_lines(root, text, keep)
    return [_written(root, path) for path in paths]


def _note_lines(root: _Field, text: str, keep: int) -> None:
    table: _Field | None = root  # the table the next `key =` lines belong to, if asked about
    key: _Field | None = None  # the last `key =`, if asked about (for its array's elements)
    for found in keys(text, keep):
        if found.what in (TABLE, ARRAY_TABLE):
            table, key = _header(root, found), None
        elif found.what == KEY:
            key = None if table is None else _follow(table, found.parts, found.line)
            if found.count > len(found.parts):  # longer than any asked path
                key = None
        elif found.what == ELEMENT and key is not None:
            _follow(key, (found.count,), found.line)


def _header(root: _Field, found: Key) -> _Field | None:
    """Note the lines of a table header's prefixes; the table it opens, if asked about.

    [[a]] opens a new table of the array a, and a key or header below it names a[last].
    """
    node = root
    whole = found.count == len(found.parts)
    for k, part in enumerate(found.parts):
        node = _follow(node, (part,), found.line)
        if node is None:
            return None
        if whole and k == len(found.parts) - 1 and found.what == ARRAY_TABLE:
            node.last_table += 1
        if node.last_table >= 0:
            node = _follow(node, (node.last_table,), found.line)
            if node is None:
                return None
    return node if whole else None


def _follow(node: _Field, parts: Sequence[str | int], line: int) -> _Field | None:
    """Walk down `parts` as far as they are asked about, noting `line` where none is yet."""
    for part in parts:
        node = node.below.get(part)
        if node is None:
            return None
        if node.line is None:
            node.line = line
    return node


def _written(root: _Field, path: Path) -> int | None:
    """The line of the longest prefix of `path` that the text names."""
    node, line = root, None
    for part in path:
        node = node.below[part]
        if node.line is not None:
            line = node.line
    return line
