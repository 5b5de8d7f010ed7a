"""The run in progress: a level left unfinished, kept as its actions so far."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from game.engine.actions import Action
from game.store import schema
from game.store.tables import Tables, action_docs, actions_of, document


@dataclass(frozen=True, slots=True)
class SavedRun:
    """A level left unfinished: re-simulating its actions up to `tick` gives back the same state."""

    level: str
    seed: int
    tick: int
    actions: tuple[Action, ...]
    level_digest: str = ""  # campaign.level_digest of the level it was played on
    speed: int | None = None  # how it was being played when left (None: as the settings say)
    paused: bool = False
    redo: SavedRedo | None = None  # the moves a rewind took back, still to be made again


@dataclass(frozen=True, slots=True)
class SavedRedo:
    """What a rewind left pending (game.ui.rewind.Redo): kept, so Continue can still redo it."""

    to_tick: int
    from_tick: int
    moves: tuple[Action, ...]


class RunTable(Tables):
    """The Store's unfinished run: at most one, the last level left before its end."""

    def current_run(self) -> SavedRun | None:
        doc = self._db.table("run").get(doc_id=1)
        if doc is None:
            return None
        actions = actions_of(doc["actions"])
        return SavedRun(
            doc["level"],
            doc["seed"],
            doc["tick"],
            actions,
            doc["level_digest"],
            doc.get("speed"),
            doc.get("paused", False),
            _redo_of(doc.get("redo")),
        )

    def save_run(self, run: SavedRun) -> None:
        fields = schema.RunDoc(
            level=run.level,
            seed=run.seed,
            tick=run.tick,
            actions=action_docs(run.actions),
            level_digest=run.level_digest,
            speed=run.speed,
            paused=run.paused,
            redo=_redo_doc(run.redo),
        ).model_dump()
        self._write(lambda: self._db.table("run").upsert(document(1, fields)))

    def clear_run(self) -> None:
        if self._db.table("run").get(doc_id=1) is not None:
            self._write(lambda: self._db.table("run").truncate())


def _redo_doc(redo: SavedRedo | None) -> schema.RedoDoc | None:
    if redo is None:
        return None
    moves = action_docs(redo.moves)
    return schema.RedoDoc(to_tick=redo.to_tick, from_tick=redo.from_tick, moves=moves)


def _redo_of(doc: Mapping[str, Any] | None) -> SavedRedo | None:
    if doc is None:
        return None
    return SavedRedo(doc["to_tick"], doc["from_tick"], actions_of(doc["moves"]))
