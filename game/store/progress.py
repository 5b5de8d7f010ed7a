"""The Store: a player's profile, settings, records, named solutions and run in progress.

Open it with `Store.open(folder)`: it takes the folder's lock, reads `progress.json` (moving a
corrupt one aside and migrating an older one) and keeps every later change on disk at once.
`Store.in_memory()` keeps nothing, for tests and for a session whose saves could not be used.
Whatever happened on opening that the player should know is in `notices`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import MemoryStorage

from game.engine.actions import Action
from game.engine.metrics import METRICS
from game.store import schema
from game.store.errors import SaveError
from game.store.lock import FolderLock
from game.store.storage import AtomicJSONStorage

FILE_NAME = "progress.json"
MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_PROFILE = "player"


@dataclass(frozen=True, slots=True)
class LevelRecord:
    """What a player has achieved on one level."""

    level: str  # "<pack>/<level>"
    stars: int  # the most stars of any run
    best: Mapping[str, float]  # each score's best over passed runs, kept separately
    runs: tuple[tuple[int, Mapping[str, float]], ...]  # (stars, scores), oldest first

    @property
    def passed(self) -> bool:
        return self.stars > 0


@dataclass(frozen=True, slots=True)
class SavedSolution:
    """A named plan for a level, like a draft: the actions, and its scores if it was a whole run."""

    level: str
    name: str
    seed: int | None
    actions: tuple[Action, ...]
    scores: Mapping[str, float] | None = None
    stars: int | None = None


@dataclass(frozen=True, slots=True)
class SavedRun:
    """A level left unfinished: re-simulating its actions up to `tick` gives back the same state."""

    level: str
    seed: int
    tick: int
    actions: tuple[Action, ...]
    level_digest: str = ""  # campaign.level_digest of the level it was played on


@dataclass(frozen=True, slots=True)
class RunRecorded:
    """What recording a run changed: the new record and the scores it improved."""

    record: LevelRecord
    new_bests: tuple[str, ...]
    first_pass: bool


class Store:
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
        lock = FolderLock(folder)
        lock.acquire()
        try:
            data, notices = _load(folder / FILE_NAME)
            storage = AtomicJSONStorage(folder / FILE_NAME, data)
            db = TinyDB(folder / FILE_NAME, storage=lambda _path: storage)
            store = cls(db, folder, lock, notices)
            if not (folder / FILE_NAME).exists() or notices:
                store._write_all(data)
        except BaseException:
            lock.release()
            raise
        return store

    @classmethod
    def read_only(cls, folder: Path) -> Store:
        """The saves in `folder` as they are, to read while a game may hold the lock (as the
        command line does): nothing on disk is written, moved or migrated. Raises SaveError
        when the file cannot be used."""
        path = folder / FILE_NAME
        data = _fresh()
        if path.exists():
            try:
                data = _parse(path)
                if schema.version_of(data) < schema.VERSION:
                    data = _migrated(data)
                schema.check(data)
            except OSError as error:
                raise SaveError(f"Cannot read {path}: {error.strerror or error}.") from None
            except _UNREADABLE as error:
                raise SaveError(f"Cannot read {path}: {_plain_reason(error)}.") from None
        store = cls(TinyDB(storage=MemoryStorage), None, None, [])
        store._write_all(data)
        return store

    @classmethod
    def in_memory(cls, notices: Iterable[str] = ()) -> Store:
        db = TinyDB(storage=MemoryStorage)
        store = cls(db, None, None, list(notices))
        store._write_all(_fresh())
        return store

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def path(self) -> Path | None:
        return self.folder / FILE_NAME if self.folder else None

    def _write_all(self, data: dict[str, Any]) -> None:
        self._db.storage.write(data)

    # -- profile and settings -----------------------------------------------------------------

    def profile_name(self) -> str:
        profile = self._db.table("profile").get(doc_id=1)
        return profile["name"] if profile else DEFAULT_PROFILE

    def settings(self) -> dict[str, Any] | None:
        """The saved theme, speed and animation, or None if never saved."""
        profile = self._db.table("profile").get(doc_id=1)
        return dict(profile["settings"]) if profile and profile.get("settings") else None

    def save_settings(self, theme: str, speed: int, animation: str) -> None:
        settings = schema.SettingsDoc(theme=theme, speed=speed, animation=animation)
        self._write(
            lambda: self._db.table("profile").upsert(
                _document(1, {"name": self.profile_name(), "settings": settings.model_dump()}),
            )
        )

    # -- records ------------------------------------------------------------------------------

    def record(self, level: str) -> LevelRecord | None:
        document = self._db.table("records").get(Query().level == level)
        return _record(document) if document else None

    def record_run(self, level: str, scores: Mapping[str, float], stars: int) -> RunRecorded:
        """Keep a finished run: its place in the history, and any score it is the best at."""
        scores = {metric: float(scores[metric]) for metric in METRICS if metric in scores}
        old = self.record(level)
        best = dict(old.best) if old else {}
        new_bests = []
        if stars > 0:
            for metric, value in scores.items():
                if metric not in best or METRICS[metric].better(value, best[metric]):
                    best[metric] = value
                    new_bests.append(metric)
        runs = [{"stars": s, "scores": dict(v)} for s, v in (old.runs if old else ())]
        runs = (runs + [{"stars": stars, "scores": scores}])[-schema.MAX_RUNS_KEPT :]
        document = {
            "level": level,
            "stars": max(stars, old.stars if old else 0),
            "best": best,
            "runs": runs,
        }
        self._write(lambda: self._db.table("records").upsert(document, Query().level == level))
        first_pass = stars > 0 and not (old and old.passed)
        return RunRecorded(_record(document), tuple(new_bests), first_pass)

    # -- named solutions ----------------------------------------------------------------------

    def solutions(self, level: str) -> list[SavedSolution]:
        found = self._db.table("solutions").search(Query().level == level)
        return sorted((_solution(doc) for doc in found), key=lambda s: s.name.casefold())

    def solution(self, level: str, name: str) -> SavedSolution | None:
        doc = self._db.table("solutions").get(_solution_query(level, name))
        return _solution(doc) if doc else None

    def save_solution(self, solution: SavedSolution, *, replace: bool = False) -> None:
        """Keep a named solution; an existing name is refused unless `replace`."""
        document = _solution_document(solution)
        query = _solution_query(solution.level, solution.name)
        table = self._db.table("solutions")
        if not replace and table.contains(query):
            raise SaveError(f"There is already a solution named {solution.name!r} for this level.")
        self._write(lambda: table.upsert(document, query))

    def copy_solution(self, level: str, name: str, new_name: str) -> SavedSolution:
        original = self._existing(level, name)
        copy = SavedSolution(
            level, new_name, original.seed, original.actions, original.scores, original.stars
        )
        self.save_solution(copy)
        return copy

    def rename_solution(self, level: str, name: str, new_name: str) -> SavedSolution:
        original = self._existing(level, name)
        if new_name == name:
            return original
        renamed = SavedSolution(
            level, new_name, original.seed, original.actions, original.scores, original.stars
        )
        document = _solution_document(renamed)
        table = self._db.table("solutions")
        if table.contains(_solution_query(level, new_name)):
            raise SaveError(f"There is already a solution named {new_name!r} for this level.")
        self._write(lambda: table.update(document, _solution_query(level, name)))
        return renamed

    def delete_solution(self, level: str, name: str) -> None:
        self._existing(level, name)
        self._write(lambda: self._db.table("solutions").remove(_solution_query(level, name)))

    def free_name(self, level: str, wanted: str) -> str:
        """`wanted`, or `wanted-2`, `wanted-3`... whichever this level has no solution named."""
        names = {s.name for s in self.solutions(level)}
        if wanted not in names:
            return wanted
        n = 2
        while f"{wanted}-{n}"[: schema.MAX_NAME] in names:
            n += 1
        return f"{wanted}-{n}"[: schema.MAX_NAME]

    def _existing(self, level: str, name: str) -> SavedSolution:
        found = self.solution(level, name)
        if found is None:
            raise SaveError(f"There is no solution named {name!r} for this level.")
        return found

    # -- the run in progress ------------------------------------------------------------------

    def current_run(self) -> SavedRun | None:
        doc = self._db.table("run").get(doc_id=1)
        if doc is None:
            return None
        actions = _actions(doc["actions"])
        return SavedRun(doc["level"], doc["seed"], doc["tick"], actions, doc["level_digest"])

    def save_run(self, run: SavedRun) -> None:
        document = schema.RunDoc(
            level=run.level,
            seed=run.seed,
            tick=run.tick,
            actions=_action_docs(run.actions),
            level_digest=run.level_digest,
        ).model_dump()
        self._write(lambda: self._db.table("run").upsert(_document(1, document)))

    def clear_run(self) -> None:
        if self._db.table("run").get(doc_id=1) is not None:
            self._write(lambda: self._db.table("run").truncate())

    # -- writing ------------------------------------------------------------------------------

    def _write(self, change) -> None:
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


# -- reading the file -------------------------------------------------------------------------


def _fresh() -> dict[str, Any]:
    return {"meta": {"1": {"version": schema.VERSION}}, "profile": {"1": {"name": DEFAULT_PROFILE}}}


def _load(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The save's data, migrated; a file that cannot be used is moved aside, and said so."""
    if not path.exists():
        return _fresh(), []
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
        return _fresh(), [
            f"Your save file could not be read ({reason}). It was moved, unchanged, to {aside}; "
            "you start with a fresh profile."
        ]


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


