"""Text from outside (a path, an argument, a folder's name, a message quoting a file) made safe
to show: every character that could drive a terminal or hide what is shown (control codes such
as ESC, bidi overrides, zero-width and other invisible format characters, line separators) is
written as its escape, `\\x1b` or `\\u202e`, so it is seen rather than obeyed.
"""

from __future__ import annotations

import unicodedata

# Cc controls, Cf format characters (bidi, zero-width), Zl/Zp separators, Cs lone surrogates.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def is_unsafe(ch: str) -> bool:
    """Whether showing `ch` as it is could change what a terminal shows or does."""
    return unicodedata.category(ch) in UNSAFE_CATEGORIES


def visible(text: object, *, lines: bool = False) -> str:
    """`text` (as str) with each unsafe character escaped; newlines kept when `lines`."""
    text = str(text)
    if text.isprintable():  # the usual case: nothing to escape
        return text
    kept = "\n" if lines else ""
    return "".join(_escaped(ch) if is_unsafe(ch) and ch not in kept else ch for ch in text)


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
