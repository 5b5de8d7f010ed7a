"""What the Store's parts share: the database, the one way to change it, and actions as
documents.

Each part (records, solutions, the unfinished run) is a base class of the Store that keeps one
table of the save; it reads `_db` and changes it only through `_write`, which turns a refusal
of the disk into a SaveError that says what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

from game.engine.actions import Action, ScaleRule
from game.store import schema
from game.store.errors import SaveError
from game.store.savefile import FILE_NAME


class Tables:
    """The database behind the Store's parts (the Store opens it)."""

    _db: TinyDB
    folder: Path | None  # None for a store that keeps nothing on disk

    @property
    def path(self) -> Path | None:
        """The save file, if this store keeps one."""
        return self.folder / FILE_NAME if self.folder else None

    def _write(self, change: Callable[[], object]) -> None:
        """Make a change; if the disk refuses it, say so (the last save on disk stays whole)."""
        try:
            change()
        except OSError as error:
            for table in schema.TABLES:
                self._db.table(table).clear_cache()
            where = self.path or "the saves folder"
            raise SaveError(
                f"Could not save to {where}: {error.strerror or error}. "
                "Your progress up to the last save is safe; free some space or check the "
                "folder's permissions."
            ) from None


def document(doc_id: int, fields: dict[str, Any]) -> Document:
    """A document with a fixed id, for the tables that hold one (profile, run)."""
    return Document(fields, doc_id=doc_id)


def action_docs(actions: Iterable[Action]) -> list[schema.ActionDoc]:
    return [
        schema.ActionDoc(
            tick=a.tick,
            verb=a.verb,
            kind=a.kind,
            target=a.target,
            size=a.size,
            setting=a.setting,
            value=a.value,
            rule=schema.RuleDoc(**asdict(a.rule)) if a.rule is not None else None,
        )
        for a in actions
    ]


def actions_of(docs: Iterable[Mapping[str, Any]]) -> tuple[Action, ...]:
    return tuple(_action(dict(doc)) for doc in docs)


def _action(fields: dict[str, Any]) -> Action:
    rule = fields.pop("rule", None)
    return Action(**fields, rule=ScaleRule(**rule) if rule is not None else None)
