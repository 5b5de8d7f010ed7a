"""Named solutions: plans a player keeps for a level, like drafts, to replay, copy, rename,
delete and export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tinydb import Query

from game.engine.actions import Action
from game.store import schema
from game.store.errors import SaveError
from game.store.tables import Tables, action_docs, actions_of


@dataclass(frozen=True, slots=True)
class SavedSolution:
    """A named plan for a level, like a draft: the actions, and its scores if it was a whole run."""

    level: str
    name: str
    seed: int | None
    actions: tuple[Action, ...]
    scores: Mapping[str, float] | None = None
    stars: int | None = None


class SolutionsTable(Tables):
    """The Store's named solutions, one document per (level, name)."""

    def solutions(self, level: str) -> list[SavedSolution]:
        found = self._db.table("solutions").search(Query().level == level)
        return sorted((_solution(doc) for doc in found), key=lambda s: s.name.casefold())

    def solution(self, level: str, name: str) -> SavedSolution | None:
        doc = self._db.table("solutions").get(_query(level, name))
        return _solution(doc) if doc else None

    def save_solution(self, solution: SavedSolution, *, replace: bool = False) -> None:
        """Keep a named solution; an existing name is refused unless `replace`."""
        document = _document(solution)
        query = _query(solution.level, solution.name)
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
        document = _document(renamed)
        table = self._db.table("solutions")
        if table.contains(_query(level, new_name)):
            raise SaveError(f"There is already a solution named {new_name!r} for this level.")
        self._write(lambda: table.update(document, _query(level, name)))
        return renamed

    def delete_solution(self, level: str, name: str) -> None:
        self._existing(level, name)
        self._write(lambda: self._db.table("solutions").remove(_query(level, name)))

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


def _query(level: str, name: str):
    entry = Query()
    return (entry.level == level) & (entry.name == name)


def _document(solution: SavedSolution) -> dict[str, Any]:
    return schema.SolutionDoc(
        level=solution.level,
        name=solution.name,
        seed=solution.seed,
        actions=action_docs(solution.actions),
        scores=dict(solution.scores) if solution.scores is not None else None,
        stars=solution.stars,
    ).model_dump()


def _solution(doc: Mapping[str, Any]) -> SavedSolution:
    return SavedSolution(
        doc["level"],
        doc["name"],
        doc.get("seed"),
        actions_of(doc["actions"]),
        dict(doc["scores"]) if doc.get("scores") is not None else None,
        doc.get("stars"),
    )
