"""What can go wrong with saves, in words a player can act on."""

from __future__ import annotations


class SaveError(Exception):
    """A save could not be written or read; the message says what, where and what to do."""


class SavesLocked(SaveError):
    """Another running game holds the saves folder."""
