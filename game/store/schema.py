"""The save file's shape, its version, and how older versions become the current one.

The file is a tinydb database: tables of documents keyed by id. Each table's documents are
checked against a model here when the file is opened, so a file of the wrong shape is found at
once, not halfway through a level. An older version is migrated step by step, never discarded.

Version history:
- 1: one best run per level (`best_run`: the scores of the run with the most stars) and the
  settings in a table of their own.
- 2: each best score kept separately (`best`), the recent runs for the results histograms, the
  settings inside the profile, named solutions and the run in progress.
- 3: endless levels' best scores per seed (`by_seed`), so a seed of the day has its own table;
  scale-rule moves (`rule`) in solutions and the run in progress; the run in progress keeps its
  speed and pause, so Continue after a restart of the game brings it back as it was.
- 4: the run in progress keeps the moves a rewind took back and not yet made again (`redo`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from game.content.schema import MAX_ACTIONS, MAX_ID, Id
from game.engine import catalog
from game.engine.metrics import METRICS
from game.engine.scenario import VERBS

VERSION = 4
MAX_RUNS_KEPT = 200  # per level, for the histograms on the results screen
MAX_SEEDS_KEPT = 400  # per endless level, the seeds with a best of their own (a year of days)
MAX_NAME = MAX_ID
MAX_ID_DIGITS = 18  # a document id tinydb reads as an int
Tick = Annotated[int, Field(ge=0, le=catalog.MAX_TICKS)]
Seed = Annotated[int, Field(ge=0, le=catalog.MAX_SEED)]
Name = Id  # a solution's name is an id, as in a pack's solution files, so it exports as it is
LevelKey = Annotated[str, Field(min_length=3, max_length=200, pattern=r"^[^/]+/[^/]+$")]
Scores = dict[Literal[tuple(METRICS)], float]  # type: ignore[valid-type]
Stars = Annotated[int, Field(ge=0, le=3)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleDoc(_Doc):
    """A scale rule (game.engine.actions.ScaleRule); the engine judges its values."""

    size: str = Field(max_length=MAX_ID)
    above: int
    for_s: int
    most: int
    below: int
    least: int


class ActionDoc(_Doc):
    tick: Tick
    verb: Literal[VERBS]  # type: ignore[valid-type]
    kind: str = ""
    target: str = ""
    size: str = "S"
    setting: str = ""
    value: str | bool | float = ""
    rule: RuleDoc | None = None  # a rule move: the rule it sets (None: it clears the rule)


class SettingsDoc(_Doc):
    theme: str = Field(max_length=100)
    speed: Literal[catalog.SPEEDS]  # type: ignore[valid-type]
    animation: Literal["full", "reduced", "none"]


class MetaDoc(_Doc):
    version: int


class ProfileDoc(_Doc):
    name: Name
    settings: SettingsDoc | None = None


class RunScoresDoc(_Doc):
    stars: Stars
    scores: Scores


class SeedBestDoc(_Doc):
    seed: Seed
    best: Scores


class RecordDoc(_Doc):
    level: LevelKey
    stars: Stars
    best: Scores  # each score's best over passed runs, kept separately
    runs: list[RunScoresDoc] = Field(max_length=MAX_RUNS_KEPT)
    by_seed: list[SeedBestDoc] = Field(default_factory=list, max_length=MAX_SEEDS_KEPT)


class SolutionDoc(_Doc):
    level: LevelKey
    name: Name
    seed: Seed | None = None
    actions: list[ActionDoc] = Field(max_length=MAX_ACTIONS)
    scores: Scores | None = None  # its re-simulated scores, when it was saved from a whole run
    stars: Stars | None = None


class RedoDoc(_Doc):
    """The moves a rewind took back (game.ui.rewind.Redo), still to be made again."""

    to_tick: Tick  # the tick the run was taken back to
    from_tick: Tick  # the furthest tick it had reached before
    moves: list[ActionDoc] = Field(max_length=MAX_ACTIONS)


class RunDoc(_Doc):
    level: LevelKey
    seed: Seed
    tick: Tick
    actions: list[ActionDoc] = Field(max_length=MAX_ACTIONS)
    level_digest: str = Field("", max_length=64)  # the level's rules when the run was saved
    speed: Literal[catalog.SPEEDS] | None = None  # type: ignore[valid-type]
    paused: bool = False
    redo: RedoDoc | None = None


TABLES: dict[str, type[_Doc]] = {
    "meta": MetaDoc,
    "profile": ProfileDoc,
    "records": RecordDoc,
    "solutions": SolutionDoc,
    "run": RunDoc,
}


class WrongShape(ValueError):
    """The file parses but is not a save of the shape this version expects."""


def checked(data: Any) -> dict[str, Any]:
    """`data` as a current-version save, every document complete (its defaults filled in), or
    WrongShape saying where it is not one."""
    if not isinstance(data, dict):
        raise WrongShape("the file is not a table of tables")
    out: dict[str, Any] = {}
    for table, documents in data.items():
        model = TABLES.get(table)
        if table == "_default" and documents == {}:
            continue
        if model is None:
            raise WrongShape(f"unknown table {str(table)[:40]!r}")
        if not isinstance(documents, dict):
            raise WrongShape(f"table {table!r} is not a table of documents")
        out[table] = {}
        for key, document in documents.items():
            if not (key.isascii() and key.isdigit() and len(key) <= MAX_ID_DIGITS):
                raise WrongShape(f"{table}: document id {key[:40]!r} is not a number")
            try:
                out[table][key] = model.model_validate(document).model_dump()
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                raise WrongShape(f"{table}[{key}].{where}: {first['msg']}") from None
    return out


def version_of(data: Any) -> int:
    """The version a save says it is (1 when it says nothing: the first files had no meta)."""
    if not isinstance(data, dict):
        raise WrongShape("the file is not a table of tables")
    meta = data.get("meta") or {}
    if not isinstance(meta, dict):
        raise WrongShape("table 'meta' is not a table of documents")
    versions = [doc.get("version") for doc in meta.values() if isinstance(doc, dict)]
    if not versions:
        return 1
    version = versions[0]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise WrongShape(f"meta.version is {version!r}, not a version number")
    return version


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """An older save brought to the current version, one step at a time."""
    version = version_of(data)
    while version < VERSION:
        data = _STEPS[version](data)
        version += 1
    data["meta"] = {"1": {"version": VERSION}}
    return data


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept one best run per level and the settings in their own table."""
    if not isinstance(data, dict):
        raise WrongShape("the file is not a table of tables")
    out: dict[str, Any] = {"meta": {}}
    records = {}
    for key, old in _documents(data, "records").items():
        best_run = old.get("best_run") or {}
        stars = old.get("stars", 0)
        records[key] = {
            "level": old.get("level"),
            "stars": stars,
            "best": dict(best_run) if stars > 0 else {},
            "runs": [{"stars": stars, "scores": dict(best_run)}] if best_run else [],
        }
    out["records"] = records
    settings = next(iter(_documents(data, "settings").values()), None)
    profile = next(iter(_documents(data, "profile").values()), {"name": "player"})
    out["profile"] = {"1": {"name": profile.get("name", "player"), "settings": settings}}
    return out


def _documents(data: dict[str, Any], table: str) -> dict[str, Any]:
    documents = data.get(table) or {}
    if not isinstance(documents, dict) or not all(isinstance(d, dict) for d in documents.values()):
        raise WrongShape(f"table {table!r} is not a table of documents")
    return documents


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 only adds the endless levels' bests per seed, empty in an older save."""
    return data


def _v3_to_v4(data: dict[str, Any]) -> dict[str, Any]:
    """Version 4 only adds a run's pending redo, none in an older save."""
    return data


_STEPS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
}
