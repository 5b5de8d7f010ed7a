"""The web server behind `millions serve`: textual-serve's Server, with a bound on the games
played at once, pages that work at whatever address a browser reached the server by, checks
that a connection comes from the game's own page, and a stop that ends every game."""

from __future__ import annotations

import asyncio
import html
import ipaddress
import logging
import signal
import socket
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("millions.serve")

TITLE = "Zero to Millions"
STOP_WAIT = 5.0  # seconds a game may take to quit once its tab or the server goes
SHUTDOWN_WAIT = 10.0  # seconds the server waits for its connections when stopping
HEARTBEAT = 15.0  # seconds between pings: a tab that vanished frees its seat soon after
TERMINAL_CELLS = range(1, 1001)  # the widths and heights a page may ask for
FONT_SIZES = range(6, 65)


class GameSession(AppService):
    """One tab's game process. The page learns the session ended however the game ends
    (textual-serve says so only when the game quits normally), so a game that exits before it
    starts never leaves the page waiting."""

    async def run(self) -> None:
        try:
            await super().run()
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():  # this session was cancelled
                raise
            # else textual-serve's stderr reader, cancelled before it ran: the game ended at once
        await self.remote_close()

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(super().stop(), STOP_WAIT)
        except TimeoutError:
            process = self._process
            if process is not None and process.returncode is None:
                log.warning("a game did not quit in %.0f s; ending it", STOP_WAIT)
                process.kill()
                await process.wait()


