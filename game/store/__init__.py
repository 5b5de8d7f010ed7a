"""The player's progress on disk: profile, settings, records, named solutions, the run in progress.

Layers: this package reads engine types and content (levels, solution files) and is read by the
UI and the CLI. Everything is kept in one tinydb file, written atomically under a folder lock.
"""

from game.store.errors import SaveError, SavesLocked
from game.store.location import saves_folder
from game.store.progress import Store
from game.store.records import LevelRecord, RunRecorded
from game.store.solutions import SavedSolution
from game.store.unfinished import SavedRun

__all__ = [
    "LevelRecord",
    "RunRecorded",
    "SaveError",
    "SavedRun",
    "SavedSolution",
    "SavesLocked",
    "Store",
    "saves_folder",
]
