"""`millions serve`: the game in a web browser, one game process per connection.

The server runs as a real subprocess on a free loopback port. The browser tests drive Debian's
Chromium headless through Playwright and read the terminal's text from the page (xterm.js's
buffer); they skip, saying why, where no Chromium is installed (.ci/install-browser installs
it). The other tests speak the page's websocket protocol directly. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from game.commands.serve import game_command
from game.commands.web_server import is_loopback
from game.store import SavesLocked
from game.store.lock import LOCK_NAME, FolderLock

ROOT = Path(__file__).resolve().parents[1]
WAIT = 60.0  # seconds any one thing may take on a busy machine before the test gives up
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and os.path.exists(p)),
    None,
)
SHOTS = os.environ.get("MILLIONS_BROWSER_SHOTS")  # a folder: keep the page's screenshots there


def until(check: Callable[[], object], what: str, timeout: float = WAIT) -> object:
    """Poll `check` until it returns something true; fail, naming `what`, after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


class Served:
    """`millions serve` in a subprocess; `stop()` sends Ctrl+C and checks it ends cleanly."""

    def __init__(self, folder: Path, *options: str) -> None:
        folder.mkdir()
        self.out_path, self.err_path = folder / "serve.out", folder / "serve.err"
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "game", "serve", "--port", "0", *options],
                cwd=ROOT,
                stdout=out,
                stderr=err,
            )
        found = until(self._address, "the server to print its address")
        self.url = str(found)
        self.host_port = self.url.removeprefix("http://")

    def _address(self) -> str | None:
        if self.process.poll() is not None:
            pytest.fail(f"millions serve ended early: {self.err_path.read_text()}")
        found = re.search(r"open (http://\S+) in a web browser", self.out_path.read_text())
        return found.group(1) if found else None

    def stop(self) -> subprocess.CompletedProcess[str]:
        """Ctrl+C, then wait (bounded) for the server to end."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail("millions serve did not stop on Ctrl+C")
        return subprocess.CompletedProcess(
            self.process.args,
            self.process.returncode,
            self.out_path.read_text(),
            self.err_path.read_text(),
        )

    def get(self, path: str = "/", **headers: str) -> tuple[int, str]:
        from urllib.error import HTTPError
        from urllib.request import Request, urlopen

        try:
            with urlopen(Request(self.url + path, headers=headers), timeout=WAIT) as reply:
                return reply.status, reply.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode()


@pytest.fixture()
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start servers with the given options; each is stopped at the end, however the test ends,
    and must have stopped cleanly."""
    started: list[Served] = []

    def start(*options: str) -> Served:
        started.append(Served(tmp_path / f"server-{len(started)}", *options))
        return started[-1]

    yield start
    for server in started:
        ended = server.stop()
        assert ended.returncode == 0, ended.stderr
        assert "Traceback" not in ended.stdout + ended.stderr
        assert ended.stdout.rstrip().endswith("Stopped.")


def held_folders(classroom: Path) -> list[Path]:
    """The player folders under `classroom` whose saves a running game holds."""
    held = []
    for folder in sorted(p for p in classroom.iterdir() if (p / LOCK_NAME).exists()):
        lock = FolderLock(folder)
        try:
            lock.acquire()
        except SavesLocked:
            held.append(folder)
        else:
            lock.release()
    return held


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --- the command line ------------------------------------------------------------------------


