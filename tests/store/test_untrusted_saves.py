"""Save files that are hostile or damaged never lock a player out, and the game never writes
through a link it finds in the saves folder.

Whatever fails to load or validate (NaN, a number too large, a key missing or extra, a newer
format, a special file, a file past its bound) is moved aside unchanged, the player is told
where, and the game starts on a fresh profile.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.cli import main
from game.content import input_file
from game.content.packs import BUILTIN_PACKS, load_pack
from game.engine.actions import Action
from game.store import SavedRun, SavedSolution, SaveError, Store, savefile, storage
from game.store.campaign import Campaign
from game.store.lock import LOCK_NAME
from game.store.savefile import FILE_NAME
from game.ui.settings import AppSettings

CORE = load_pack(BUILTIN_PACKS / "core")
LEVEL = "core/launch-day"
MOVES = (
    Action(3, "add", kind="web", size="M"),
    Action(7, "configure", target="cache", setting="ttl", value=300.0),
    Action(9, "configure", target="cache", setting="invalidate_on_write", value=True),
)


def valid_save(folder: Path) -> dict[str, Any]:
    """A save with every table filled, as the game writes it."""
    store = Store.open(folder)
    store.save_settings("nord", 2, "reduced")
    store.record_run(LEVEL, {"availability": 0.999, "cost": 1200.0}, 2)
    store.record_run("core/scale-out", {"availability": 0.5}, 0)
    store.save_solution(SavedSolution(LEVEL, "mine", 7, MOVES, {"availability": 0.99}, 1))
    store.save_run(SavedRun(LEVEL, 3, 40, MOVES, "abc"))
    store.close()
    return json.loads((folder / FILE_NAME).read_text())


VALID = valid_save(Path(tempfile.mkdtemp()) / "saves")


def start(folder: Path) -> Store:
    """What the game reads of the saves as it starts and shows its screens."""
    store = Store.open(folder)
    store.profile_name()
    AppSettings.for_tests().with_saved(store.settings())
    campaign = Campaign(store, [CORE])
    campaign.unfinished()
    for level in CORE.levels:
        key = f"core/{level.id}"
        campaign.is_unlocked(CORE, level)
        store.record(key)
        store.solutions(key)
    for concept in CORE.codex:
        campaign.concept_unlocked(CORE, concept)
    store.current_run()
    return store


def kept_aside(folder: Path, content: bytes, notice: str) -> Path:
    [aside] = [p for p in folder.iterdir() if p.name not in (FILE_NAME, LOCK_NAME)]
    assert aside.read_bytes() == content  # nothing of the old file is lost
    assert str(aside) in notice
    return aside


def write(folder: Path, content: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FILE_NAME).write_bytes(content)


def v2(**change: Any) -> bytes:
    data = copy.deepcopy(VALID)
    data.update(change)
    return json.dumps(data).encode()


# -- saves that crashed every start --------------------------------------------------------------


@pytest.mark.parametrize(
    "content, reason",
    [
        (v2().replace(b"0.999", b"NaN"), "NaN"),
        (v2().replace(b"0.999", b"Infinity"), "Infinity"),
        (v2().replace(b"0.999", b"-1e999"), "too large a number"),
        (v2().replace(b'"seed": 3', b'"seed": ' + b"9" * 5000), "integer of 5000 digits"),
        (v2().replace(b'"seed": 3', b'"seed": 99999999999999999999'), "run[1].seed"),
        (v2().replace(b'"tick": 40', b'"tick": 400000'), "run[1].tick"),
        (v2().replace(b'"level_digest"', b'"extra": 1, "level_digest"'), "run[1].extra"),
        (v2().replace(b'"1": {"actions"', b'"\xc2\xb2": {"actions"'), "is not a number"),
    ],
    ids=["nan", "infinity", "overflow", "digits", "seed", "tick", "extra-key", "odd-id"],
)
def test_a_save_no_game_could_use_is_moved_aside(tmp_path: Path, content: bytes, reason: str):
    folder = tmp_path / "saves"
    write(folder, content)
    store = start(folder)
    [notice] = store.notices
    assert "could not be read" in notice and reason in notice, notice
    kept_aside(folder, content, notice)
    assert store.record(LEVEL) is None
    store.close()
    assert start(folder).notices == []  # the fresh save it wrote opens cleanly


def test_a_run_saved_before_it_had_a_level_digest_continues(tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    data = copy.deepcopy(VALID)
    del data["run"]["1"]["level_digest"]  # the format's own default: ""
    write(folder, json.dumps(data).encode())
    store = start(folder)
    assert store.notices == []
    assert store.current_run() == SavedRun(LEVEL, 3, 40, MOVES, "")


def test_a_link_to_dev_zero_as_the_save_is_moved_aside_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()
    (folder / FILE_NAME).symlink_to("/dev/zero")
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(input_file.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    store = start(folder)
    [notice] = store.notices
    assert "it is a character device, not a regular file" in notice
    assert reads == []
    [aside] = folder.glob("progress.corrupt-*.json")
    assert aside.is_symlink() and str(aside) in notice


def test_a_save_past_its_bound_is_moved_aside_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()
    with open(folder / FILE_NAME, "wb") as file:
        file.truncate(savefile.MAX_FILE_BYTES + 1)  # sparse
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(input_file.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    store = start(folder)
    [notice] = store.notices
    assert "more than the 64 MiB the saves may have" in notice
    assert reads == []
    [aside] = folder.glob("progress.corrupt-*.json")
    assert aside.stat().st_size == savefile.MAX_FILE_BYTES + 1


def test_a_save_is_never_written_past_what_can_be_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "saves"
    store = Store.open(folder)
    store.record_run(LEVEL, {"availability": 0.9}, 1)
    before = (folder / FILE_NAME).read_bytes()
    monkeypatch.setattr(storage, "MAX_FILE_BYTES", len(before) + 10)
    monkeypatch.setattr(savefile, "MAX_FILE_BYTES", len(before) + 10)
    with pytest.raises(SaveError, match="more than the .* a save may be.*safe"):
        store.save_solution(SavedSolution(LEVEL, "big", None, MOVES * 50))
    assert (folder / FILE_NAME).read_bytes() == before
    store.close()
    assert start(folder).solutions(LEVEL) == []


def test_a_save_near_its_bound_can_still_be_written_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A compact save just under the bound, read and written again, must fit: an encoder that
    pretty-prints makes it larger than it was and the player could never save again."""
    folder = tmp_path / "saves"
    folder.mkdir()
    data = copy.deepcopy(VALID)
    text = json.dumps(data, separators=(",", ":"))
    (folder / FILE_NAME).write_text(text)
    bound = len(text.encode()) + 400  # room for one small record, not for indentation
    monkeypatch.setattr(storage, "MAX_FILE_BYTES", bound)
    monkeypatch.setattr(savefile, "MAX_FILE_BYTES", bound)
    store = Store.open(folder)
    assert store.notices == []
    store.save_solution(SavedSolution(LEVEL, "small", None, MOVES[:1]))
    store.close()
    assert (folder / FILE_NAME).stat().st_size <= bound
    assert "small" in [s.name for s in start(folder).solutions(LEVEL)]


