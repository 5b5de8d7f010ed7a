"""Files given to the game that are not plain files: FIFOs, devices, loops of links, files the
user may not read, files past their bound. Each is refused at once with one line saying what it
is, and nothing reads past the bound.

A FIFO is tested with a writer waiting on it (a thread), so that the code before the fix, which
opened and read it as a file, read the writer's text and carried on instead of saying it is a
FIFO; the test needs no clock either way.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from game.cli import main
from game.content import input_file
from game.content.errors import LevelError
from game.content.input_file import UnreadableFile, read_regular
from game.content.loader import load_level
from game.content.packs import BUILTIN_PACKS, load_pack, load_packs, pack_folders
from game.content.scaffold import create_pack

LEVEL = BUILTIN_PACKS / "core" / "launch-day.toml"
REFERENCE = BUILTIN_PACKS / "core" / "solutions" / "launch-day.reference.toml"


@contextmanager
def fifo_with_writer(path: Path, data: bytes) -> Iterator[Path]:
    """A FIFO at `path` whose writer (a thread) gives `data` to whoever opens it to read."""
    os.mkfifo(path)

    def write() -> None:
        with open(path, "wb") as pipe:  # blocks until a reader opens the FIFO
            pipe.write(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield path
    finally:
        # Open it to read ourselves, so a writer still waiting gets a reader, writes and ends.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            while writer.is_alive():
                writer.join(0.05)
                try:
                    os.read(fd, 1 << 20)
                except BlockingIOError:
                    pass
        finally:
            os.close(fd)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def one_line(err: str) -> str:
    lines = err.rstrip("\n").splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- FIFOs ----------------------------------------------------------------------------------------


def test_a_fifo_as_the_level_of_sim_is_refused(tmp_path: Path, capsys) -> None:
    with fifo_with_writer(tmp_path / "level.toml", LEVEL.read_bytes()) as fifo:
        code, out, err = run(capsys, "sim", str(fifo))
    assert code == 2 and out == ""
    assert one_line(err) == (
        f"millions sim: {fifo}: cannot read the file: it is a FIFO (named pipe), not a regular file"
    )


def test_a_fifo_as_the_plan_of_sim_is_refused(tmp_path: Path, capsys) -> None:
    with fifo_with_writer(tmp_path / "plan.toml", b"") as fifo:
        code, _, err = run(capsys, "sim", str(LEVEL), "--plan", str(fifo))
    assert code == 2 and "it is a FIFO (named pipe)" in one_line(err)


@pytest.mark.parametrize("command", ["replay", "import"])
def test_a_fifo_as_a_solution_file_is_refused(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setenv("MILLIONS_SAVES", str(tmp_path / "saves"))
    with fifo_with_writer(tmp_path / "s.toml", REFERENCE.read_bytes()) as fifo:
        code, _, err = run(capsys, command, str(fifo))
    assert code == 2
    assert one_line(err).endswith(
        f"{fifo}: cannot read the file: it is a FIFO (named pipe), not a regular file"
    )
    assert not (tmp_path / "saves" / "progress.json").exists()


def test_a_device_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(input_file.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(UnreadableFile, match="it is a character device, not a regular file"):
        read_regular("/dev/zero", 1024, "a level")
    assert reads == []


# -- links and permissions ------------------------------------------------------------------------


def test_a_loop_of_links_as_a_level_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    code, _, err = run(capsys, "sim", str(tmp_path / "a.toml"))
    assert code == 2
    assert one_line(err) == (
        f"millions sim: {tmp_path / 'a.toml'}: cannot read the file: it is a loop of symbolic links"
    )


@pytest.mark.parametrize("folder", ["codex", "solutions"])
def test_a_loop_of_links_in_a_pack_is_a_problem_of_the_pack(
    tmp_path: Path, capsys, folder: str
) -> None:
    create_pack(tmp_path / "p")
    (tmp_path / "p" / folder / "x.toml").symlink_to("y.toml")
    (tmp_path / "p" / folder / "y.toml").symlink_to("x.toml")
    with pytest.raises(LevelError, match="x.toml is a loop of links"):
        load_pack(tmp_path / "p")
    code, out, _ = run(capsys, "levels", "check", str(tmp_path / "p"))
    assert code == 1 and "x.toml is a loop of links" in out


def test_a_link_is_not_followed_where_links_are_refused(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text("{}")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    assert read_regular(tmp_path / "link.json", 100, "x") == b"{}"
    with pytest.raises(UnreadableFile, match="symbolic link, and links are not followed here"):
        read_regular(tmp_path / "link.json", 100, "x", follow_links=False)


def test_a_file_the_user_may_not_read_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(input_file.os, "open", denied)
    with pytest.raises(LevelError) as error:
        load_level(LEVEL)
    assert error.value.problems[0].message == (
        "cannot read the file: permission denied (check the file's permissions)"
    )


def test_an_unlistable_codex_folder_is_a_problem_of_the_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_pack(tmp_path / "p")
    real_iterdir = Path.iterdir

    def iterdir(self: Path):
        if self.name == "codex":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    with pytest.raises(LevelError, match=r"codex: cannot be read \(permission denied\); give"):
        load_pack(tmp_path / "p")


def _denied_listing(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Listing `folder` fails as it does for a folder the user may not read (the suite may run
    as root, for whom a chmod denies nothing)."""
    real_iterdir, real_scandir = Path.iterdir, os.scandir

    def iterdir(self: Path):
        if self == folder:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_iterdir(self)

    def scandir(path="."):
        if Path(path) == folder:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_packs_folder_is_reported_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packs = tmp_path / "packs"
    create_pack(packs / "mine")
    monkeypatch.setenv("MILLIONS_PACKS", str(packs))
    _denied_listing(monkeypatch, packs)
    loaded, failures = load_packs(pack_folders())
    assert "mine" not in [p.id for p in loaded] and "core" in [p.id for p in loaded]
    [failure] = failures
    assert failure.folder == packs
    assert "cannot be read (permission denied)" in failure.message
    assert f"chmod u+rx {packs}" in failure.message


def test_an_unreadable_pack_in_the_packs_folder_is_reported_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packs = tmp_path / "packs"
    create_pack(packs / "mine")
    monkeypatch.setenv("MILLIONS_PACKS", str(packs))
    _denied_listing(monkeypatch, packs / "mine")
    real_stat = Path.stat

    def stat(self: Path, **kwargs):
        if self.parent == packs / "mine":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_stat(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    _, failures = load_packs(pack_folders())
    [failure] = failures
    assert failure.folder == packs / "mine"
    assert "cannot be read (permission denied)" in failure.message


# -- bounds ---------------------------------------------------------------------------------------


def test_a_file_past_its_bound_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.toml"
    with open(big, "wb") as file:
        file.truncate(2 * 1024**3)  # sparse: 2 GiB that take no room
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(input_file.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(LevelError, match="the file is 2048 MiB, more than the 256 KiB a level"):
        load_level(big)
    assert reads == []


def test_a_file_that_grows_is_read_one_byte_past_its_bound_at_most(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    real_fstat = os.fstat

    def small_fstat(fd: int):  # a file that reports less than it holds (it grew, or lies)
        info = real_fstat(fd)
        return os.stat_result((info[0], *info[1:6], 0, *info[7:]))

    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(input_file.os, "fstat", small_fstat)
    monkeypatch.setattr(input_file.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(UnreadableFile, match="the file is 5 bytes, more than the 4 bytes"):
        read_regular(path, 4, "x")
    assert sum(reads) == 5