class GameServer(Server):
    """Serves `command` (one game per connection) to at most `max_games` tabs at once."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        max_games: int,
        local_only: bool,
        notes: Sequence[str] = (),
        warning: str | None = None,
    ) -> None:
        super().__init__(command, host=host, port=port, title=TITLE)
        self.max_games = max_games
        self.local_only = local_only  # then only pages at a loopback address may connect
        self.notes = tuple(notes)  # printed once listening
        self.warning = warning  # the same, on standard error
        self.playing: set[web.WebSocketResponse] = set()
        self.turned_away: set[web.WebSocketResponse] = set()

    @property
    def full(self) -> bool:
        return len(self.playing) >= self.max_games

    def serve_until_stopped(self) -> None:
        """Listen, print the address, and serve until SIGINT or SIGTERM. Raises OSError when
        the address cannot be listened on (in use, say)."""
        self.initialize_logging()
        asyncio.run(self._serve())

    def initialize_logging(self) -> None:
        """Problems only, one line each: no access log, no banner."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("millions serve: %(message)s"))
        logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)

    async def _serve(self) -> None:
        runner = web.AppRunner(await self._make_app(), shutdown_timeout=SHUTDOWN_WAIT)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
            print(f"{TITLE}: open {url_of(runner.addresses[0])} in a web browser.", flush=True)
            for note in self.notes:
                print(note, flush=True)
            if self.warning:
                print(f"millions serve: {self.warning}", file=sys.stderr, flush=True)
            print("Ctrl+C stops the server.", flush=True)
            await _until_signalled()
        finally:
            await runner.cleanup()

    async def on_startup(self, app: web.Application) -> None:
        """Nothing to say before the address is bound (textual-serve prints a banner here)."""

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every connection, so each game is told to quit and the server can stop."""
        for websocket in [*self.playing, *self.turned_away]:
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page with the terminal; its links use the address the browser asked for."""
        if not self._from_our_page(request):
            raise web.HTTPForbidden(text=FOREIGN_TEXT)
        if self.full:
            return web.Response(
                text=full_page(self.max_games),
                content_type="text/html",
                status=503,
                headers={"Retry-After": "60"},
            )
        router = request.app.router
        scheme = "wss" if request.secure else "ws"
        font_size = to_int(request.query.get("fontsize", "16"), 16)
        context = {
            "font_size": font_size if font_size in FONT_SIZES else 16,
            "app_websocket_url": f"{scheme}://{request.host}{router['websocket'].url_for()}",
            "config": {"static": {"url": str(router["static"].url_for(filename="/"))}},
            "application": {"name": self.title},
        }
        page = aiohttp_jinja2.render_string("app_index.html", request, context)
        page = page.replace("</head>", f"<title>{TITLE}</title></head>", 1)
        page = page.replace("</body>", f"{FOCUS_SCRIPT}</body>", 1)
        return web.Response(text=page, content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One connection: a game of its own, or word that the server is full."""
        if not self._from_our_page(request):
            raise web.HTTPForbidden(text=FOREIGN_TEXT)
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT)
        await websocket.prepare(request)
        if self.full:
            await self._turn_away(websocket)
            return websocket
        self.playing.add(websocket)
        session = GameSession(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        try:
            await session.start(_cells(request, "width", 80), _cells(request, "height", 24))
            await self._relay(websocket, session)
        except (OSError, ConnectionError) as error:
            log.error("a game ended early: %s", error)
        finally:
            await session.stop()
            self.playing.discard(websocket)
            await websocket.close()
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, session: AppService) -> None:
        """Pass the page's keys, mouse and size to the game; anything else is ignored."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
            except ValueError:
                continue
            match envelope:
                case ["stdin", str(data)]:
                    await session.send_bytes(data.encode("utf-8", "replace"))
                case ["resize", {"width": int(width), "height": int(height)}] if (
                    width in TERMINAL_CELLS and height in TERMINAL_CELLS
                ):
                    await session.set_terminal_size(width, height)
                case ["ping", str(data)]:
                    await websocket.send_json(["pong", data])
                case ["blur"]:
                    await session.blur()
                case ["focus"]:
                    await session.focus()

    async def _turn_away(self, websocket: web.WebSocketResponse) -> None:
        """Show a tab that found the server full why, until it goes."""
        self.turned_away.add(websocket)
        try:
            await websocket.send_bytes(full_text(self.max_games).encode())
            async for _ in websocket:
                pass
        finally:
            self.turned_away.discard(websocket)

    def _from_our_page(self, request: web.Request) -> bool:
        """A browser connects only from the game's own page: another site's page cannot drive
        a game (its Origin differs), nor reach a loopback server under a name of its own."""
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            return False
        if self.local_only:
            return is_loopback(urlsplit(f"//{request.host}").hostname or "")
        return True


# textual-serve's page leaves the terminal unfocused: keys would do nothing until a click.
FOCUS_SCRIPT = """<script>
window.addEventListener("load", () => {
  const keys = document.querySelector(".xterm-helper-textarea");
  if (keys) keys.focus();
});
</script>"""
FOREIGN_TEXT = "This game can be played only from its own page."


def full_text(max_games: int) -> str:
    """What a tab that found the server full shows in its terminal."""
    return (
        f"\x1b[2J\x1b[H\x1b[1m{TITLE}\x1b[0m\r\n\r\n"
        f"This server is full: {_games(max_games)} being played, the most it allows.\r\n"
        "Reload this page in a while to play when someone finishes.\r\n"
    )


def full_page(max_games: int) -> str:
    """The page a browser is shown instead of the game while the server is full."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE}: full</title>
<style>body {{ background: #0c181f; color: #eee; font-family: monospace; font-size: 16px;
max-width: 40em; margin: 4em auto; line-height: 1.5; }}</style></head>
<body><h1>{TITLE}</h1>
<p>This server is full: {html.escape(_games(max_games))} being played, the most it allows.</p>
<p>Reload this page in a while to play when someone finishes.</p></body></html>
"""


def url_of(address: tuple) -> str:
    """The address a browser can open, for a bound socket address."""
    host, port = address[0], address[1]
    if ipaddress.ip_address(host).is_unspecified:
        host = socket.gethostname()  # every address of this machine: name it
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _games(count: int) -> str:
    return "1 game is" if count == 1 else f"{count} games are"


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (a name other than localhost may
    resolve anywhere, so it is not)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _cells(request: web.Request, name: str, default: int) -> int:
    value = to_int(request.query.get(name, str(default)), default)
    return value if value in TERMINAL_CELLS else default


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    try:
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
    except NotImplementedError:  # Windows: Ctrl+C raises KeyboardInterrupt instead
        pass
    await stop.wait()