# -- writes never follow a link ------------------------------------------------------------------


def test_a_lock_file_that_is_a_link_is_not_written_through(tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (folder / LOCK_NAME).symlink_to(target)
    with pytest.raises(SaveError, match="lock file .* is a symbolic link"):
        Store.open(folder)
    assert target.read_text() == "keep me"


def test_a_fifo_as_the_lock_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()
    os.mkfifo(folder / LOCK_NAME)
    with pytest.raises(SaveError, match="it is a FIFO"):
        Store.open(folder)


def test_a_migration_backup_is_never_written_through_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    version_1 = json.dumps({"records": {}, "profile": {"1": {"name": "ada"}}}).encode()
    write(folder, version_1)
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (folder / "progress.v1-backup.json").symlink_to(target)
    store = start(folder)
    [notice] = store.notices
    assert target.read_text() == "keep me"
    backup = folder / "progress.v1-backup-2.json"
    assert backup.read_bytes() == version_1 and str(backup) in notice
    assert store.profile_name() == "ada"


@pytest.mark.parametrize("special", ["fifo", "link"])
def test_export_never_replaces_a_link_or_a_fifo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, special: str
) -> None:
    folder = tmp_path / "saves"
    monkeypatch.setenv("MILLIONS_SAVES", str(folder))
    level = CORE.level("launch-day")
    store = Store.open(folder)
    store.save_solution(SavedSolution(LEVEL, "mine", None, level.reference.actions))
    store.close()
    out = tmp_path / "out.toml"
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    if special == "fifo":
        os.mkfifo(out)
    else:
        out.symlink_to(target)
    code = main(["export", "launch-day:mine", "-o", str(out), "--force"])
    _, err = capsys.readouterr()
    assert code == 2
    kind = "a FIFO (named pipe)" if special == "fifo" else "a symbolic link"
    assert err == (
        f"millions export: cannot write {out}: it is {kind}, not a regular file;"
        " it was left as it is\n"
    )
    assert out.is_fifo() if special == "fifo" else out.is_symlink()
    assert target.read_text() == "keep me"


