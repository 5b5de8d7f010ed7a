"""Level packs: a folder with pack.toml, one TOML file per level, solutions/ and codex/.

A pack is untrusted input. Nothing in it runs; every file is size-checked and validated; a file
is only ever read from inside the pack's own folder (links that lead out are refused); and the
counts of levels, solutions and codex entries are bounded.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from game.content.errors import LevelError, Problem, quote
from game.content.figures import fill
from game.content.loader import load_file, load_level, load_plan_file
from game.content.schema import (
    MAX_LEVEL_BYTES,
    MAX_PACK_BYTES,
    CodexFile,
    LevelFile,
    PackFile,
    PlanFile,
)
from game.engine.actions import Action
from game.engine.scenario import Scenario

MAX_SOLUTIONS = 500
MAX_CODEX = 200
BUILTIN_PACKS = Path(__file__).resolve().parents[2] / "levels"


@dataclass(frozen=True, slots=True)
class Solution:
    """A plan for a level with what it must achieve: `stars` exactly, or a failure."""

    name: str
    path: Path
    file: PlanFile
    actions: tuple[Action, ...]

    @property
    def counter(self) -> bool:
        return self.file.expect is not None and self.file.expect.passed is False


@dataclass(frozen=True, slots=True)
class PackLevel:
    file: LevelFile
    scenario: Scenario
    path: Path
    solutions: tuple[Solution, ...]

    @property
    def id(self) -> str:
        return self.file.id

    @property
    def briefing(self) -> str:
        """The briefing with the catalog's figures filled in."""
        return fill(self.file.briefing)

    @property
    def reference(self) -> Solution | None:
        return next((s for s in self.solutions if s.name == "reference"), None)


@dataclass(frozen=True, slots=True)
class CodexEntry:
    id: str
    title: str
    text: str  # Markdown with the catalog's figures filled in


@dataclass(frozen=True, slots=True)
class Pack:
    file: PackFile
    root: Path
    levels: tuple[PackLevel, ...]
    codex: dict[str, CodexEntry]

    @property
    def id(self) -> str:
        return self.file.id

    def level(self, level_id: str) -> PackLevel:
        return next(level for level in self.levels if level.id == level_id)


def load_pack(path: str | os.PathLike[str]) -> Pack:
    """Load and cross-check a whole pack; every problem found is reported in one LevelError."""
    root = Path(path)
    problems: list[Problem] = []
    if not root.is_dir():
        raise LevelError([Problem(str(root), "", None, "is not a pack folder", "")])
    try:
        os.scandir(root).close()
    except OSError as error:
        raise LevelError([_unreadable_folder(root, error)]) from None
    manifest = _inside(root, root / "pack.toml", problems)
    if manifest is None:
        raise LevelError(problems)
    pack_file = load_file(PackFile, manifest, MAX_PACK_BYTES, "pack.toml")

    codex = _load_codex(root, problems)
    solutions = _load_solutions(root, pack_file, problems)
    levels = []
    for i, level_id in enumerate(pack_file.levels):
        found = tuple(sorted(solutions.pop(level_id, []), key=lambda s: s.name))
        level_path = _inside(
            root, root / f"{level_id}.toml", problems, str(manifest), f"levels[{i}]"
        )
        if level_path is None:
            continue
        try:
            level_file, scenario = load_level(level_path)
        except LevelError as error:
            problems.extend(error.problems)
            continue
        if level_file.id != level_id:
            problems.append(
                Problem(
                    str(level_path),
                    "id",
                    None,
                    f"is {quote(level_file.id)}, but the file"
                    f" is listed as {quote(level_id)} in pack.toml",
                    "make them match",
                )
            )
        problems.extend(_check_text(level_path, level_file, codex))
        levels.append(PackLevel(level_file, scenario, level_path, found))
    for stray in solutions.values():
        for solution in stray:
            problems.append(
                Problem(
                    str(solution.path),
                    "level",
                    None,
                    f"names level {quote(solution.file.level or '')}, which is not in the pack",
                    "list the level in pack.toml or fix the name",
                )
            )
    if problems:
        raise LevelError(problems)
    return Pack(pack_file, root, tuple(levels), codex)


def _load_codex(root: Path, problems: list[Problem]) -> dict[str, CodexEntry]:
    codex: dict[str, CodexEntry] = {}
    for path in _toml_files(root, "codex", MAX_CODEX, problems):
        try:
            entry = load_file(CodexFile, path, MAX_LEVEL_BYTES, "a codex entry")
        except LevelError as error:
            problems.extend(error.problems)
            continue
        if f"{entry.id}.toml" != path.name:
            problems.append(
                Problem(
                    str(path),
                    "id",
                    None,
                    f"is {quote(entry.id)}; the file must be named {entry.id}.toml",
                    "",
                )
            )
            continue
        try:
            codex[entry.id] = CodexEntry(entry.id, entry.title, fill(entry.text))
        except KeyError as error:
            problems.append(Problem(str(path), "text", None, f"placeholder {error.args[0]}", ""))
    return codex


def _load_solutions(
    root: Path, pack: PackFile, problems: list[Problem]
) -> dict[str, list[Solution]]:
    found: dict[str, list[Solution]] = {}
    for path in _toml_files(root, "solutions", MAX_SOLUTIONS, problems):
        try:
            plan, actions = load_plan_file(path)
        except LevelError as error:
            problems.extend(error.problems)
            continue
        expected_name = f"{plan.level}.{plan.name}.toml"
        if plan.level is None or plan.name is None or plan.expect is None:
            problems.append(
                Problem(
                    str(path),
                    "",
                    None,
                    "a solution needs level, name and an [expect] table",
                    "see levels/AUTHORING.md",
                )
            )
        elif path.name != expected_name:
            problems.append(
                Problem(str(path), "name", None, f"the file must be named {expected_name}", "")
            )
        else:
            found.setdefault(plan.level, []).append(Solution(plan.name, path, plan, actions))
    return found


