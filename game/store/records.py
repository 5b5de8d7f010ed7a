"""Records: what a player has achieved on each level, its best scores and its recent runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tinydb import Query

from game.engine.metrics import METRICS
from game.store import schema
from game.store.tables import Tables


@dataclass(frozen=True, slots=True)
class LevelRecord:
    """What a player has achieved on one level."""

    level: str  # "<pack>/<level>"
    stars: int  # the most stars of any run
    best: Mapping[str, float]  # each score's best over passed runs, kept separately
    runs: tuple[tuple[int, Mapping[str, float]], ...]  # (stars, scores), oldest first
    by_seed: Mapping[int, Mapping[str, float]] = field(default_factory=dict)  # endless levels:
    # each score's best over every run on a seed, passed or not

    @property
    def passed(self) -> bool:
        return self.stars > 0


@dataclass(frozen=True, slots=True)
class RunRecorded:
    """What recording a run changed: the new record and the scores it improved."""

    record: LevelRecord
    new_bests: tuple[str, ...]
    first_pass: bool


class RecordsTable(Tables):
    """The Store's records: one document per level played."""

    def record(self, level: str) -> LevelRecord | None:
        document = self._db.table("records").get(Query().level == level)
        return _record(document) if document else None

    def record_run(
        self, level: str, scores: Mapping[str, float], stars: int, seed: int | None = None
    ) -> RunRecorded:
        """Keep a finished run: its place in the history, and any score it is the best at. With
        `seed` (an endless level's run), its scores also count toward that seed's bests."""
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
        by_seed = {s: dict(v) for s, v in (old.by_seed if old else {}).items()}
        if seed is not None:
            mine = by_seed.pop(seed, {})  # back in last: the seeds played longest ago go first
            for metric, value in scores.items():
                if metric not in mine or METRICS[metric].better(value, mine[metric]):
                    mine[metric] = value
            by_seed[seed] = mine
            while len(by_seed) > schema.MAX_SEEDS_KEPT:
                del by_seed[next(iter(by_seed))]
        document = {
            "level": level,
            "stars": max(stars, old.stars if old else 0),
            "best": best,
            "runs": runs,
            "by_seed": [{"seed": s, "best": best} for s, best in by_seed.items()],
        }
        self._write(lambda: self._db.table("records").upsert(document, Query().level == level))
        first_pass = stars > 0 and not (old and old.passed)
        return RunRecorded(_record(document), tuple(new_bests), first_pass)


def _record(doc: Mapping[str, Any]) -> LevelRecord:
    runs = tuple((run["stars"], dict(run["scores"])) for run in doc["runs"])
    by_seed = {entry["seed"]: dict(entry["best"]) for entry in doc.get("by_seed", ())}
    return LevelRecord(doc["level"], doc["stars"], dict(doc["best"]), runs, by_seed)