def test_import_says_where_a_bad_save_went(tmp_path: Path, monkeypatch, capsys) -> None:
    folder = tmp_path / "saves"
    monkeypatch.setenv("MILLIONS_SAVES", str(folder))
    write(folder, b"{not json")
    solution = BUILTIN_PACKS / "core" / "solutions" / "launch-day.reference.toml"
    code = main(["import", str(solution)])
    out, err = capsys.readouterr()
    assert code == 0, err
    [aside] = folder.glob("progress.corrupt-*.json")
    assert aside.read_bytes() == b"{not json"
    assert f"moved, unchanged, to {aside}" in err
    assert "imported" in out


# -- any damage to a valid save -------------------------------------------------------------------

LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**18, max_value=10**40),
    st.floats(),  # NaN and infinities included: json.dumps writes them as NaN, Infinity
    st.text(max_size=8),
    st.sampled_from(["", "core/launch-day", "M", "add", "nord", "full", "²", "1"]),
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _places(data: Any, path: tuple = ()) -> list[tuple]:
    """Every path into `data`: its tables, documents, fields and items."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _places(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _places(value, (*path, i))
    return found


@st.composite
def damaged_saves(draw: st.DrawFn) -> bytes:
    data = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 3))):
        places = _places(data)[1:]
        path = draw(st.sampled_from(places))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        how = draw(st.sampled_from(["replace", "delete", "extra", "nest"]))
        if how == "replace":
            parent[last] = draw(VALUES)
        elif how == "delete":
            del parent[last]
        elif how == "extra" and isinstance(parent, dict):
            parent[draw(st.text(max_size=6))] = draw(VALUES)
        elif how == "nest":
            parent[last] = draw(st.sampled_from([[parent[last]], {"x": parent[last]}]))
        if not _places(data)[1:]:
            break
    return json.dumps(data).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_saves())
def test_the_game_starts_on_any_damaged_save_and_keeps_the_file(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "saves"
        write(folder, content)
        store = start(folder)
        if store.notices:
            [notice] = store.notices
            kept_aside(folder, content, notice)
        store.record_run(LEVEL, {"availability": 1.0}, 1)  # and play goes on, saved
        store.close()
        again = start(folder)
        assert again.notices == [] and again.record(LEVEL).stars >= 1
        again.close()


def test_a_lock_file_the_player_may_not_open_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from game.store import lock

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(lock.os, "open", denied)
    with pytest.raises(SaveError) as error:
        Store.open(tmp_path / "saves")
    assert str(error.value) == (
        f"Cannot use the lock file {tmp_path / 'saves' / LOCK_NAME}: Permission denied. Remove it"
        " (the game makes a new one), or start with --saves DIR."
    )