# -- documents <-> values ---------------------------------------------------------------------


def _document(doc_id: int, fields: dict[str, Any]):
    from tinydb.table import Document

    return Document(fields, doc_id=doc_id)


def _record(doc: Mapping[str, Any]) -> LevelRecord:
    runs = tuple((run["stars"], dict(run["scores"])) for run in doc["runs"])
    return LevelRecord(doc["level"], doc["stars"], dict(doc["best"]), runs)


def _solution_query(level: str, name: str):
    entry = Query()
    return (entry.level == level) & (entry.name == name)


def _solution_document(solution: SavedSolution) -> dict[str, Any]:
    return schema.SolutionDoc(
        level=solution.level,
        name=solution.name,
        seed=solution.seed,
        actions=_action_docs(solution.actions),
        scores=dict(solution.scores) if solution.scores is not None else None,
        stars=solution.stars,
    ).model_dump()


def _solution(doc: Mapping[str, Any]) -> SavedSolution:
    return SavedSolution(
        doc["level"],
        doc["name"],
        doc.get("seed"),
        _actions(doc["actions"]),
        dict(doc["scores"]) if doc.get("scores") is not None else None,
        doc.get("stars"),
    )


def _action_docs(actions: Iterable[Action]) -> list[schema.ActionDoc]:
    return [
        schema.ActionDoc(
            tick=a.tick,
            verb=a.verb,
            kind=a.kind,
            target=a.target,
            size=a.size,
            setting=a.setting,
            value=a.value,
        )
        for a in actions
    ]


def _actions(docs: Iterable[Mapping[str, Any]]) -> tuple[Action, ...]:
    return tuple(Action(**dict(doc)) for doc in docs)