def _check_text(path: Path, level: LevelFile, codex: dict[str, CodexEntry]) -> Iterator[Problem]:
    if not level.concepts:
        yield Problem(
            str(path),
            "concepts",
            None,
            "a pack level must teach at least one concept",
            "name the codex entries it teaches",
        )
    for i, concept in enumerate(level.concepts):
        if concept not in codex:
            yield Problem(
                str(path),
                f"concepts[{i}]",
                None,
                f"no codex entry {quote(concept)} in this pack",
                f"add codex/{concept}.toml",
            )
    if not level.briefing.strip():
        yield Problem(str(path), "briefing", None, "a pack level needs a briefing", "")
    try:
        fill(level.briefing)
    except KeyError as error:
        yield Problem(str(path), "briefing", None, f"placeholder {error.args[0]}", "")


def _toml_files(root: Path, folder: str, limit: int, problems: list[Problem]) -> list[Path]:
    where = root / folder
    if not where.exists():
        return []
    inside = _inside(root, where, problems, want_dir=True)
    if inside is None:
        return []
    try:
        names = sorted(p.name for p in inside.iterdir() if p.name.endswith(".toml"))
    except OSError as error:
        problems.append(_unreadable_folder(where, error))
        return []
    if len(names) > limit:
        problems.append(
            Problem(str(where), "", None, f"holds {len(names)} files; at most {limit} are read", "")
        )
        names = names[:limit]
    paths = (_inside(root, where / name, problems) for name in names)
    return [p for p in paths if p is not None]


def _inside(
    root: Path,
    path: Path,
    problems: list[Problem],
    source: str = "",
    field: str = "",
    want_dir: bool = False,
) -> Path | None:
    """`path` if it is a file (or folder) that really lies inside the pack, else a problem."""
    where = source or str(path)
    try:
        real_root, real = root.resolve(), path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of links, before Python 3.13
        problems.append(Problem(where, field, None, f"{path.name} is a loop of links", ""))
        return None
    if not real.is_relative_to(real_root):
        problems.append(
            Problem(
                where,
                field,
                None,
                f"{path.name} leads outside the pack folder",
                "packs may only use their own files",
            )
        )
        return None
    if not (real.is_dir() if want_dir else real.is_file()):
        missing = "folder" if want_dir else "file"
        problems.append(
            Problem(where, field, None, f"{path.name}: no such {missing} in the pack", "")
        )
        return None
    return real


@dataclass(frozen=True)
class PackFailure:
    """A pack folder that could not be loaded, and why."""

    folder: Path
    message: str


def load_packs(folders: Iterable[Path]) -> tuple[list[Pack], list[PackFailure]]:
    """Every pack that loads, and why the others did not: a bad pack never stops the game.

    A folder named twice is loaded once; a second pack with an id already loaded is left out
    (progress is kept by pack id, so two packs may not share one)."""
    packs: list[Pack] = []
    failures: list[PackFailure] = []
    seen: set[Path] = set()
    for folder in folders:
        if folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        try:
            pack = load_pack(folder)
        except (LevelError, OSError, ValueError) as error:
            failures.append(PackFailure(folder, str(error)))
            continue
        first = next((p for p in packs if p.id == pack.id), None)
        if first is not None:
            message = f"its id {pack.id!r} is already used by the pack in {first.root}"
            failures.append(PackFailure(folder, message))
            continue
        packs.append(pack)
    return in_order(packs), failures


def in_order(packs: list[Pack]) -> list[Pack]:
    """Packs in the order they are played: each that follows another (`after`) comes after
    it, the rest keep their order (a loop of `after`s, or one naming no loaded pack, is left
    where it is)."""
    ordered: list[Pack] = []
    waiting = list(packs)
    while waiting:
        unplaced = {p.id for p in waiting}
        ready = [p for p in waiting if p.file.after not in unplaced] or waiting  # or a loop
        ordered.append(ready[0])
        waiting.remove(ready[0])
    return ordered


def pack_folders(extra: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """The packs a player has: the built-in ones, the user's packs folder, and any named.

    A folder that cannot be looked into is listed too, so that loading it says why (a pack the
    player put there must never vanish without a word)."""
    folders = []
    for base in (BUILTIN_PACKS, user_packs_folder()):
        if not base.is_dir():
            continue
        try:
            found = sorted(base.iterdir())
        except OSError:
            folders.append(base)
            continue
        folders.extend(p for p in found if _may_hold_pack(p))
    folders.extend(Path(p) for p in extra)
    return folders


def _may_hold_pack(folder: Path) -> bool:
    """Whether `folder` has a pack.toml, or cannot be looked into to tell."""
    try:
        return stat.S_ISREG((folder / "pack.toml").stat().st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return folder.is_dir()


def _unreadable_folder(folder: Path, error: OSError) -> Problem:
    reason = (error.strerror or type(error).__name__).lower()
    return Problem(
        str(folder),
        "",
        None,
        f"cannot be read ({reason})",
        f"give yourself permission to read it (chmod u+rx {folder}) or move it away",
    )


def user_packs_folder() -> Path:
    """Where a player's own packs go (MILLIONS_PACKS overrides it)."""
    override = os.environ.get("MILLIONS_PACKS")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("zero-to-millions") / "packs"
