"""`millions serve`: the game in a web browser, one game process per tab, with textual-serve.

textual-serve runs a command for every browser connection and relays the terminal between the
process and the page (xterm.js): keys, mouse, paste and resizing travel as in a terminal. The
command is built here, once, from the server's own options (game/browser_game.py runs it), so
nothing a browser sends can name a file or a pack on the server. game/web_server.py is the
server itself.

Without --classroom every tab opens the player's own saves, as `millions` does; a second tab
finds them in use and says so. With --classroom DIR every connection keeps its saves in a new
folder under DIR. Either way at most --max-games games run at once; the next tab is shown a
page saying the server is full.
"""

from __future__ import annotations

import argparse
import errno
import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_BAD_INPUT = 2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_GAMES = 20  # each game is a Python process of about 60 MB
MOST_GAMES = 1000


def add_serve_command(commands: argparse._SubParsersAction) -> None:
    """Add `serve` and its options to the `millions` sub-commands."""
    serve = commands.add_parser(
        "serve",
        help="play in a web browser",
        description="Serve the game to web browsers: every tab plays its own game. Listens on"
        " this machine only unless --host names another address. Ctrl+C stops it.",
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the address to listen on (default {DEFAULT_HOST}: this machine only;"
        " 0.0.0.0 for every network, with a warning)",
    )
    serve.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0: any free port"
    )
    serve.add_argument(
        "--classroom",
        type=Path,
        metavar="DIR",
        help="give every connection new saves of its own, in a folder under DIR",
    )
    serve.add_argument(
        "--max-games",
        type=_max_games,
        default=DEFAULT_MAX_GAMES,
        metavar="N",
        help=f"games played at once, at most (default {DEFAULT_MAX_GAMES}); later tabs are"
        " told the server is full",
    )
    # Also accepted before `serve` (`millions --pack P serve`); these dests keep both.
    serve.add_argument(
        "--pack",
        dest="serve_packs",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="also offer the level pack in this folder (repeatable)",
    )
    serve.add_argument(
        "--saves",
        dest="serve_saves",
        type=Path,
        metavar="DIR",
        help="the saves every tab opens, without --classroom (default: as `millions`)",
    )


def run(args: argparse.Namespace) -> int:
    """`millions serve`, from the parsed command line."""
    return run_serve(
        host=args.host,
        port=args.port,
        classroom=args.classroom,
        saves=args.serve_saves or args.saves,
        packs=[*args.pack, *args.serve_packs],
        max_games=args.max_games,
    )


def run_serve(
    host: str,
    port: int,
    classroom: Path | None,
    saves: Path | None,
    packs: Sequence[Path],
    max_games: int = DEFAULT_MAX_GAMES,
) -> int:
    """Serve until Ctrl+C (or SIGTERM); 0 then, 2 for bad options or an address in use."""
    for folder in packs:
        if not (folder / "pack.toml").is_file():
            return _fail(f"--pack {folder}: no pack.toml there")
    if classroom is not None:
        try:
            classroom.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return _fail(f"--classroom {classroom}: {error.strerror or error}")
        where = f"Every tab keeps new saves in a folder under {classroom.absolute()}."
        command = game_command(classroom=classroom.absolute(), packs=packs)
    else:
        from game.store import saves_folder

        folder = saves_folder(saves).absolute()
        where = f"Saves: {folder} (one tab at a time; --classroom DIR gives each its own)."
        command = game_command(saves=folder, packs=packs)
    from game.commands.web_server import GameServer, is_loopback

    local_only = is_loopback(host)
    warning = None
    if not local_only:
        reach = "" if classroom else ", with your saves"
        warning = (
            f"warning: {host} can be reached from other machines: anyone who can reach port"
            f" {port} can play here{reach}. There is no password and no encryption."
        )
    server = GameServer(
        command,
        host=host,
        port=port,
        max_games=max_games,
        local_only=local_only,
        notes=(where,),
        warning=warning,
    )
    try:
        server.serve_until_stopped()
    except KeyboardInterrupt:  # Ctrl+C where no signal handler can be installed
        pass
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return _fail(f"port {port} on {host} is in use; choose another with --port")
        return _fail(f"cannot listen on {host} port {port}: {error.strerror or error}")
    print("Stopped.", flush=True)
    return 0


def game_command(
    *, saves: Path | None = None, classroom: Path | None = None, packs: Sequence[Path] = ()
) -> str:
    """The shell command that runs one browser tab's game (textual-serve runs it in a shell)."""
    argv = [sys.executable, "-m", "game.commands.browser_game"]
    argv += ["--classroom", str(classroom)] if classroom else ["--saves", str(saves)]
    for pack in packs:
        argv += ["--pack", str(Path(pack).absolute())]
    if os.name == "nt":
        return subprocess.list2cmdline(argv)
    return "exec " + shlex.join(argv)  # the shell becomes the game: stopping it stops the game


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1-65535, or 0 for any")
    return port


def _max_games(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= count <= MOST_GAMES:
        raise argparse.ArgumentTypeError(f"{count}: use 1-{MOST_GAMES}")
    return count


def _fail(message: str) -> int:
    from game.content.visible import visible  # here: the parser needs no library

    print(visible(f"millions serve: {message}", lines=True), file=sys.stderr)
    return EXIT_BAD_INPUT
