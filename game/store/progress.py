"""The Store: a player's profile, settings, records, named solutions and run in progress.

Open it with `Store.open(folder)`: it takes the folder's lock, reads `progress.json` (moving a
corrupt one aside and migrating an older one, see savefile) and keeps every later change on
disk at once. `Store.in_memory()` keeps nothing, for tests and for a session whose saves could
not be used. Whatever happened on opening that the player should know is in `notices`.

The Store is its parts, one per table: records (records.py), named solutions (solutions.py)
and the run in progress (unfinished.py); this module opens and closes the file and keeps the
profile and settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from game.store import savefile, schema
from game.store.errors import SaveError
from game.store.lock import FolderLock
from game.store.records import LevelRecord, RecordsTable, RunRecorded
from game.store.solutions import SavedSolution, SolutionsTable
from game.store.storage import AtomicJSONStorage
from game.store.tables import document
from game.store.unfinished import RunTable, SavedRun

# The values the Store hands out are importable from here too, as from game.store.
__all__ = ["LevelRecord", "RunRecorded", "SavedRun", "SavedSolution", "Store"]


class Store(RecordsTable, SolutionsTable, RunTable):
    def __init__(
        self, db: TinyDB, folder: Path | None, lock: FolderLock | None, notices: list[str]
    ) -> None:
        self._db = db
        self.folder = folder
        self._lock = lock
        self.notices = notices

    # -- opening and closing ------------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path) -> Store:
        """The saves in `folder`, locked for this process. Raises SavesLocked or SaveError."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SaveError(f"Cannot create the saves folder {folder}: {error.strerror}.") from None
        path = folder / savefile.FILE_NAME
        lock = FolderLock(folder)
        lock.acquire()
        try:
            data, notices = savefile.load(path)
            storage = AtomicJSONStorage(path, data)
            db = TinyDB(path, storage=lambda _path: storage)
            store = cls(db, folder, lock, notices)
            if not path.exists() or notices:
                store._write_all(data)
        except OSError as error:
            lock.release()
            raise SaveError(f"Cannot save to {path}: {error.strerror or error}.") from None
        except BaseException:
            lock.release()
            raise
        return store

    @classmethod
    def read_only(cls, folder: Path) -> Store:
        """The saves in `folder` as they are, to read while a game may hold the lock (as the
        command line does): nothing on disk is written, moved or migrated. Raises SaveError
        when the file cannot be used."""
        data = savefile.read(folder / savefile.FILE_NAME)
        store = cls(TinyDB(storage=MemoryStorage), None, None, [])
        store._write_all(data)
        return store

    @classmethod
    def in_memory(cls, notices: Iterable[str] = ()) -> Store:
        store = cls(TinyDB(storage=MemoryStorage), None, None, list(notices))
        store._write_all(savefile.fresh())
        return store

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _write_all(self, data: dict[str, Any]) -> None:
        self._db.storage.write(data)

    # -- profile and settings -----------------------------------------------------------------

    def profile_name(self) -> str:
        profile = self._db.table("profile").get(doc_id=1)
        return profile["name"] if profile else savefile.DEFAULT_PROFILE

    def settings(self) -> dict[str, Any] | None:
        """The saved theme, speed and animation, or None if never saved."""
        profile = self._db.table("profile").get(doc_id=1)
        return dict(profile["settings"]) if profile and profile.get("settings") else None

    def save_settings(self, theme: str, speed: int, animation: str) -> None:
        settings = schema.SettingsDoc(theme=theme, speed=speed, animation=animation)
        fields = {"name": self.profile_name(), "settings": settings.model_dump()}
        self._write(lambda: self._db.table("profile").upsert(document(1, fields)))