def test_a_port_in_use_is_one_line_and_status_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ended = subprocess.run(
            [sys.executable, "-m", "game", "serve", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=WAIT,
        )
    assert ended.returncode == 2
    assert ended.stderr == (
        f"millions serve: port {port} on 127.0.0.1 is in use; choose another with --port\n"
    )


def test_other_addresses_only_when_asked_and_with_a_warning(serve) -> None:
    local = serve()
    assert local.url.startswith("http://127.0.0.1:")  # the default: this machine only
    everywhere = serve("--host", "0.0.0.0")
    ended = everywhere.stop()
    assert "warning: 0.0.0.0 can be reached from other machines" in ended.stderr
    assert "with your saves" in ended.stderr  # without --classroom they are the player's own
    assert "warning" not in local.stop().stderr
    assert is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")


def test_the_game_command_is_built_from_the_servers_options_alone(tmp_path: Path) -> None:
    odd = tmp_path / "a folder; rm -rf ~ $(x)"
    argv = shlex.split(game_command(classroom=odd, packs=[odd / "pack"]).removeprefix("exec "))
    assert argv[1:] == [
        "-m",
        "game.commands.browser_game",
        "--classroom",
        str(odd),
        "--pack",
        str(odd / "pack"),
    ]


# --- connections, over the page's websocket protocol -----------------------------------------


async def _connect(session, server: Served, **headers: str):
    """A websocket like the page's, with a task collecting what the game draws."""
    url = f"ws://{server.host_port}/ws?width=100&height=30"
    websocket = await asyncio.wait_for(session.ws_connect(url, headers=headers), WAIT)
    await websocket.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
    screen = bytearray()

    async def collect() -> None:
        async for message in websocket:
            if isinstance(message.data, bytes):
                screen.extend(message.data)

    return websocket, screen, asyncio.create_task(collect())


async def _until(check: Callable[[], object], what: str) -> object:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if found := check():
            return found
        await asyncio.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def test_classroom_connections_get_separate_saves_and_a_bound(serve, tmp_path: Path) -> None:
    import aiohttp

    classroom = tmp_path / "class"
    server = serve("--classroom", str(classroom), "--max-games", "2")

    async def play() -> list[int]:
        async with aiohttp.ClientSession() as session:
            one = await _connect(session, server)
            two = await _connect(session, server)
            folders = await _until(
                lambda: len(held_folders(classroom)) == 2 and held_folders(classroom),
                "two games holding saves",
            )
            pids = [int((f / LOCK_NAME).read_text()) for f in folders]
            assert folders[0] != folders[1] and pids[0] != pids[1]

            # A third tab is told the server is full: the page, and the websocket.
            status, page = await asyncio.to_thread(server.get)
            assert status == 503 and "This server is full: 2 games are being played" in page
            three = await _connect(session, server)
            await _until(lambda: b"This server is full" in three[1], "the full message")
            assert len(list(classroom.iterdir())) == 2  # no game, no folder for it

            await one[0].close()  # a seat frees: the page is the game's again
            await _until(lambda: len(held_folders(classroom)) == 1, "the first game to end")
            # The game gives its saves up just before its process ends and its seat frees.
            for _ in range(int(WAIT / 0.1)):
                status, page = await asyncio.to_thread(server.get)
                if status == 200:
                    break
                await asyncio.sleep(0.1)
            assert status == 200 and "data-session-websocket-url" in page
            for websocket, _, task in (two, three):
                await websocket.close()
                task.cancel()
            return pids

    pids = asyncio.run(play())
    until(lambda: not held_folders(classroom), "the games to give up their saves")
    until(lambda: not any(alive(pid) for pid in pids), "the game processes to end")


def test_only_the_games_own_page_may_connect(serve) -> None:
    import aiohttp

    server = serve()
    status, _ = server.get("/", Host="attacker.example")  # a name rebound to this machine
    assert status == 403

    async def connect(**headers: str) -> int:
        async with aiohttp.ClientSession() as session:
            try:
                url = f"ws://{server.host_port}/ws"
                websocket = await asyncio.wait_for(session.ws_connect(url, headers=headers), WAIT)
            except aiohttp.WSServerHandshakeError as error:
                return error.status
            await websocket.close()
            return 101

    assert asyncio.run(connect(Origin="http://attacker.example")) == 403
    assert asyncio.run(connect(Origin=server.url)) == 101


def test_a_game_that_ends_before_it_starts_ends_the_pages_session() -> None:
    """Stock textual-serve leaves such a page waiting for ever; the page must learn of it."""
    from textual_serve.download_manager import DownloadManager

    from game.commands.web_server import GameSession

    async def run() -> None:
        closed = asyncio.Event()

        async def close() -> None:
            closed.set()

        async def ignore(data: object) -> None:
            pass

        session = GameSession(
            "exit 3",
            write_bytes=ignore,
            write_str=ignore,
            close=close,
            download_manager=DownloadManager(),
        )
        await session.start(80, 24)
        await asyncio.wait_for(closed.wait(), WAIT)
        await session.stop()

    asyncio.run(run())


# --- in a real browser -----------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (.ci/install-browser installs Debian's)"
)

# textual-serve keeps its xterm.js Terminal in a local variable; catch it when the page's
# script stores it (`this.terminal = new Terminal(...)`) so the test can read the screen.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true});
    if (value && value.buffer) window.millionsTerminal = value;
  },
});
"""
READ_SCREEN = """() => {
  const terminal = window.millionsTerminal;
  if (!terminal) return "";
  const buffer = terminal.buffer.active, rows = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true, 0, terminal.cols) : "");
  }
  return rows.join("\\n");
}"""


@pytest.fixture()
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("no Chromium installed (.ci/install-browser installs Debian's)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, timeout=WAIT * 1000
        )
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser, url: str, width: int = 1280, height: int = 800):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(WAIT * 1000)
    page.add_init_script(CATCH_TERMINAL)
    page.goto(url)
    return page


def screen_of(page) -> str:
    return page.evaluate(READ_SCREEN)


def shown(page, *texts: str) -> str:
    """The page's screen once it shows every one of `texts` (bounded)."""
    return str(until(lambda: all(t in (s := screen_of(page)) for t in texts) and s, repr(texts)))


@needs_chromium
def test_play_level_one_in_a_browser(serve, browser, tmp_path: Path) -> None:
    server = serve("--saves", str(tmp_path / "saves"))
    page = open_page(browser, server.url)
    shown(page, "Zero to Millions", "Campaign", "Codex")  # the title; keys work at once
    page.keyboard.press("c")
    shown(page, "Launch day: one box runs everything", "Moving out")
    page.keyboard.press("Enter")
    shown(page, "Level 1: Launch day", "Objectives", "Start")
    page.keyboard.press("Enter")  # the briefing's Start
    screen = shown(page, "tick ", "users", "requests", "why requests fail right now")
    status = screen.splitlines()[0]
    assert "Launch day: one box runs everything" in status
    assert re.search(r"tick \d+/540\s+1x", status), status

    # The mouse: a click on the box on the map selects it in the inspector.
    row, col = next(
        (y, line.index("box-1")) for y, line in enumerate(screen.splitlines()) if "box-1" in line
    )
    cols, rows = page.evaluate("() => [millionsTerminal.cols, millionsTerminal.rows]")
    cells = page.locator(".xterm-screen").bounding_box()
    page.mouse.click(
        cells["x"] + (col + 2.5) * cells["width"] / cols,
        cells["y"] + (row + 0.5) * cells["height"] / rows,
    )
    shown(page, "Single box (web + database)  box-1")
    if SHOTS:  # for the README: a minute of play at 8x first, so the charts have a history
        for _ in range(3):
            page.keyboard.press("f")
        until(lambda: int(re.search(r"tick (\d+)/", screen_of(page))[1]) >= 60, "tick 60")
        page.screenshot(path=str(Path(SHOTS) / "browser-play.png"))

    # The command palette.
    page.keyboard.press("Control+p")
    shown(page, "Search for commands")
    page.keyboard.press("Escape")
    until(lambda: "Search for commands" not in screen_of(page), "the palette to close")

    # A smaller window: the terminal and the game's layout follow it.
    page.set_viewport_size({"width": 900, "height": 560})
    narrow = until(
        lambda: (n := page.evaluate("() => millionsTerminal.cols")) < cols and n,
        "the terminal to narrow",
    )
    assert narrow < cols
    shown(page, "^p Commands")  # the footer, drawn again to the new width (it was cut off)


@needs_chromium
def test_a_second_tab_is_told_the_saves_are_in_use(serve, browser, tmp_path: Path) -> None:
    server = serve("--saves", str(tmp_path / "saves"))
    first = open_page(browser, server.url)
    shown(first, "Campaign")
    second = open_page(browser, server.url)
    shown(second, "Your saves are in use", "is using the saves in", "choose Restart")
    if SHOTS:
        second.screenshot(path=str(Path(SHOTS) / "browser-in-use.png"))
    second.keyboard.press("Enter")
    until(
        lambda: "-closed" in second.evaluate("() => document.body.className"), "the session to end"
    )
    assert "Campaign" in screen_of(first)  # the first tab plays on
